/** Security group rules as pure logic: protocols, ports, peers, duplicates, EC2's rule names, grouping. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import {
  checkDescription, describeRule, expandPermission, findRule, flatPermissions, isIpv6Cidr, normalizeProtocol, portsFor, ruleKey, toPermissions,
  type GroupPeerInput, type RuleSpec,
} from './rules.ts';

const code = (expected: string, message?: RegExp) => (e: AwsError) => e.code === expected && (!message || message.test(e.message));
const byId = (peer: GroupPeerInput) => peer.groupId ?? `sg-${peer.groupName}`;

describe('protocols and ports', () => {
  it('names: tcp, udp, icmp, icmpv6, -1, their numbers, any other number 0-255', () => {
    assert.deepEqual(['TCP', 'udp', '6', '17', '1', '58', '-1', '50', '050'].map(normalizeProtocol), ['tcp', 'udp', 'tcp', 'udp', 'icmp', 'icmpv6', '-1', '50', '50']);
    assert.throws(() => normalizeProtocol('http'), code('InvalidParameterValue', /Invalid value 'http' for IP protocol/));
    assert.throws(() => normalizeProtocol('256'), code('InvalidParameterValue'));
    assert.throws(() => normalizeProtocol(undefined), code('MissingParameter'));
  });

  it('TCP and UDP need both ports, within 0-65535, from not above to', () => {
    assert.deepEqual(portsFor('tcp', 22, 22), { fromPort: 22, toPort: 22 });
    assert.deepEqual(portsFor('udp', 0, 65535), { fromPort: 0, toPort: 65535 });
    assert.throws(() => portsFor('tcp', 22, undefined), code('InvalidParameterValue', /Must specify both from and to ports with TCP\/UDP/));
    assert.throws(() => portsFor('tcp', -1, -1), code('InvalidParameterValue'));
    assert.throws(() => portsFor('udp', 10, 9), code('InvalidParameterValue'));
    assert.throws(() => portsFor('tcp', 1, 65536), code('InvalidParameterValue'));
  });

  it('ICMP keeps a type and a code, -1 for all; all other protocols keep no ports', () => {
    assert.deepEqual(portsFor('icmp', 8, 0), { fromPort: 8, toPort: 0 });
    assert.deepEqual(portsFor('icmp', undefined, undefined), { fromPort: -1, toPort: -1 });
    assert.throws(() => portsFor('icmp', -1, 3), code('InvalidParameterValue'));
    assert.throws(() => portsFor('icmpv6', 256, 0), code('InvalidParameterValue'));
    assert.deepEqual(portsFor('-1', 22, 22), {});
    assert.deepEqual(portsFor('50', 1, 2), {});
  });

  it('descriptions: EC2 characters, under 256', () => {
    checkDescription('office VPN (HQ) #1 @ 10:00 [a]+b=c&d;{e}!$*');
    assert.throws(() => checkDescription('naïve'), code('InvalidParameterValue', /Invalid rule description/));
    assert.throws(() => checkDescription('x'.repeat(256)), code('InvalidParameterValue'));
  });

  it('IPv6 blocks', () => {
    for (const ok of ['::/0', '2001:db8::/32', '2001:db8:0:0:0:0:0:1/128', 'fe80::1/64']) assert.ok(isIpv6Cidr(ok), ok);
    for (const bad of ['2001:db8::', '2001:db8::/129', '1:2:3:4:5:6:7:8:9/64', '2001::db8::1/64', 'g::/8', '10.0.0.0/8']) assert.ok(!isIpv6Cidr(bad), bad);
  });
});

describe('expandPermission', () => {
  it('one rule per peer, in order, each with its own description', () => {
    const rules = expandPermission({
      ipProtocol: 'tcp', fromPort: 443, toPort: 443,
      ipRanges: [{ cidrIp: '0.0.0.0/0', description: 'anyone' }, { cidrIp: '10.0.0.0/8' }],
      ipv6Ranges: [{ cidrIpv6: '2001:DB8::/32' }],
      groups: [{ groupId: 'sg-0123456789abcdef0', description: 'peers' }, { groupName: 'web' }],
      prefixListIds: [{ prefixListId: 'pl-12345678' }],
    }, false, byId);
    assert.deepEqual(rules, [
      { isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '0.0.0.0/0', description: 'anyone' },
      { isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv4: '10.0.0.0/8' },
      { isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, cidrIpv6: '2001:db8::/32' },
      { isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, referencedGroupId: 'sg-0123456789abcdef0', description: 'peers' },
      { isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, referencedGroupId: 'sg-web' },
      { isEgress: false, ipProtocol: 'tcp', fromPort: 443, toPort: 443, prefixListId: 'pl-12345678' },
    ]);
  });

  it('refuses malformed CIDRs, a permission without peers, bad prefix lists', () => {
    assert.throws(() => expandPermission({ ipProtocol: 'tcp', fromPort: 1, toPort: 1, ipRanges: [{ cidrIp: '10.0.0.300/24' }] }, false, byId),
      code('InvalidParameterValue', /CIDR block 10\.0\.0\.300\/24 is malformed/));
    assert.throws(() => expandPermission({ ipProtocol: 'tcp', fromPort: 1, toPort: 1, ipRanges: [{ cidrIp: '10.0.0.1/24' }] }, false, byId), code('InvalidParameterValue'));
    assert.throws(() => expandPermission({ ipProtocol: '-1' }, true, byId), code('MissingParameter'));
    assert.throws(() => expandPermission({ ipProtocol: '-1', prefixListIds: [{ prefixListId: 'nope' }] }, true, byId), code('InvalidParameterValue'));
  });
});

describe('flatPermissions (the legacy ingress members)', () => {
  it('a CIDR with protocol and ports is one permission', () => {
    assert.deepEqual(flatPermissions({ cidrIp: '1.2.3.4/32', ipProtocol: 'tcp', fromPort: 22, toPort: 22 }),
      [{ ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '1.2.3.4/32' }] }]);
    assert.deepEqual(flatPermissions({}), []);
  });

  it('a source group by name grants all of ICMP, TCP and UDP, and takes no protocol or ports', () => {
    const permissions = flatPermissions({ sourceSecurityGroupName: 'web' });
    assert.deepEqual(permissions.map((p) => [p.ipProtocol, p.fromPort, p.toPort]), [['icmp', -1, -1], ['tcp', 0, 65535], ['udp', 0, 65535]]);
    assert.throws(() => flatPermissions({ sourceSecurityGroupName: 'web', ipProtocol: 'tcp' }), code('InvalidParameterCombination'));
  });
});

describe('rule identity and names', () => {
  const ssh: RuleSpec = { isEgress: false, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv4: '0.0.0.0/0', description: 'a' };

  it('the same rule whatever its description; not across directions, ports or peers', () => {
    assert.equal(ruleKey(ssh), ruleKey({ ...ssh, description: 'b' }));
    assert.notEqual(ruleKey(ssh), ruleKey({ ...ssh, isEgress: true }));
    assert.notEqual(ruleKey(ssh), ruleKey({ ...ssh, toPort: 23 }));
    assert.notEqual(ruleKey(ssh), ruleKey({ ...ssh, cidrIpv4: '10.0.0.0/8' }));
    const rules = [{ ...ssh, ruleId: 'sgr-1' }];
    assert.equal(findRule(rules, { ...ssh, description: undefined })?.ruleId, 'sgr-1');
    assert.equal(findRule(rules, { ...ssh, fromPort: 21 }), undefined);
  });

  it('EC2 names rules in its messages by peer, protocol and ports', () => {
    assert.equal(describeRule(ssh), 'peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW');
    assert.equal(describeRule({ isEgress: false, ipProtocol: '-1', referencedGroupId: 'sg-1' }), 'peer: sg-1, ALL, ALLOW');
    assert.equal(describeRule({ isEgress: false, ipProtocol: 'icmp', fromPort: -1, toPort: -1, cidrIpv4: '0.0.0.0/0' }), 'peer: 0.0.0.0/0, ICMP, type: ALL, code: ALL, ALLOW');
    assert.equal(describeRule({ isEgress: true, ipProtocol: 'icmp', fromPort: 8, toPort: 0, cidrIpv4: '10.0.0.0/8' }), 'peer: 10.0.0.0/8, ICMP, type: 8, code: 0, ALLOW');
  });

  it('rules group into permissions by protocol and ports, peers in order', () => {
    const permissions = toPermissions([
      ssh,
      { isEgress: false, ipProtocol: '-1', referencedGroupId: 'sg-1' },
      { isEgress: false, ipProtocol: 'tcp', fromPort: 22, toPort: 22, cidrIpv6: '::/0' },
      { isEgress: false, ipProtocol: 'tcp', fromPort: 22, toPort: 22, referencedGroupId: 'sg-2', description: 'x' },
    ]);
    assert.deepEqual(permissions, [
      { ipProtocol: 'tcp', fromPort: 22, toPort: 22, ipRanges: [{ cidrIp: '0.0.0.0/0', description: 'a' }], ipv6Ranges: [{ cidrIpv6: '::/0' }], groups: [{ groupId: 'sg-2', description: 'x' }], prefixListIds: [] },
      { ipProtocol: '-1', ipRanges: [], ipv6Ranges: [], groups: [{ groupId: 'sg-1' }], prefixListIds: [] },
    ]);
  });
});
