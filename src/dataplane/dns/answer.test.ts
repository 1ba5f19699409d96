/**
 * Answers decided from the name ports alone: authoritative answers in the namespaces, NXDOMAIN
 * and NODATA with the zone's SOA, CNAME chains, SRV additionals, shuffled multivalue answers,
 * load balancers' names, ANY, and what is forwarded.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Answer, Question, RecordType } from 'dns-packet';
import { RCODE, resolveQuestion, shuffled, type AnswerContext, type OwnAnswer } from './answer.ts';
import { TableDiscoveryNames } from './names.testing.ts';
import type { LoadBalancerNames } from './names.ts';

const names = new TableDiscoveryNames({
  zones: { 'corp.local': 30, 'other.internal': 60 },
  records: {
    'web.corp.local': {
      A: { ttl: 10, records: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }, { address: '10.0.0.3' }] },
      SRV: { ttl: 10, records: [{ priority: 1, weight: 1, port: 8080, target: 't1.web.corp.local' }, { priority: 1, weight: 1, port: 8081, target: 't2.web.corp.local' }] },
    },
    't1.web.corp.local': { A: { ttl: 10, records: [{ address: '10.0.0.1' }] } },
    't2.web.corp.local': { A: { ttl: 10, records: [{ address: '10.0.0.2' }] }, AAAA: { ttl: 10, records: [{ address: 'fd00::2' }] } },
    'alias.corp.local': { CNAME: { ttl: 20, records: [{ target: 'web.corp.local' }] } },
    'alias2.corp.local': { CNAME: { ttl: 20, records: [{ target: 'alias.corp.local' }] } },
    'loop1.corp.local': { CNAME: { ttl: 20, records: [{ target: 'loop2.corp.local' }] } },
    'loop2.corp.local': { CNAME: { ttl: 20, records: [{ target: 'loop1.corp.local' }] } },
    'out.corp.local': { CNAME: { ttl: 20, records: [{ target: 'example.org' }] } },
    'dangling.corp.local': { CNAME: { ttl: 20, records: [{ target: 'nothing.corp.local' }] } },
    'api.other.internal': { A: { ttl: 5, records: [{ address: '10.1.0.9' }] } },
  },
});
const lbName = 'internal-shop-1234.us-east-1.elb.amazonaws.com';
const loadBalancers: LoadBalancerNames = {
  loadBalancerAddresses: (name, client) => (name === lbName ? (client.loopback ? ['127.255.0.7'] : ['10.0.1.20', '10.0.2.20']) : undefined),
};
const ctx = (over: Partial<AnswerContext> = {}): AnswerContext => ({ names, loadBalancers, clientOnLoopback: false, random: () => 0.5, ...over });
const ask = (name: string, type: string, over?: Partial<AnswerContext>) => resolveQuestion({ name, type: type as RecordType, class: 'IN' }, ctx(over));
const answer = (name: string, type: string, over?: Partial<AnswerContext>): OwnAnswer => {
  const r = ask(name, type, over);
  assert.equal(r.kind, 'answer');
  return r as OwnAnswer;
};
const data = (list: Answer[]) => list.map((a) => `${a.name} ${a.type} ${'ttl' in a ? a.ttl : ''} ${'data' in a ? JSON.stringify(a.data) : ''}`);

describe('DNS answers', () => {
  it('answers A records authoritatively with the TTL given, the owner as asked', () => {
    const a = answer('Web.Corp.Local', 'A');
    assert.equal(a.rcode, RCODE.NOERROR);
    assert.equal(a.authoritative, true);
    assert.deepEqual(a.answers.map((r) => [r.name, r.type, 'ttl' in r && r.ttl]), [['Web.Corp.Local', 'A', 10], ['Web.Corp.Local', 'A', 10], ['Web.Corp.Local', 'A', 10]]);
    assert.deepEqual(a.answers.map((r) => ('data' in r ? r.data : '')).sort(), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
  });

  it('shuffles multivalue answers with the randomness given', () => {
    const orders = new Set<string>();
    for (const r of [0, 0.34, 0.67, 0.99]) {
      const seq = [r, 1 - r, r / 2];
      let i = 0;
      orders.add(answer('web.corp.local', 'A', { random: () => seq[i++ % seq.length] }).answers.map((x) => ('data' in x ? x.data : '')).join(','));
    }
    assert.ok(orders.size > 1, 'different randomness gives different orders');
    assert.deepEqual(shuffled([1, 2, 3], () => 0.999), [1, 2, 3]);
    assert.deepEqual(shuffled([1, 2, 3], () => 0), [2, 3, 1]);
  });

  it('NXDOMAIN with the zone SOA for a name in a zone that does not exist', () => {
    const a = answer('missing.corp.local', 'A');
    assert.equal(a.rcode, RCODE.NXDOMAIN);
    assert.deepEqual(a.answers, []);
    assert.equal(a.authorities.length, 1);
    const soa = a.authorities[0];
    assert.equal(soa.type, 'SOA');
    assert.equal(soa.name, 'corp.local');
    assert.equal(soa.type === 'SOA' && soa.ttl, 30);
    assert.equal(soa.type === 'SOA' && soa.data.minimum, 30);
  });

  it('NODATA with the SOA for a name without the type asked, and for types Cloud Map does not keep', () => {
    for (const type of ['AAAA', 'TXT', 'MX']) {
      const a = answer('api.other.internal', type);
      assert.equal(a.rcode, RCODE.NOERROR, type);
      assert.deepEqual(a.answers, [], type);
      assert.deepEqual(a.authorities.map((r) => [r.type, r.name, 'ttl' in r && r.ttl]), [['SOA', 'other.internal', 60]], type);
    }
    assert.equal(answer('other.internal', 'A').rcode, RCODE.NOERROR, 'the apex exists');
    assert.equal(answer('nope.other.internal', 'TXT').rcode, RCODE.NXDOMAIN);
  });

  it('answers SOA at the apex', () => {
    const a = answer('corp.local', 'SOA');
    assert.deepEqual(a.answers.map((r) => [r.type, r.name]), [['SOA', 'corp.local']]);
  });

  it('SRV answers carry their targets\' addresses as additional records', () => {
    const a = answer('web.corp.local', 'SRV');
    assert.equal(a.answers.length, 2);
    assert.deepEqual(data(a.additionals).sort(), [
      't1.web.corp.local A 10 "10.0.0.1"', 't2.web.corp.local A 10 "10.0.0.2"', 't2.web.corp.local AAAA 10 "fd00::2"',
    ]);
  });

  it('chases CNAMEs inside the zones', () => {
    const a = answer('alias2.corp.local', 'A');
    assert.equal(a.rcode, RCODE.NOERROR);
    assert.deepEqual(a.answers.slice(0, 2).map((r) => [r.name, r.type, 'data' in r ? r.data : '']), [
      ['alias2.corp.local', 'CNAME', 'alias.corp.local'], ['alias.corp.local', 'CNAME', 'web.corp.local'],
    ]);
    assert.equal(a.answers.slice(2).filter((r) => r.type === 'A' && r.name === 'web.corp.local').length, 3);
    assert.deepEqual(data(answer('alias.corp.local', 'CNAME').answers), ['alias.corp.local CNAME 20 "web.corp.local"']);
  });

  it('a chain to a missing name is NXDOMAIN with its CNAMEs; a loop is SERVFAIL; a chain leaving the zones is handed back', () => {
    const dangling = answer('dangling.corp.local', 'A');
    assert.equal(dangling.rcode, RCODE.NXDOMAIN);
    assert.equal(dangling.answers.length, 1);
    assert.equal(answer('loop1.corp.local', 'A').rcode, RCODE.SERVFAIL);
    const out = answer('out.corp.local', 'A');
    assert.equal(out.chaseOutside, 'example.org');
    assert.deepEqual(data(out.answers), ['out.corp.local CNAME 20 "example.org"']);
  });

  it('load balancers\' names: subnet addresses for tasks, the loopback address on loopback, dualstack too', () => {
    assert.deepEqual(answer(lbName, 'A').answers.map((r) => ('data' in r ? r.data : '')).sort(), ['10.0.1.20', '10.0.2.20']);
    assert.deepEqual(answer(lbName.toUpperCase(), 'A', { clientOnLoopback: true }).answers.map((r) => [r.name, 'data' in r ? r.data : '']), [[lbName.toUpperCase(), '127.255.0.7']]);
    assert.equal(answer(`dualstack.${lbName}`, 'A').answers.length, 2);
    const aaaa = answer(lbName, 'AAAA');
    assert.equal(aaaa.rcode, RCODE.NOERROR);
    assert.deepEqual(aaaa.answers, []);
    assert.equal(aaaa.authorities[0].type, 'SOA');
  });

  it('ANY: one RRset in the zones, refused elsewhere; other classes refused; other names forwarded', () => {
    assert.equal(answer('web.corp.local', 'ANY').answers.every((r) => r.type === 'A'), true);
    assert.equal(answer('example.org', 'ANY').rcode, RCODE.REFUSED);
    const chaos: Question = { name: 'version.bind', type: 'TXT', class: 'CH' };
    assert.equal((resolveQuestion(chaos, ctx()) as OwnAnswer).rcode, RCODE.REFUSED);
    assert.deepEqual(ask('example.org', 'A'), { kind: 'forward' });
    assert.deepEqual(ask('other-1.us-east-1.elb.amazonaws.com', 'A'), { kind: 'forward' });
  });
});
