/**
 * The loopback addresses load balancers listen on: one per load balancer from 127.255.0.0/16
 * (never 127.0.0.1, which the host's own services use), held by one key per address in the store
 * so that two load balancers, made at once on any replica, never share one.
 */
import { formatIp, parseIp } from '../common/index.ts';
import type { Tx } from '../state/index.ts';
import { keys } from './records.ts';

const BASE = parseIp('127.255.0.0')!;
const SIZE = 65536;

/** Why no address was given: every one of the range is taken. */
export class AddressesExhausted extends Error {
  constructor() {
    super('Every load balancer address of 127.255.0.0/16 is in use');
    this.name = 'AddressesExhausted';
  }
}

/**
 * Stages the first free address of the range at or after `start` (wrapping) for `owner` (a load
 * balancer ARN) in `tx`. Callers start at a random place, so that two Wharfs on one machine (each
 * with a store of its own) are unlikely to hand out the same address. The chosen key is read
 * through `tx`, so a racing transaction that took it makes this commit fail and retry.
 */
export async function stageAddress(tx: Tx, owner: string, start = 1): Promise<string> {
  const taken = new Set((await tx.list<{ ip: string }>(keys.addresses)).map((a) => a.ip));
  // .0.0 and .255.255 are the range's network and broadcast addresses: skipped, as a subnet's are.
  for (let i = 0; i < SIZE - 2; i++) {
    const n = 1 + ((start - 1 + i) % (SIZE - 2) + (SIZE - 2)) % (SIZE - 2);
    const ip = formatIp(BASE + n);
    if (taken.has(ip)) continue;
    if (await tx.get(keys.address(ip))) continue;
    tx.put(keys.address(ip), { ip, owner });
    return ip;
  }
  throw new AddressesExhausted();
}

/** Frees an address (staged in `tx`). */
export function stageFreeAddress(tx: Tx, ip: string): void {
  tx.delete(keys.address(ip));
}
