/**
 * Pure IPv4 address arithmetic, for the network domain (VPCs, subnets, interfaces) and the hosts
 * that carry them (the agent's subnet bridges, `wharf cluster`'s underlay): CIDR blocks parsed, compared and counted, and the addresses a
 * subnet hands out (AWS keeps the first four and the last one of every subnet).
 */

/** An IPv4 CIDR block: its network address as a 32-bit number and its prefix length. */
export interface Cidr {
  base: number;
  prefix: number;
}

const OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** The 32-bit number of a dotted IPv4 address, or undefined when it is not one. */
export function parseIp(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((p) => OCTET.test(p))) return undefined;
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** The dotted form of a 32-bit address. */
export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** A CIDR block (`10.0.0.0/16`), or undefined when the text is not one or has host bits set. */
export function parseCidr(text: string): Cidr | undefined {
  const [ip, len, extra] = text.split('/');
  if (extra !== undefined || len === undefined || !/^\d{1,2}$/.test(len)) return undefined;
  const prefix = Number(len);
  const base = parseIp(ip);
  if (base === undefined || prefix > 32) return undefined;
  return (base & mask(prefix)) >>> 0 === base ? { base, prefix } : undefined;
}

/** The text form of a block. */
export const formatCidr = (c: Cidr): string => `${formatIp(c.base)}/${c.prefix}`;

const mask = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);

/** How many addresses the block holds. */
export const size = (c: Cidr): number => 2 ** (32 - c.prefix);

/** Whether `ip` (a 32-bit number) is inside the block. */
export const containsIp = (c: Cidr, ip: number): boolean => ((ip & mask(c.prefix)) >>> 0) === c.base;

/** Whether `inner` lies wholly inside `outer`. */
export const containsCidr = (outer: Cidr, inner: Cidr): boolean => inner.prefix >= outer.prefix && containsIp(outer, inner.base);

/** Whether two blocks share any address. */
export const overlaps = (a: Cidr, b: Cidr): boolean => containsCidr(a, b) || containsCidr(b, a);

/** The subnet's gateway (AWS's VPC router): the network address + 1. */
export const gatewayOf = (c: Cidr): number => c.base + 1;

/**
 * The addresses a subnet can give to interfaces, lowest first: all but the network address,
 * the next three (router, DNS, reserved) and the broadcast address, as AWS reserves them.
 */
export function* assignable(c: Cidr): Generator<number> {
  const last = c.base + size(c) - 1;
  for (let ip = c.base + 4; ip < last; ip++) yield ip;
}

/** How many addresses the subnet can give out (AWS's AvailableIpAddressCount before any is used). */
export const assignableCount = (c: Cidr): number => Math.max(0, size(c) - 5);
