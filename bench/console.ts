/**
 * `npm run bench:console` — the web console's page loads on a real `wharf dev`, in Debian's
 * Chromium, in one run:
 *
 *  1. cold: a new browser context (empty cache) opens /console/ — the sign-in page;
 *  2. signed in: the clusters page after sign-in (its page code loaded on demand; no new
 *     document, so no first contentful paint of its own);
 *  3. warm: the clusters page reloaded (assets from the cache, revalidated index.html);
 *  4. a deep link: a cluster's page opened by its URL in the warm context.
 *
 * Each RUNS times; prints the median first contentful paint (the browser's own measure: the
 * frame index.html draws before the app's code arrives), the time until the page's own content
 * is shown (the sign-in form, the clusters table), and the bytes transferred, beside the target the
 * console is held to (first contentful paint under 1 s on `wharf dev`). Then the bundle: every
 * file of dist/console raw, gzip and brotli (as the control plane sends them). Traffic goes only
 * to 127.0.0.1. Never passes or fails on a figure.
 *
 *   npm run bench:console
 *   RUNS=10 npx tsx bench/console.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';
import { chromium, type Browser, type BrowserContext, type Page, type Response } from 'playwright-core';
import { benchCredentials, env, median, runBench, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const RUNS = env('RUNS', 5);
const TARGET_FCP_MS = 1000;
const dist = new URL('../dist/console', import.meta.url).pathname;
const say = (line = '') => console.log(line);

interface Load { fcp: number; shown: number; bytes: number }

/** Navigates (or reloads) and measures until `shown` is visible. */
async function measure(page: Page, go: () => Promise<unknown>, shown: () => Promise<unknown>, navigates = true): Promise<Load> {
  let bytes = 0;
  const sizes: Promise<unknown>[] = [];
  // What came over the wire (a response from the browser's cache has no body received).
  // The change stream never ends, so its size is never known: left out.
  const onResponse = (r: Response) => {
    if (!r.url().includes('/_wharf/console/changes')) sizes.push(r.request().sizes().then((s) => (bytes += s.responseBodySize + s.responseHeadersSize), () => undefined));
  };
  page.on('response', onResponse);
  const start = Date.now();
  await go();
  await shown();
  const elapsed = Date.now() - start;
  // A change of page inside the app paints no new first contentful paint.
  const fcp = !navigates ? NaN : await page.evaluate(() => new Promise<number>((resolve) => {
    const entry = performance.getEntriesByName('first-contentful-paint')[0];
    if (entry) return resolve(entry.startTime);
    new PerformanceObserver((list) => resolve(list.getEntries()[0]!.startTime)).observe({ type: 'paint', buffered: true });
  }));
  page.off('response', onResponse);
  await Promise.all(sizes);
  return { fcp, shown: elapsed, bytes };
}

function row(label: string, loads: Load[]): string {
  const fcp = median(loads.map((l) => l.fcp));
  const shown = median(loads.map((l) => l.shown));
  const kb = median(loads.map((l) => l.bytes)) / 1024;
  return `${label.padEnd(34)} FCP ${(Number.isNaN(fcp) ? '-' : fcp.toFixed(0)).padStart(5)} ms   shown ${shown.toFixed(0).padStart(5)} ms   ${kb.toFixed(0).padStart(6)} KiB transferred   (target: FCP < ${TARGET_FCP_MS} ms)`;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

function bundle(): void {
  let raw = 0;
  let gz = 0;
  let br = 0;
  const index = readFileSync(join(dist, 'index.html'), 'utf8');
  let first = 0;
  for (const f of files(dist)) {
    const body = readFileSync(f);
    const b = brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11 } }).length;
    raw += body.length;
    gz += gzipSync(body, { level: 9 }).length;
    br += b;
    const name = f.slice(dist.length);
    if (name === '/index.html' || index.includes(name)) first += Math.min(b, body.length);
  }
  const kib = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
  say(`bundle: ${files(dist).length} files, ${kib(raw)} raw, ${kib(gz)} gzip, ${kib(br)} brotli; the first page's own files (index.html and what it links): ${kib(first)} brotli`);
}

let wharf: WharfProcess | undefined;
let browser: Browser | undefined;

async function main(): Promise<void> {
  if (!existsSync(join(dist, 'index.html'))) execFileSync('npm', ['run', 'build:console'], { stdio: 'inherit' });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  {
    wharf = await spawnWharf(['dev', '--port', '0', '--data-dir', tempDir(), '--no-dns'], /Wharf ready at http:\/\//);
    const url = wharf.url;
    const cold: Load[] = [];
    const signedIn: Load[] = [];
    const warm: Load[] = [];
    const deep: Load[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context: BrowserContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      const page = await context.newPage();
      cold.push(await measure(page, () => page.goto(`${url}/console/`), () => page.locator('#access-key-id').waitFor()));
      await page.locator('#access-key-id').fill(benchCredentials.accessKeyId);
      await page.locator('#secret-access-key').fill(benchCredentials.secretAccessKey);
      const clusters = () => page.getByRole('link', { name: 'default' }).waitFor();
      signedIn.push(await measure(page, () => page.getByTestId('sign-in').click(), clusters, false));
      warm.push(await measure(page, () => page.reload(), clusters));
      deep.push(await measure(page, () => page.goto(`${url}/console/clusters/default`), () => page.getByText('Cluster overview').waitFor()));
      await context.close();
    }
    say(`the console on wharf dev, Chromium ${browser.version()}, median of ${RUNS}:`);
    say(row('cold: sign-in page, empty cache', cold));
    say(row('signed in: clusters page', signedIn));
    say(row('warm: clusters page reloaded', warm));
    say(row('deep link: a cluster, warm', deep));
    bundle();
  }
}

runBench(main, async () => {
  await browser?.close();
  await wharf?.stop();
});
