/**
 * renderFirewall's text: the replace-the-table idiom, the fixed preamble of each chain, one nft
 * rule per rule and address family, the protocol and port forms, and refusals that name the
 * field. (task-firewall.netns.test.ts loads the scripts into a real kernel.)
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FirewallRule, TaskFirewall } from '../common/index.ts';
import { FIREWALL_TABLE, renderFirewall } from './task-firewall.ts';

/** The rules a chain adds after its fixed preamble, trimmed. */
function rulesOf(script: string, chain: 'input' | 'output'): string[] {
  const lines = script.split('\n').map((l) => l.trim());
  const start = lines.indexOf(`chain ${chain} {`);
  assert.ok(start >= 0, `chain ${chain} present`);
  const end = lines.indexOf('}', start);
  // Past the fixed preamble (and, in output, the task endpoints' and the resolver's rules).
  return lines.slice(start + (chain === 'output' ? 9 : 6), end);
}

const ingressOnly = (...rules: FirewallRule[]): TaskFirewall => ({ ingress: rules, egress: [] });
const ingressRules = (...rules: FirewallRule[]) => rulesOf(renderFirewall(ingressOnly(...rules)), 'input');

describe('renderFirewall', () => {
  it('replaces the table atomically: ensure it exists, delete it, declare it anew, in one script', () => {
    const script = renderFirewall({ ingress: [], egress: [] });
    const lines = script.split('\n');
    assert.equal(FIREWALL_TABLE, 'inet wharf_task');
    assert.deepEqual(lines.slice(0, 3), ['table inet wharf_task', 'delete table inet wharf_task', 'table inet wharf_task {']);
    assert.equal(lines.filter((l) => /^table /.test(l)).length, 2);
    assert.ok(script.endsWith('}\n'));
  });

  it('both chains drop by default, after loopback, replies, invalid packets, IPv6 neighbour discovery and (out) the task endpoints', () => {
    const lines = renderFirewall({ ingress: [], egress: [] }).split('\n').map((l) => l.trim());
    const input = lines.indexOf('chain input {');
    assert.deepEqual(lines.slice(input, input + 7), [
      'chain input {',
      'type filter hook input priority 0; policy drop;',
      'iif "lo" accept',
      'ct state established,related accept',
      'ct state invalid drop',
      'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-advert } accept',
      '}',
    ]);
    const output = lines.indexOf('chain output {');
    assert.deepEqual(lines.slice(output, output + 9), [
      'chain output {',
      'type filter hook output priority 0; policy drop;',
      'oif "lo" accept',
      'ct state established,related accept',
      'ct state invalid drop',
      'icmpv6 type { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, mld2-listener-report } accept',
      'ip daddr 169.254.170.2 tcp dport 80 accept',
      'ip daddr 169.254.169.253 udp dport 53 accept',
      'ip daddr 169.254.169.253 tcp dport 53 accept',
    ]);
  });

  it('ingress matches the source, egress the destination, each in its own chain', () => {
    const script = renderFirewall({
      ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: ['10.0.0.0/16', '10.1.0.5'] }],
      egress: [{ protocol: 'udp', fromPort: 53, toPort: 53, cidrs: ['10.0.0.2'] }],
    });
    assert.deepEqual(rulesOf(script, 'input'), ['ip saddr { 10.0.0.0/16, 10.1.0.5 } tcp dport 80 accept']);
    assert.deepEqual(rulesOf(script, 'output'), ['ip daddr { 10.0.0.2 } udp dport 53 accept']);
  });

  it('splits a rule into one nft rule per address family, IPv6 printed canonically', () => {
    assert.deepEqual(ingressRules({ protocol: 'tcp', fromPort: 443, toPort: 443, cidrs: ['10.0.0.0/16', '2001:DB8:0:0::/64', '10.2.0.0/16'] }), [
      'ip saddr { 10.0.0.0/16, 10.2.0.0/16 } tcp dport 443 accept',
      'ip6 saddr { 2001:db8::/64 } tcp dport 443 accept',
    ]);
    assert.deepEqual(ingressRules({ protocol: 'all', cidrs: ['2001:0db8:0000:0000:0001:0000:0000:0001/128', 'fe80::/10'] }), [
      'ip6 saddr { 2001:db8::1:0:0:1, fe80::/10 } accept',
    ]);
  });

  it('the whole address space of a family is `meta nfproto`, with no address set', () => {
    assert.deepEqual(ingressRules({ protocol: 'tcp', fromPort: 22, toPort: 22, cidrs: ['0.0.0.0/0', '10.0.0.0/8', '::/0'] }), [
      'meta nfproto ipv4 tcp dport 22 accept',
      'meta nfproto ipv6 tcp dport 22 accept',
    ]);
  });

  it('clears host bits, drops duplicates and blocks inside another, and sorts by address', () => {
    assert.deepEqual(ingressRules({ protocol: 'all', cidrs: ['10.0.1.5', '10.9.9.9/16', '10.0.0.0/16', '10.0.1.5/32', '10.9.0.0/16', '10.0.1.0/24', '2001:db8::1/32'] }), [
      'ip saddr { 10.0.0.0/16, 10.9.0.0/16 } accept',
      'ip6 saddr { 2001:db8::/32 } accept',
    ]);
  });

  it('a rule with no CIDRs renders nothing', () => {
    assert.deepEqual(ingressRules({ protocol: 'tcp', fromPort: 80, toPort: 80, cidrs: [] }), []);
  });

  it('tcp and udp: one port, a range, or all ports (absent or -1)', () => {
    const cidrs = ['10.0.0.1'];
    assert.deepEqual(ingressRules(
      { protocol: 'tcp', fromPort: 8080, toPort: 8080, cidrs },
      { protocol: 'tcp', fromPort: 8000, toPort: 9000, cidrs },
      { protocol: 'udp', fromPort: -1, toPort: -1, cidrs },
      { protocol: 'tcp', cidrs },
      { protocol: 'UDP', fromPort: 0, toPort: 65535, cidrs },
    ), [
      'ip saddr { 10.0.0.1 } tcp dport 8080 accept',
      'ip saddr { 10.0.0.1 } tcp dport 8000-9000 accept',
      'ip saddr { 10.0.0.1 } meta l4proto udp accept',
      'ip saddr { 10.0.0.1 } meta l4proto tcp accept',
      'ip saddr { 10.0.0.1 } udp dport 0-65535 accept',
    ]);
  });

  it('all (and -1) has no layer-4 match; ports on it are ignored', () => {
    assert.deepEqual(ingressRules({ protocol: 'all', fromPort: 80, toPort: 80, cidrs: ['10.0.0.1'] }, { protocol: '-1', cidrs: ['10.0.0.2'] }), [
      'ip saddr { 10.0.0.1 } accept',
      'ip saddr { 10.0.0.2 } accept',
    ]);
  });

  it('icmp: fromPort is the type, toPort the code, -1 any; IPv4 only', () => {
    const cidrs = ['10.0.0.0/8', 'fd00::/8'];
    assert.deepEqual(ingressRules(
      { protocol: 'icmp', fromPort: 8, toPort: -1, cidrs },
      { protocol: 'icmp', fromPort: 3, toPort: 4, cidrs },
      { protocol: 'icmp', fromPort: -1, toPort: -1, cidrs },
      { protocol: 'icmp', cidrs: ['fd00::/8'] },
    ), [
      'ip saddr { 10.0.0.0/8 } icmp type 8 accept',
      'ip saddr { 10.0.0.0/8 } icmp type 3 icmp code 4 accept',
      'ip saddr { 10.0.0.0/8 } meta l4proto 1 accept',
    ]);
  });

  it('icmpv6 likewise, IPv6 only', () => {
    const cidrs = ['10.0.0.0/8', 'fd00::/8'];
    assert.deepEqual(ingressRules(
      { protocol: 'icmpv6', fromPort: 128, cidrs },
      { protocol: 'icmpv6', fromPort: 1, toPort: 3, cidrs },
      { protocol: 'icmpv6', cidrs },
    ), [
      'ip6 saddr { fd00::/8 } icmpv6 type 128 accept',
      'ip6 saddr { fd00::/8 } icmpv6 type 1 icmpv6 code 3 accept',
      'ip6 saddr { fd00::/8 } meta l4proto 58 accept',
    ]);
  });

  it('protocol numbers: 6, 17, 1 and 58 are tcp, udp, icmp and icmpv6 (ports apply); others are `meta l4proto N`', () => {
    const cidrs = ['10.0.0.1', 'fd00::1'];
    assert.deepEqual(ingressRules(
      { protocol: '6', fromPort: 80, toPort: 80, cidrs: ['10.0.0.1'] },
      { protocol: '47', fromPort: 80, toPort: 90, cidrs },
      { protocol: '0', cidrs: ['10.0.0.1'] },
      { protocol: '255', cidrs: ['10.0.0.1'] },
    ), [
      'ip saddr { 10.0.0.1 } tcp dport 80 accept',
      'ip saddr { 10.0.0.1 } meta l4proto 47 accept',
      'ip6 saddr { fd00::1 } meta l4proto 47 accept',
      'ip saddr { 10.0.0.1 } meta l4proto 0 accept',
      'ip saddr { 10.0.0.1 } meta l4proto 255 accept',
    ]);
  });

  it('parses IPv6 forms: ::, embedded IPv4, a trailing ::, and refuses the malformed', () => {
    assert.deepEqual(ingressRules({ protocol: 'all', cidrs: ['::1', '1:2:3:4:5:6:7::', '::ffff:192.0.2.1', '1:0:0:2:0:0:0:3'] }), [
      'ip6 saddr { ::1, ::ffff:c000:201, 1:0:0:2::3, 1:2:3:4:5:6:7:0 } accept',
    ]);
    for (const bad of [':::', '1::2::3', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7', '::1:2:3:4:5:6:7:8', '12345::', ':1::', '1.2.3.4::', 'fe80::1%eth0', '::ffff:1.2.3']) {
      assert.throws(() => ingressRules({ protocol: 'all', cidrs: [bad] }), /ingress\[0\]\.cidrs\[0\]: .* is not an IPv4 or IPv6 CIDR block/, bad);
    }
  });

  describe('refuses what it cannot render safely, naming the field', () => {
    const refuses = (firewall: unknown, pattern: RegExp) => assert.throws(() => renderFirewall(firewall as TaskFirewall), pattern);

    it('CIDRs', () => {
      const bad = ['10.0.0.0/33', '10.0.0.256', '10.0.0', '010.0.0.1', '10.0.0.1/08', '10.0.0.1/', '10.0.0.1/8/8', '::/129', '', ' 10.0.0.1',
        '10.0.0.1 } accept', '10.0.0.1; flush ruleset', '10.0.0.1\n', 'example.com', '0x0a.0.0.1', '10.0.0.1/-1'];
      for (const cidr of bad) refuses({ ingress: [], egress: [{ protocol: 'all', cidrs: ['10.0.0.1', cidr] }] }, /^Error: egress\[0\]\.cidrs\[1\]: .* is not an IPv4 or IPv6 CIDR block$/);
      refuses({ ingress: [{ protocol: 'all', cidrs: [42] }], egress: [] }, /ingress\[0\]\.cidrs\[0\]: 42 is not/);
      refuses({ ingress: [{ protocol: 'all', cidrs: '10.0.0.1' }], egress: [] }, /ingress\[0\]\.cidrs: must be a list/);
    });

    it('protocols', () => {
      for (const protocol of ['sctp', '256', '-2', '1.5', '06', 'tcp ', 'tcp; flush ruleset', '', 6]) {
        refuses({ ingress: [{ protocol, cidrs: ['10.0.0.1'] }], egress: [] }, /^Error: ingress\[0\]\.protocol: .* is not all, tcp, udp, icmp, icmpv6 or an IP protocol number 0-255$/);
      }
    });

    it('ports, ICMP types and codes', () => {
      const rule = (r: object) => ({ ingress: [{ protocol: 'tcp', cidrs: ['10.0.0.1'], ...r }], egress: [] });
      refuses(rule({ fromPort: 65536, toPort: 65536 }), /ingress\[0\]\.fromPort: 65536 is not a port/);
      refuses(rule({ fromPort: 80, toPort: 1.5 }), /ingress\[0\]\.toPort: 1\.5 is not a port/);
      refuses(rule({ fromPort: '80', toPort: 80 }), /ingress\[0\]\.fromPort: "80" is not a port/);
      refuses(rule({ fromPort: -2, toPort: 80 }), /ingress\[0\]\.fromPort: -2/);
      refuses(rule({ fromPort: 90, toPort: 80 }), /ingress\[0\]\.toPort: 80 is below fromPort 90/);
      refuses(rule({ fromPort: 80 }), /ingress\[0\]\.toPort: required when fromPort is given/);
      refuses(rule({ toPort: 80 }), /ingress\[0\]\.fromPort: required when toPort is given/);
      refuses(rule({ protocol: 'icmp', fromPort: 256, toPort: -1 }), /ingress\[0\]\.fromPort: 256 is not an ICMP type/);
      refuses(rule({ protocol: 'icmpv6', fromPort: 1, toPort: 300 }), /ingress\[0\]\.toPort: 300 is not an ICMP code/);
      refuses(rule({ protocol: 'icmp', fromPort: -1, toPort: 4 }), /ingress\[0\]\.toPort: an ICMP code needs an ICMP type/);
      refuses(rule({ protocol: 'all', fromPort: 'x' }), /ingress\[0\]\.fromPort: "x" is not a port/);
    });

    it('shapes', () => {
      refuses(undefined, /^Error: firewall: must be an object/);
      refuses({ ingress: [] }, /^Error: egress: must be a list of rules/);
      refuses({ ingress: [null], egress: [] }, /^Error: ingress\[0\]: must be a rule object/);
    });
  });
});
