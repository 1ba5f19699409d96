/**
 * `npm run bench:dns` — Wharf's DNS server over UDP from a Node client, in one run:
 *
 *  1. namespace names (A, three records, answered from memory) through Wharf's server;
 *  2. forwarded names answered from its cache;
 *  3. the same names asked of the fake upstream resolver directly: the reference for what a
 *     Node DNS server on this machine costs (it answers from a function, nothing more).
 *
 * Each with CONCURRENCY queries outstanding for DURATION_S seconds (at most MAX_QUERIES), then
 * with one outstanding for SINGLE_S seconds (the latency when nothing queues). The servers run
 * in a child process of their own; traffic goes only to 127.0.0.1. Prints figures; never passes
 * or fails on them.
 *
 *   npm run bench:dns
 *   DURATION_S=5 CONCURRENCY=64 npx tsx bench/dns.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { load as loadDns, type DnsLoad } from './support/dns-load.mjs';
import { env, runBench } from './support/wharf.ts';

const DURATION_S = env('DURATION_S', 3);
const SINGLE_S = env('SINGLE_S', 1);
const CONCURRENCY = env('CONCURRENCY', 32);
const MAX_QUERIES = env('MAX_QUERIES', 500_000);
const NAMES = env('NAMES', 100);
const HOST = '127.0.0.1';
const say = (line = '') => console.log(line);

let child: ChildProcess | undefined;

/** Keeps `concurrency` queries for `names` outstanding against `port` on this host for `seconds` (at most `max`). */
const load = (port: number, names: string[], concurrency: number, seconds: number, max: number): Promise<DnsLoad> =>
  loadDns(HOST, port, names, concurrency, seconds, max);

const row = (label: string, f: DnsLoad) => {
  return `${label.padEnd(38)} ${f.qps.toFixed(0).padStart(9)} q/s   p50 ${f.p50.toFixed(3).padStart(7)} ms   p99 ${f.p99.toFixed(3).padStart(7)} ms   ${f.answered} answered${f.lost ? `, ${f.lost} lost` : ''}${f.failed ? `, ${f.failed} not NOERROR with answers` : ''}`;
};

async function main(): Promise<void> {
  child = spawn(process.execPath, ['--import', 'tsx', new URL('./support/dns-servers.ts', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, NAMES: String(NAMES) },
  });
  const first = await new Promise<string>((resolve, reject) => {
    child!.once('exit', (code) => reject(new Error(`the DNS servers exited (${code})`)));
    createInterface({ input: child!.stdout! }).once('line', resolve);
  });
  const ports = JSON.parse(first) as { dns: number; upstream: number };
  const zone = Array.from({ length: NAMES }, (_, i) => `svc-${i}.bench.local`);
  const forwarded = Array.from({ length: NAMES }, (_, i) => `host-${i}.example.test`);
  // Warm the cache (and both processes) with every forwarded name once.
  await load(ports.dns, forwarded, 1, 30, forwarded.length);
  await load(ports.dns, zone, CONCURRENCY, 0.5, MAX_QUERIES);

  say(`DNS over UDP on ${HOST}: ${NAMES} names, A queries, 3 records each; ${CONCURRENCY} outstanding for ${DURATION_S} s, then 1 outstanding for ${SINGLE_S} s`);
  say();
  for (const [concurrency, seconds] of [[CONCURRENCY, DURATION_S], [1, SINGLE_S]] as const) {
    say(`${concurrency} outstanding:`);
    say(row('  Wharf: namespace names', await load(ports.dns, zone, concurrency, seconds, MAX_QUERIES)));
    say(row('  Wharf: forwarded, from its cache', await load(ports.dns, forwarded, concurrency, seconds, MAX_QUERIES)));
    say(row('  fake upstream directly (reference)', await load(ports.upstream, forwarded, concurrency, seconds, MAX_QUERIES)));
    say();
  }
}

async function cleanup(): Promise<void> {
  if (!child || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child!.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

runBench(main, cleanup);
