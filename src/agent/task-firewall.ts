/**
 * An awsvpc task's security groups as an nftables ruleset, loaded inside the task's network
 * namespace (`nsenter -t <pause pid> -n nft -f -`). Pure: a TaskFirewall in, the script out.
 *
 * The script replaces the whole table in one transaction, so a task is never briefly open
 * while its groups change: `table` makes sure the table exists, `delete table` drops it and
 * everything in it, and the table is declared anew, all applied together or not at all.
 *
 * Like a security group it is stateful: what is not allowed is dropped, and replies to allowed
 * traffic pass both ways. The task endpoints at 169.254.170.2:80 and the resolver at
 * 169.254.169.253:53 are always reachable. The script is run by root, so nothing from the input reaches it as
 * text: addresses are parsed and printed again, ports and protocols are numbers or fixed words,
 * and anything else is refused with an error naming the field.
 */
import type { FirewallRule, TaskFirewall } from '../common/index.ts';

/** The nftables table (family and name) holding a task's firewall, as `nft` commands take it. */
export const FIREWALL_TABLE = 'inet wharf_task';

/** ICMPv6 that IPv6 itself needs (neighbour and router discovery, multicast listener reports). */
const IPV6_CONTROL = {
  input: 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept',
  output: 'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, mld2-listener-report } accept',
};

/**
 * The nftables script for `nft -f -` that makes `FIREWALL_TABLE` allow exactly what `firewall`
 * allows (plus loopback, replies, and IPv6 neighbour discovery). Throws an Error naming the
 * field when a rule has a protocol, port or CIDR that is not valid.
 */
export function renderFirewall(firewall: TaskFirewall): string {
  if (!firewall || typeof firewall !== 'object') throw new Error('firewall: must be an object with ingress and egress rules');
  const ingress = rulesOf(firewall.ingress, 'ingress', 'saddr');
  const egress = rulesOf(firewall.egress, 'egress', 'daddr');
  return [
    `table ${FIREWALL_TABLE}`,
    `delete table ${FIREWALL_TABLE}`,
    `table ${FIREWALL_TABLE} {`,
    ...chain('input', 'iif', IPV6_CONTROL.input, ingress),
    ...chain('output', 'oif', IPV6_CONTROL.output, egress),
    '}',
    '',
  ].join('\n');
}

/**
 * The task endpoints (credentials, metadata, Wharf's API) at 169.254.170.2:80 are the task's
 * own, as ECS serves them beside the ENI: no security group stands between a task and them.
 */
const TASK_ENDPOINTS = 'ip daddr 169.254.170.2 tcp dport 80 accept';
/** The tasks' resolver at 169.254.169.253:53 (as the VPC's resolver): names resolve whatever the security groups say. */
const TASK_RESOLVER = ['ip daddr 169.254.169.253 udp dport 53 accept', 'ip daddr 169.254.169.253 tcp dport 53 accept'];

function chain(hook: 'input' | 'output', loopback: 'iif' | 'oif', ipv6Control: string, rules: string[]): string[] {
  return [
    `\tchain ${hook} {`,
    `\t\ttype filter hook ${hook} priority 0; policy drop;`,
    `\t\t${loopback} "lo" accept`,
    '\t\tct state established,related accept',
    '\t\tct state invalid drop',
    `\t\t${ipv6Control}`,
    ...(hook === 'output' ? [TASK_ENDPOINTS, ...TASK_RESOLVER].map((rule) => `\t\t${rule}`) : []),
    ...rules.map((rule) => `\t\t${rule}`),
    '\t}',
  ];
}

type Direction = 'saddr' | 'daddr';

function rulesOf(rules: unknown, field: string, direction: Direction): string[] {
  if (!Array.isArray(rules)) throw new Error(`${field}: must be a list of rules`);
  return rules.flatMap((rule, i) => renderRule(rule, `${field}[${i}]`, direction));
}

/** One FirewallRule as nft rules: one per address family its CIDRs (and protocol) use. */
function renderRule(rule: FirewallRule, field: string, direction: Direction): string[] {
  if (!rule || typeof rule !== 'object') throw new Error(`${field}: must be a rule object`);
  const protocol = protocolOf(rule.protocol, `${field}.protocol`);
  const fromPort = portOf(rule.fromPort, `${field}.fromPort`);
  const toPort = portOf(rule.toPort, `${field}.toPort`);
  const l4 = l4Match(protocol, fromPort, toPort, field);
  if (!Array.isArray(rule.cidrs)) throw new Error(`${field}.cidrs: must be a list of CIDR blocks`);
  const cidrs = rule.cidrs.map((c, i) => parseCidr(c, `${field}.cidrs[${i}]`));

  const out: string[] = [];
  for (const family of [4, 6] as const) {
    if (protocol === 'icmp' && family === 6) continue;
    if (protocol === 'icmpv6' && family === 4) continue;
    const blocks = aggregate(cidrs.filter((c) => c.family === family));
    if (blocks.length === 0) continue;
    const address = blocks[0]!.prefix === 0
      ? `meta nfproto ipv${family}`
      : `${family === 4 ? 'ip' : 'ip6'} ${direction} { ${blocks.map(formatCidr).join(', ')} }`;
    out.push([address, l4, 'accept'].filter(Boolean).join(' '));
  }
  return out;
}

type Protocol = 'all' | 'tcp' | 'udp' | 'icmp' | 'icmpv6' | number;

const PROTOCOL_NAMES: Record<string, Protocol> = {
  all: 'all', '-1': 'all', tcp: 'tcp', '6': 'tcp', udp: 'udp', '17': 'udp', icmp: 'icmp', '1': 'icmp', icmpv6: 'icmpv6', '58': 'icmpv6',
};

function protocolOf(value: unknown, field: string): Protocol {
  if (typeof value === 'string') {
    const name = value.toLowerCase();
    if (Object.hasOwn(PROTOCOL_NAMES, name)) return PROTOCOL_NAMES[name]!;
    if (/^(0|[1-9][0-9]{0,2})$/.test(name) && Number(name) <= 255) return Number(name);
  }
  throw new Error(`${field}: ${JSON.stringify(value)} is not all, tcp, udp, icmp, icmpv6 or an IP protocol number 0-255`);
}

/** A port (or ICMP type or code): undefined when absent or -1, meaning all. */
function portOf(value: unknown, field: string): number | undefined {
  if (value === undefined || value === -1) return undefined;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 65535) return value;
  throw new Error(`${field}: ${JSON.stringify(value)} is not a port 0-65535 or -1`);
}

/** The layer-4 match for a protocol and its ports (ICMP: type and code); '' for all protocols. */
function l4Match(protocol: Protocol, fromPort: number | undefined, toPort: number | undefined, field: string): string {
  if (protocol === 'all') return '';
  if (typeof protocol === 'number') return `meta l4proto ${protocol}`;
  if (protocol === 'tcp' || protocol === 'udp') {
    if (fromPort === undefined && toPort === undefined) return `meta l4proto ${protocol}`;
    if (fromPort === undefined) throw new Error(`${field}.fromPort: required when toPort is given`);
    if (toPort === undefined) throw new Error(`${field}.toPort: required when fromPort is given`);
    if (fromPort > toPort) throw new Error(`${field}.toPort: ${toPort} is below fromPort ${fromPort}`);
    return `${protocol} dport ${fromPort === toPort ? fromPort : `${fromPort}-${toPort}`}`;
  }
  // ICMP: fromPort is the type, toPort the code.
  if (fromPort === undefined) {
    if (toPort !== undefined) throw new Error(`${field}.toPort: an ICMP code needs an ICMP type (fromPort)`);
    return `meta l4proto ${protocol === 'icmp' ? 1 : 58}`;
  }
  if (fromPort > 255) throw new Error(`${field}.fromPort: ${fromPort} is not an ICMP type 0-255 or -1`);
  if (toPort !== undefined && toPort > 255) throw new Error(`${field}.toPort: ${toPort} is not an ICMP code 0-255 or -1`);
  return toPort === undefined ? `${protocol} type ${fromPort}` : `${protocol} type ${fromPort} ${protocol} code ${toPort}`;
}

/** A CIDR block, host bits cleared. */
interface Cidr {
  family: 4 | 6;
  address: bigint;
  prefix: number;
}

const bitsOf = (family: 4 | 6): number => (family === 4 ? 32 : 128);

function parseCidr(value: unknown, field: string): Cidr {
  const bad = (): Error => new Error(`${field}: ${JSON.stringify(value)} is not an IPv4 or IPv6 CIDR block`);
  if (typeof value !== 'string' || value.length > 64) throw bad();
  const [host, prefixText, extra] = value.split('/');
  if (extra !== undefined || host === undefined) throw bad();
  const v4 = parseIpv4(host);
  const v6 = v4 === undefined ? parseIpv6(host) : undefined;
  const family = v4 !== undefined ? 4 : v6 !== undefined ? 6 : undefined;
  if (family === undefined) throw bad();
  const bits = bitsOf(family);
  let prefix = bits;
  if (prefixText !== undefined) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText) || Number(prefixText) > bits) throw bad();
    prefix = Number(prefixText);
  }
  const mask = prefix === 0 ? 0n : ((1n << BigInt(prefix)) - 1n) << BigInt(bits - prefix);
  return { family, address: (v4 ?? v6)! & mask, prefix };
}

function parseIpv4(text: string): bigint | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0n;
  for (const part of parts) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(part) || Number(part) > 255) return undefined;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groupsOf = (part: string, last: boolean): bigint[] | undefined => {
    if (part === '') return [];
    const out: bigint[] = [];
    const pieces = part.split(':');
    for (const [i, piece] of pieces.entries()) {
      if (last && i === pieces.length - 1 && piece.includes('.')) {
        const v4 = parseIpv4(piece);
        if (v4 === undefined) return undefined;
        out.push(v4 >> 16n, v4 & 0xffffn);
      } else if (/^[0-9A-Fa-f]{1,4}$/.test(piece)) {
        out.push(BigInt(`0x${piece}`));
      } else {
        return undefined;
      }
    }
    return out;
  };
  const head = groupsOf(halves[0]!, halves.length === 1);
  const tail = halves.length === 2 ? groupsOf(halves[1]!, true) : [];
  if (!head || !tail) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<bigint>(halves.length === 2 ? missing : 0).fill(0n), ...tail].reduce((acc, g) => (acc << 16n) | g, 0n);
}

/** The fewest blocks covering the same addresses, in address order: blocks inside another go. */
function aggregate(blocks: Cidr[]): Cidr[] {
  const sorted = [...blocks].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : a.prefix - b.prefix));
  const out: Cidr[] = [];
  for (const block of sorted) {
    const last = out[out.length - 1];
    if (last && contains(last, block)) continue;
    out.push(block);
  }
  return out;
}

function contains(outer: Cidr, inner: Cidr): boolean {
  if (outer.prefix > inner.prefix) return false;
  const shift = BigInt(bitsOf(outer.family) - outer.prefix);
  return outer.address >> shift === inner.address >> shift;
}

function formatCidr(block: Cidr): string {
  const address = block.family === 4 ? formatIpv4(block.address) : formatIpv6(block.address);
  return block.prefix === bitsOf(block.family) ? address : `${address}/${block.prefix}`;
}

function formatIpv4(value: bigint): string {
  return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 0xffn)).join('.');
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run of two or more zero groups as `::`. */
function formatIpv6(value: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(112 - 16 * i)) & 0xffffn));
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) { bestStart = i; bestLength = j - i; }
    i = j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestStart < 0) return hex(groups);
  return `${hex(groups.slice(0, bestStart))}::${hex(groups.slice(bestStart + bestLength))}`;
}
