/**
 * A task's firewall from its security groups: CIDR rules as they are, group references
 * resolved to the groups' member addresses, protocols by name, ingress and egress apart.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { firewallProtocol, taskFirewall } from './firewall.ts';
import type { SecurityGroupRecord, SecurityGroupRuleRecord } from './records.ts';

let n = 0;
const rule = (over: Partial<SecurityGroupRuleRecord>): SecurityGroupRuleRecord => ({
  ruleId: `sgr-${String(++n).padStart(17, '0')}`, isEgress: false, ipProtocol: 'tcp', tags: [], ...over,
});
const group = (groupId: string, rules: SecurityGroupRuleRecord[]): SecurityGroupRecord => ({
  groupId, groupName: groupId, description: groupId, ownerId: '123456789012', vpcId: 'vpc-1', rules, tags: [], createdAt: 0,
});

/** The firewall of `groupIds` over these groups and members. */
function firewallOf(groupIds: string[], groups: SecurityGroupRecord[], members: Record<string, string[]> = {}) {
  const byId = new Map(groups.map((g) => [g.groupId, g]));
  return taskFirewall(groupIds, (id) => byId.get(id), (id) => members[id] ?? []);
}

describe('taskFirewall', () => {
  it('keeps CIDR rules with their ports; a single port is a range of one', () => {
    const fw = firewallOf(['sg-web'], [group('sg-web', [
      rule({ ipProtocol: 'tcp', fromPort: 80, toPort: 80, cidrIpv4: '10.0.0.0/16' }),
      rule({ ipProtocol: 'udp', fromPort: 5000, toPort: 5010, cidrIpv4: '0.0.0.0/0' }),
      rule({ ipProtocol: 'tcp', fromPort: 443, cidrIpv6: '::/0' }),
    ])]);
    assert.deepEqual(fw, {
      ingress: [
        { protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['10.0.0.0/16'] },
        { protocol: 'udp', fromPort: 5000, toPort: 5010, cidrs: ['0.0.0.0/0'] },
        { protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['::/0'] },
      ],
      egress: [],
    });
  });

  it('resolves a group reference to its members\' addresses as /32s, sorted and without repeats', () => {
    const fw = firewallOf(['sg-app'], [group('sg-app', [rule({ fromPort: 8080, toPort: 8080, referencedGroupId: 'sg-lb' })])], {
      'sg-lb': ['10.0.1.9', '10.0.1.4', '10.0.1.9'],
    });
    assert.deepEqual(fw.ingress, [{ protocol: 'tcp', fromPort: 8080, toPort: 8080, cidrs: ['10.0.1.4/32', '10.0.1.9/32'] }]);
  });

  it('a reference to a group with no members allows nothing, and is left out', () => {
    const fw = firewallOf(['sg-app'], [group('sg-app', [rule({ fromPort: 22, toPort: 22, referencedGroupId: 'sg-empty' })])]);
    assert.deepEqual(fw, { ingress: [], egress: [] });
  });

  it('names protocols by number: 6 tcp, 17 udp, 1 icmp, 58 icmpv6; -1 is all, without ports', () => {
    assert.deepEqual(['6', '17', '1', '58', '-1', 'TCP', '47'].map(firewallProtocol), ['tcp', 'udp', 'icmp', 'icmpv6', 'all', 'tcp', '47']);
    const fw = firewallOf(['sg-x'], [group('sg-x', [
      rule({ ipProtocol: '6', fromPort: 80, toPort: 81, cidrIpv4: '10.0.0.0/8' }),
      rule({ ipProtocol: '17', fromPort: 53, toPort: 53, cidrIpv4: '10.0.0.0/8' }),
      rule({ ipProtocol: '1', fromPort: 8, toPort: 0, cidrIpv4: '10.0.0.0/8' }),
      rule({ ipProtocol: '58', fromPort: 128, toPort: 0, cidrIpv6: 'fd00::/8' }),
      rule({ ipProtocol: '-1', fromPort: -1, toPort: -1, cidrIpv4: '192.168.0.0/16' }),
    ])]);
    assert.deepEqual(fw.ingress, [
      { protocol: 'tcp', fromPort: 80, toPort: 81, cidrs: ['10.0.0.0/8'] },
      { protocol: 'udp', fromPort: 53, toPort: 53, cidrs: ['10.0.0.0/8'] },
      { protocol: 'icmp', fromPort: 8, toPort: 0, cidrs: ['10.0.0.0/8'] },
      { protocol: 'icmpv6', fromPort: 128, toPort: 0, cidrs: ['fd00::/8'] },
      { protocol: 'all', cidrs: ['192.168.0.0/16'] },
    ]);
  });

  it('a rule without ports (all ports of its protocol) has none in the firewall', () => {
    assert.deepEqual(firewallOf(['sg-x'], [group('sg-x', [rule({ ipProtocol: 'tcp', cidrIpv4: '10.0.0.0/8' })])]).ingress, [
      { protocol: 'tcp', cidrs: ['10.0.0.0/8'] },
    ]);
  });

  it('splits egress from ingress, and unites the rules of every group of the interface', () => {
    const fw = firewallOf(['sg-a', 'sg-b'], [
      group('sg-a', [rule({ cidrIpv4: '10.0.0.0/8', fromPort: 80, toPort: 80 }), rule({ isEgress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' })]),
      group('sg-b', [rule({ isEgress: true, ipProtocol: 'tcp', fromPort: 5432, toPort: 5432, referencedGroupId: 'sg-db' })]),
      group('sg-unused', [rule({ cidrIpv4: '1.2.3.4/32', fromPort: 1, toPort: 1 })]),
    ], { 'sg-db': ['10.0.2.4'] });
    assert.deepEqual(fw, {
      ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['10.0.0.0/8'] }],
      egress: [{ protocol: 'all', cidrs: ['0.0.0.0/0'] }, { protocol: 'tcp', fromPort: 5432, toPort: 5432, cidrs: ['10.0.2.4/32'] }],
    });
  });

  it('a group that is missing (deleted, not yet seen) adds nothing', () => {
    const fw = firewallOf(['sg-gone', 'sg-a'], [group('sg-a', [rule({ cidrIpv4: '10.0.0.0/8', fromPort: 80, toPort: 80 })])]);
    assert.deepEqual(fw, { ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['10.0.0.0/8'] }], egress: [] });
    assert.deepEqual(firewallOf(['sg-gone'], []), { ingress: [], egress: [] }, 'no group at all: everything is dropped');
  });

  it('a group referencing itself allows its members, the task itself among them', () => {
    const fw = firewallOf(['sg-default'], [group('sg-default', [rule({ ipProtocol: '-1', referencedGroupId: 'sg-default' })])], {
      'sg-default': ['10.0.1.5', '10.0.1.4'],
    });
    assert.deepEqual(fw.ingress, [{ protocol: 'all', cidrs: ['10.0.1.4/32', '10.0.1.5/32'] }]);
  });
});
