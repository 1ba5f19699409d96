/**
 * Pure: what a task's security groups allow, resolved into the firewall its agent loads. A
 * rule naming a source (or destination) group becomes the addresses of that group's interfaces
 * at this moment, so the firewall is recomputed whenever a group's rules or members change.
 */
import type { FirewallRule, TaskFirewall } from '../common/index.ts';
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from './records.ts';

const PROTOCOL_NAMES: Record<string, string> = { '-1': 'all', '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6' };

/** A rule's protocol as the firewall names it: `all`, `tcp`, `udp`, `icmp`, `icmpv6` or a number. */
export const firewallProtocol = (ipProtocol: string): string => PROTOCOL_NAMES[ipProtocol] ?? ipProtocol.toLowerCase();

function toFirewallRule(rule: SecurityGroupRuleRecord, membersOf: (groupId: string) => readonly string[]): FirewallRule | undefined {
  const protocol = firewallProtocol(rule.ipProtocol);
  const cidrs = [
    ...(rule.cidrIpv4 ? [rule.cidrIpv4] : []),
    ...(rule.cidrIpv6 ? [rule.cidrIpv6] : []),
    ...(rule.referencedGroupId ? membersOf(rule.referencedGroupId).map((ip) => `${ip}/32`) : []),
  ];
  if (cidrs.length === 0) return undefined;
  const ports = protocol === 'all' || rule.fromPort === undefined ? {} : { fromPort: rule.fromPort, toPort: rule.toPort ?? rule.fromPort };
  return { protocol, ...ports, cidrs: [...new Set(cidrs)].sort() };
}

/**
 * The firewall of an interface in `groupIds`: the union of its groups' rules. `groups` finds a
 * group by id (a missing one adds nothing); `membersOf` lists the addresses of a group's interfaces.
 */
export function taskFirewall(
  groupIds: readonly string[], groups: (groupId: string) => SecurityGroupRecord | undefined, membersOf: (groupId: string) => readonly string[],
): TaskFirewall {
  const ingress: FirewallRule[] = [];
  const egress: FirewallRule[] = [];
  for (const id of groupIds) {
    for (const rule of groups(id)?.rules ?? []) {
      const resolved = toFirewallRule(rule, membersOf);
      if (resolved) (rule.isEgress ? egress : ingress).push(resolved);
    }
  }
  return { ingress, egress };
}
