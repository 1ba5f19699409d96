/**
 * What the benchmarks need to start Wharf processes, drive them and clean up after them,
 * without node:test (test/support/wharf.ts registers `after` hooks, which only a test file
 * may do): spawning `wharf dev` / `server` / `agent`, an SDK client, the docker CLI, bounded
 * polling, and the statistics the figures print.
 */
import { inNetworkNamespace } from '../../src/cli/host-namespaces.ts';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ECSClient } from '@aws-sdk/client-ecs';
import { tempDir as makeTempDir } from '../../test/support/temp-dir.ts';

const root = new URL('../..', import.meta.url).pathname;
const run = promisify(execFile);

/** The image the benchmarks run (built by scripts/build-test-images.sh). */
export const TEST_IMAGE = 'wharf-test/busybox:latest';

/** A running wharf child process. */
export interface WharfProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM (and SIGCONT) to this pid and wait for its exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL to this pid and wait for its exit: a crash. */
  kill9(): Promise<void>;
}

/** The account root's key of every Wharf a benchmark starts (seeded on its first start). */
export const benchCredentials = { accessKeyId: 'AKIAWHARFBENCH000001', secretAccessKey: 'wharf-bench-secret-00000000000000000000' };
const rootKeyEnv = {
  WHARF_ROOT_ACCESS_KEY_ID: benchCredentials.accessKeyId, WHARF_ROOT_SECRET_ACCESS_KEY: benchCredentials.secretAccessKey,
  // `wharf agent` signs its link with these (the root key above).
  AWS_ACCESS_KEY_ID: benchCredentials.accessKeyId, AWS_SECRET_ACCESS_KEY: benchCredentials.secretAccessKey,
};

/** A fresh directory, removed when the benchmark exits. */
export const tempDir = (prefix = 'wharf-bench-'): string => makeTempDir(prefix);

/**
 * Spawns `wharf <args>` (with `o.env` added to its environment, `o.nodeArgs` given to node, and
 * inside network namespace `o.netns` when given) and resolves once a line of its output matches `readyPattern` (the URL
 * is the first `http://...` in that line); rejects if it exits first or is not ready in time.
 */
export function spawnWharf(
  args: string[], readyPattern: RegExp, readyTimeoutMs = 60_000, o: { env?: NodeJS.ProcessEnv; netns?: string; nodeArgs?: string[] } = {},
): Promise<WharfProcess> {
  const [command, prefix] = o.netns ? inNetworkNamespace(o.netns, process.execPath) : [process.execPath, []];
  const child = spawn(command, [...prefix, ...(o.nodeArgs ?? []), join(root, 'bin/wharf.js'), ...args], {
    cwd: root, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...rootKeyEnv, ...o.env },
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 15_000) => {
    if (!alive()) return;
    child.kill('SIGTERM');
    child.kill('SIGCONT'); // in case it was SIGSTOPped
    const timer = setTimeout(() => alive() && child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  const kill9 = async () => {
    if (alive()) child.kill('SIGKILL');
    await exited;
  };
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void kill9();
      reject(new Error(`wharf ${args.join(' ')} not ready in ${readyTimeoutMs} ms:\n${out}`));
    }, readyTimeoutMs);
    const onData = () => {
      const line = out.split('\n').find((l) => readyPattern.test(l));
      if (!line) return;
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      resolve({ url: /http:\/\/[^\s]+/.exec(line)?.[0] ?? '', pid: child.pid!, child, output: () => out, stop, kill9 });
    };
    child.stdout!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`wharf ${args.join(' ')} exited (${code ?? signal}) before ready:\n${out}`));
    });
  });
}

/** An ECS client pointed at a running Wharf (it reads the region and key id from the signature). */
export function ecsClient(url: string): ECSClient {
  return new ECSClient({ endpoint: url, region: 'us-east-1', credentials: benchCredentials });
}

/** Runs the docker CLI, as a user would; resolves to its trimmed stdout. */
export async function docker(...args: string[]): Promise<string> {
  return (await run('docker', args, { encoding: 'utf8', maxBuffer: 16 * 2 ** 20 })).stdout.trim();
}

/** Ids of the containers (running only, or all) carrying `label` (`key=value`). */
export async function containersLabelled(label: string, all = false): Promise<string[]> {
  const out = await docker('ps', ...(all ? ['-a'] : []), '-q', '--no-trunc', '--filter', `label=${label}`);
  return out ? out.split('\n') : [];
}

/** Removes every container carrying `label`, whatever its state. */
export async function removeLabelled(label: string): Promise<number> {
  const ids = await containersLabelled(label, true);
  if (ids.length) await docker('rm', '-f', ...ids);
  return ids.length;
}

/** A Docker timestamp (RFC 3339, nanoseconds) as epoch ms; NaN for Docker's zero time. */
export function dockerTime(s: string): number {
  const ms = Date.parse(s.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) && ms > 0 ? ms : NaN;
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Calls `probe` every `everyMs` until it returns something other than undefined, at most
 * `timeoutMs`; then throws, naming `what` and the last state `describe` gives.
 */
export async function poll<T>(what: string, probe: () => Promise<T | undefined>, o: { timeoutMs: number; everyMs: number; describe?: () => string }): Promise<T> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${o.timeoutMs / 1000} s waiting for ${what}${o.describe ? `; last seen: ${o.describe()}` : ''}`);
    await sleep(o.everyMs);
  }
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
/** The median (mean of the middle two for an even count). */
/** A bench's numeric setting: the environment variable `name`, else `fallback` (round counts, sizes, budgets). */
export const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);

export function median(xs: number[]): number {
  const s = sorted(xs);
  if (!s.length) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}
/** The nearest-rank percentile (p in 0..1). */
export function percentile(xs: number[], p: number): number {
  const s = sorted(xs);
  return s.length ? s[Math.max(0, Math.ceil(p * s.length) - 1)] : NaN;
}
/** Seconds with two decimals, from ms. */
export const sec = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
/** `median … p90 … min … max …` of a list of ms, in seconds. */
export const spread = (xs: number[]) =>
  `median ${sec(median(xs)).padStart(7)}   p90 ${sec(percentile(xs, 0.9)).padStart(7)}   min ${sec(Math.min(...xs)).padStart(7)}   max ${sec(Math.max(...xs)).padStart(7)}`;

/** Runs a benchmark's `main`, then `cleanup` — also after a failure or Ctrl-C — so it leaves nothing behind. */
export function runBench(main: () => Promise<void>, cleanup: () => Promise<void>): void {
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));
  main()
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(cleanup);
}
