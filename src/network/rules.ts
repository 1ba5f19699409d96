/**
 * Security group rules as pure logic: an API permission (a protocol, a port range and a list of
 * peers) checked as EC2 checks it and expanded into one rule per peer; the legacy flat ingress
 * members as permissions; when two rules are the same rule (description aside); how EC2 names a
 * rule in its messages; and rules grouped back into permissions, as DescribeSecurityGroups shows them.
 */
import { parseCidr } from '../common/index.ts';
import { Ec2Errors } from './errors.ts';
import type { SecurityGroupRuleRecord } from './records.ts';

/** A peer that is another security group: by id, or by name (default VPC). */
export interface GroupPeerInput {
  groupId?: string;
  groupName?: string;
  description?: string;
}

/** One permission as a request gives it (an IpPermissions item). */
export interface PermissionInput {
  ipProtocol?: string;
  fromPort?: number;
  toPort?: number;
  ipRanges?: { cidrIp?: string; description?: string }[];
  ipv6Ranges?: { cidrIpv6?: string; description?: string }[];
  groups?: GroupPeerInput[];
  prefixListIds?: { prefixListId?: string; description?: string }[];
}

/** A rule before it has an id and tags. */
export type RuleSpec = Omit<SecurityGroupRuleRecord, 'ruleId' | 'tags'>;

/** A permission as DescribeSecurityGroups shows it: rules of one protocol and port range, with their peers. */
export interface Permission {
  ipProtocol: string;
  fromPort?: number;
  toPort?: number;
  ipRanges: { cidrIp: string; description?: string }[];
  ipv6Ranges: { cidrIpv6: string; description?: string }[];
  groups: { groupId: string; description?: string }[];
  prefixListIds: { prefixListId: string; description?: string }[];
}

const NAMED: Record<string, string> = { tcp: 'tcp', udp: 'udp', icmp: 'icmp', icmpv6: 'icmpv6', '-1': '-1', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

/** A protocol as EC2 stores it: `tcp`, `udp`, `icmp`, `icmpv6`, `-1`, or another number 0-255. */
export function normalizeProtocol(protocol: string | undefined): string {
  if (protocol === undefined || protocol === '') throw Ec2Errors.missingParameter('The request must contain the parameter ipProtocol');
  const lower = protocol.toLowerCase();
  if (Object.hasOwn(NAMED, lower)) return NAMED[lower]!;
  if (/^\d{1,3}$/.test(lower) && Number(lower) <= 255) return String(Number(lower));
  throw Ec2Errors.invalidParameterValue(`Invalid value '${protocol}' for IP protocol. Unknown protocol.`);
}

const isPortProtocol = (p: string) => p === 'tcp' || p === 'udp';
const isIcmp = (p: string) => p === 'icmp' || p === 'icmpv6';

/**
 * The ports a rule of `protocol` keeps: TCP and UDP need both, 0-65535, from ≤ to; ICMP's are a
 * type and a code (-1 for all; all types means all codes); every other protocol has none.
 */
export function portsFor(protocol: string, fromPort: number | undefined, toPort: number | undefined): { fromPort?: number; toPort?: number } {
  if (isPortProtocol(protocol)) {
    if (fromPort === undefined || toPort === undefined) {
      throw Ec2Errors.invalidParameterValue('Invalid value for portRange. Must specify both from and to ports with TCP/UDP.');
    }
    if (fromPort < 0 || toPort > 65535 || fromPort > toPort) {
      throw Ec2Errors.invalidParameterValue(`Invalid value for portRange. The from port ${fromPort} and to port ${toPort} are not a range of 0 to 65535.`);
    }
    return { fromPort, toPort };
  }
  if (isIcmp(protocol)) {
    const type = fromPort ?? -1;
    const code = toPort ?? -1;
    if (type < -1 || type > 255 || code < -1 || code > 255) {
      throw Ec2Errors.invalidParameterValue(`Invalid value for portRange. ICMP type ${type} and code ${code} must each be -1 or 0 to 255.`);
    }
    if (type === -1 && code !== -1) throw Ec2Errors.invalidParameterValue('Invalid value for portRange. All ICMP types (-1) need all ICMP codes (-1).');
    return { fromPort: type, toPort: code };
  }
  return {};
}

const DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/;

/** A rule description as EC2 allows it. */
export function checkDescription(description: string | undefined): void {
  if (description === undefined) return;
  if (description.length > 255 || !DESCRIPTION.test(description)) {
    throw Ec2Errors.invalidParameterValue(
      'Invalid rule description. Valid descriptions are strings less than 256 characters from the following set:  a-zA-Z0-9. _-:/()#,@[]+=&;{}!$*',
    );
  }
}

/** An IPv6 block as EC2 takes it: an address of up to eight groups of hex digits, `::` once at most, and a prefix of 0-128. */
export function isIpv6Cidr(text: string): boolean {
  const [address, prefix, extra] = text.split('/');
  if (extra !== undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix) || Number(prefix) > 128 || !address) return false;
  const halves = address.split('::');
  if (halves.length > 2) return false;
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')));
  if (!groups.every((g) => g.every((part) => /^[0-9a-fA-F]{1,4}$/.test(part)))) return false;
  const count = groups.reduce((n, g) => n + g.length, 0);
  return halves.length === 2 ? count < 8 : count === 8;
}

/**
 * A permission's rules, one per peer, in the order given. `groupIdOf` resolves a group peer
 * (by id or name) to the id of a group of the same VPC, or throws EC2's error.
 */
export function expandPermission(permission: PermissionInput, isEgress: boolean, groupIdOf: (peer: GroupPeerInput) => string): RuleSpec[] {
  const ipProtocol = normalizeProtocol(permission.ipProtocol);
  const ports = portsFor(ipProtocol, permission.fromPort, permission.toPort);
  const base = { isEgress, ipProtocol, ...ports };
  const rules: RuleSpec[] = [];
  const described = (description: string | undefined) => {
    checkDescription(description);
    return description !== undefined && description !== '' ? { description } : {};
  };
  for (const range of permission.ipRanges ?? []) {
    if (range.cidrIp === undefined) throw Ec2Errors.missingParameter('The request must contain the parameter cidrIp');
    if (!parseCidr(range.cidrIp)) throw Ec2Errors.malformedCidr(range.cidrIp);
    rules.push({ ...base, cidrIpv4: range.cidrIp, ...described(range.description) });
  }
  for (const range of permission.ipv6Ranges ?? []) {
    if (range.cidrIpv6 === undefined) throw Ec2Errors.missingParameter('The request must contain the parameter cidrIpv6');
    if (!isIpv6Cidr(range.cidrIpv6)) throw Ec2Errors.malformedCidr(range.cidrIpv6);
    rules.push({ ...base, cidrIpv6: range.cidrIpv6.toLowerCase(), ...described(range.description) });
  }
  for (const peer of permission.groups ?? []) {
    rules.push({ ...base, referencedGroupId: groupIdOf(peer), ...described(peer.description) });
  }
  for (const list of permission.prefixListIds ?? []) {
    if (list.prefixListId === undefined || !/^pl-[0-9a-f]{8,17}$/.test(list.prefixListId)) {
      throw Ec2Errors.invalidParameterValue(`Invalid value '${list.prefixListId ?? ''}' for prefixListId`);
    }
    rules.push({ ...base, prefixListId: list.prefixListId, ...described(list.description) });
  }
  if (rules.length === 0) {
    throw Ec2Errors.missingParameter('The request must contain the parameter ipRanges, ipv6Ranges, groups or prefixListIds');
  }
  return rules;
}

/** The legacy flat members of AuthorizeSecurityGroupIngress / RevokeSecurityGroupIngress. */
export interface FlatIngressInput {
  cidrIp?: string;
  ipProtocol?: string;
  fromPort?: number;
  toPort?: number;
  sourceSecurityGroupName?: string;
}

/**
 * The permissions the flat members stand for: a CIDR with a protocol and ports, or a source
 * group by name, which grants it all of ICMP, TCP and UDP; nothing when none is given.
 */
export function flatPermissions(flat: FlatIngressInput): PermissionInput[] {
  const { cidrIp, ipProtocol, fromPort, toPort, sourceSecurityGroupName } = flat;
  if (sourceSecurityGroupName !== undefined) {
    if (cidrIp !== undefined || ipProtocol !== undefined || fromPort !== undefined || toPort !== undefined) {
      throw Ec2Errors.invalidParameterCombination('The parameter sourceSecurityGroupName may not be used in combination with cidrIp, ipProtocol, fromPort or toPort.');
    }
    const groups = [{ groupName: sourceSecurityGroupName }];
    return [
      { ipProtocol: 'icmp', fromPort: -1, toPort: -1, groups },
      { ipProtocol: 'tcp', fromPort: 0, toPort: 65535, groups },
      { ipProtocol: 'udp', fromPort: 0, toPort: 65535, groups },
    ];
  }
  if (cidrIp === undefined && ipProtocol === undefined && fromPort === undefined && toPort === undefined) return [];
  return [{ ipProtocol, fromPort, toPort, ipRanges: cidrIp !== undefined ? [{ cidrIp }] : [] }];
}

/** What makes a rule the rule it is: direction, protocol, ports and peer (not its description). */
export function ruleKey(rule: RuleSpec): string {
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.referencedGroupId ?? rule.prefixListId ?? '';
  return [rule.isEgress ? 'egress' : 'ingress', rule.ipProtocol, rule.fromPort ?? '', rule.toPort ?? '', peer].join('|');
}

/** The first rule in `rules` that is `rule`, description aside. */
export function findRule<T extends RuleSpec>(rules: readonly T[], rule: RuleSpec): T | undefined {
  const key = ruleKey(rule);
  return rules.find((r) => ruleKey(r) === key);
}

/** A rule as EC2's messages name it: `peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW`. */
export function describeRule(rule: RuleSpec): string {
  const peer = rule.cidrIpv4 ?? rule.cidrIpv6 ?? rule.referencedGroupId ?? rule.prefixListId ?? '';
  const all = (n: number | undefined) => (n === undefined || n === -1 ? 'ALL' : String(n));
  const protocol = rule.ipProtocol === '-1' ? 'ALL' : rule.ipProtocol.toUpperCase();
  const ports = isPortProtocol(rule.ipProtocol) ? `, from port: ${rule.fromPort}, to port: ${rule.toPort}`
    : isIcmp(rule.ipProtocol) ? `, type: ${all(rule.fromPort)}, code: ${all(rule.toPort)}` : '';
  return `peer: ${peer}, ${protocol}${ports}, ALLOW`;
}

/** Rules grouped into permissions by protocol and ports, in the order each permission first appears. */
export function toPermissions(rules: readonly RuleSpec[]): Permission[] {
  const byRange = new Map<string, Permission>();
  for (const rule of rules) {
    const key = [rule.ipProtocol, rule.fromPort ?? '', rule.toPort ?? ''].join('|');
    let permission = byRange.get(key);
    if (!permission) {
      permission = {
        ipProtocol: rule.ipProtocol, ...(rule.fromPort !== undefined ? { fromPort: rule.fromPort, toPort: rule.toPort } : {}),
        ipRanges: [], ipv6Ranges: [], groups: [], prefixListIds: [],
      };
      byRange.set(key, permission);
    }
    const d = rule.description !== undefined ? { description: rule.description } : {};
    if (rule.cidrIpv4 !== undefined) permission.ipRanges.push({ cidrIp: rule.cidrIpv4, ...d });
    else if (rule.cidrIpv6 !== undefined) permission.ipv6Ranges.push({ cidrIpv6: rule.cidrIpv6, ...d });
    else if (rule.referencedGroupId !== undefined) permission.groups.push({ groupId: rule.referencedGroupId, ...d });
    else if (rule.prefixListId !== undefined) permission.prefixListIds.push({ prefixListId: rule.prefixListId, ...d });
  }
  return [...byRange.values()];
}
