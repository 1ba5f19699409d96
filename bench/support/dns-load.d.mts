/** Types of dns-load.mjs (plain JavaScript, so that it also runs inside a task's container). */

/** What one query loop measured. */
export interface DnsLoad {
  qps: number;
  p50: number;
  p99: number;
  answered: number;
  lost: number;
  failed: number;
}

/** An A query for `name` with `id`, recursion desired, in DNS wire format. */
export function aQuery(name: string, id: number): Buffer;

/** Keeps `concurrency` A queries for `names` outstanding against `address`:`port` for `seconds` (`max` at most). */
export function load(address: string, port: number, names: string[], concurrency: number, seconds: number, max?: number): Promise<DnsLoad>;
