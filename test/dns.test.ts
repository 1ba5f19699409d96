/**
 * Wharf's DNS server on loopback, asked by Node's resolver (c-ares: UDP, then TCP when a reply
 * is truncated) and by a dns-packet client over UDP and TCP: namespace names (A, SRV with its
 * additionals, NXDOMAIN and NODATA with the SOA, CNAME), a load balancer's name, names forwarded
 * to a fake upstream resolver on loopback (cached, ids rewritten, TCP after a truncated reply,
 * SERVFAIL after a silent one), truncation to 512 bytes, and malformed input. `dig` is used too
 * when installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as dnsPromises } from 'node:dns';
import { decode, type Answer, type RecordType } from 'dns-packet';
import { DnsServer, LbView, LbViewNames, type DiscoveryNames } from '../src/dataplane/index.ts';
import { keys } from '../src/lb/index.ts';
import { SqliteStore, transact } from '../src/state/index.ts';
import { ManualClock } from '../src/common/index.ts';
import { TableDiscoveryNames, loadBalancerRecord } from '../src/dataplane/dns/names.testing.ts';
import { FakeUpstream, frame, queryMessage, tcpExchange, udpExchange } from '../src/dataplane/dns/wire.testing.ts';

const HOST = '127.0.0.1';
const many = Array.from({ length: 60 }, (_, i) => ({ address: `10.9.${i >> 8}.${i & 255}` }));
const names = new TableDiscoveryNames({
  zones: { 'corp.local': 45 },
  records: {
    'web.corp.local': {
      A: { ttl: 10, records: [{ address: '10.0.0.1' }, { address: '10.0.0.2' }] },
      SRV: { ttl: 10, records: [{ priority: 1, weight: 1, port: 8080, target: 't1.web.corp.local' }, { priority: 1, weight: 1, port: 8081, target: 't2.web.corp.local' }] },
    },
    't1.web.corp.local': { A: { ttl: 10, records: [{ address: '10.0.0.1' }] } },
    't2.web.corp.local': { A: { ttl: 10, records: [{ address: '10.0.0.2' }] } },
    'alias.corp.local': { CNAME: { ttl: 20, records: [{ target: 'web.corp.local' }] } },
    'outside.corp.local': { CNAME: { ttl: 20, records: [{ target: 'www.example.test' }] } },
    'many.corp.local': { A: { ttl: 10, records: many } },
  },
});
/** The names served: the table, but one name whose lookup throws (a broken port). */
const served: DiscoveryNames = {
  answer: (name, type) => {
    if (name === 'boom.corp.local') throw new Error('the records could not be read');
    return names.answer(name, type);
  },
  zoneOf: (name) => names.zoneOf(name),
};
const upstreamA = (name: string, address: string, ttl = 300): Answer => ({ name, type: 'A', class: 'IN', ttl, data: address });
const upstreamSoa: Answer = { name: 'example.test', type: 'SOA', class: 'IN', ttl: 60, data: { mname: 'ns.example.test', rname: 'h.example.test', serial: 1, refresh: 1, retry: 1, expire: 1, minimum: 60 } };
const upstream = new FakeUpstream((q, transport) => {
  const name = q.name.toLowerCase();
  if ((name === 'www.example.test' || name === 'api.example.test') && q.type === 'A') return { answers: [upstreamA(q.name, '192.0.2.10')] };
  if (name === 'big.example.test' && q.type === 'A') {
    return transport === 'udp' ? { truncated: true } : { answers: Array.from({ length: 40 }, (_, i) => upstreamA(q.name, `192.0.2.${i + 1}`)) };
  }
  if (name === 'silent.example.test') return undefined;
  return { rcode: 3, authorities: [upstreamSoa] };
});
const lb = loadBalancerRecord();
let store: SqliteStore;
let view: LbView;
let server: DnsServer;
let port: number;
const resolver = () => {
  const r = new dnsPromises.Resolver({ timeout: 3000, tries: 1 });
  r.setServers([`${HOST}:${port}`]);
  return r;
};
const rejectsWith = async (promise: Promise<unknown>, code: string) => assert.rejects(promise, (e: NodeJS.ErrnoException) => e.code === code);
const udp = async (message: Buffer) => decode((await udpExchange(HOST, port, message))!);
const tcp = async (message: Buffer) => decode((await tcpExchange(HOST, port, [frame(message)])).replies[0]);

before(async () => {
  await upstream.start();
  store = SqliteStore.open(':memory:');
  view = new LbView(store, (e) => console.error(e));
  await view.start();
  await transact(store, async (tx) => tx.put(keys.loadBalancer({ account: '123456789012', region: 'us-east-1' }, lb.id), lb));
  while (!view.loadBalancerNamed(lb.dnsName)) await new Promise((r) => setTimeout(r, 10));
  server = new DnsServer({
    names: served, loadBalancers: new LbViewNames(view), upstreams: [{ address: HOST, port: upstream.port }], forwardTimeoutMs: 300, random: () => 0.5,
  });
  ({ port } = await server.listen(HOST, 0));
});

after(async () => {
  await server?.close();
  await upstream.stop();
  view?.close();
  store?.close();
});

describe('DNS server: namespaces', () => {
  it('A through Node\'s resolver, with TTLs as given', async () => {
    const found = await resolver().resolve4('web.corp.local', { ttl: true });
    assert.deepEqual(found.map((a) => a.address).sort(), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(found.map((a) => a.ttl), [10, 10]);
  });

  for (const transport of ['udp', 'tcp'] as const) {
    const ask = (message: Buffer) => (transport === 'udp' ? udp(message) : tcp(message));
    it(`${transport}: authoritative A, the question echoed as asked`, async () => {
      const reply = await ask(queryMessage('WeB.CoRp.LoCaL', 'A'));
      assert.equal(reply.id, 4242);
      assert.equal(reply.flag_aa, true);
      assert.deepEqual(reply.questions, [{ name: 'WeB.CoRp.LoCaL', type: 'A', class: 'IN' }]);
      assert.equal(reply.answers?.length, 2);
    });

    it(`${transport}: SRV with the targets' A records as additionals`, async () => {
      const reply = await ask(queryMessage('web.corp.local', 'SRV'));
      assert.deepEqual(reply.answers?.map((a) => a.type === 'SRV' && `${a.data.port} ${a.data.target}`).sort(), ['8080 t1.web.corp.local', '8081 t2.web.corp.local']);
      assert.deepEqual(reply.additionals?.map((a) => a.type === 'A' && `${a.name} ${a.data}`).sort(), ['t1.web.corp.local 10.0.0.1', 't2.web.corp.local 10.0.0.2']);
    });

    it(`${transport}: NXDOMAIN and NODATA carry the zone's SOA`, async () => {
      const nx = await ask(queryMessage('gone.corp.local', 'A'));
      assert.equal((nx.flags ?? 0) & 0xf, 3);
      assert.equal(nx.flag_aa, true);
      assert.deepEqual(nx.authorities?.map((a) => [a.type, a.name, a.type === 'SOA' && a.ttl]), [['SOA', 'corp.local', 45]]);
      const nodata = await ask(queryMessage('web.corp.local', 'AAAA'));
      assert.equal((nodata.flags ?? 0) & 0xf, 0);
      assert.deepEqual(nodata.answers, []);
      assert.deepEqual(nodata.authorities?.map((a) => a.type), ['SOA']);
    });
  }

  it('SRV, NXDOMAIN, NODATA and CNAME through Node\'s resolver', async () => {
    const r = resolver();
    assert.deepEqual((await r.resolveSrv('web.corp.local')).map((s) => `${s.name}:${s.port}`).sort(), ['t1.web.corp.local:8080', 't2.web.corp.local:8081']);
    await rejectsWith(r.resolve4('gone.corp.local'), 'ENOTFOUND');
    await rejectsWith(r.resolve6('web.corp.local'), 'ENODATA');
    assert.deepEqual(await r.resolveCname('alias.corp.local'), ['web.corp.local']);
    assert.deepEqual((await r.resolve4('alias.corp.local')).sort(), ['10.0.0.1', '10.0.0.2'], 'the chain chased to the addresses');
  });

  it('a CNAME leaving the namespaces is completed from upstream', async () => {
    const reply = await udp(queryMessage('outside.corp.local', 'A'));
    assert.deepEqual(reply.answers?.map((a) => `${a.type} ${a.type === 'A' || a.type === 'CNAME' ? a.data : ''}`), ['CNAME www.example.test', 'A 192.0.2.10']);
  });
});

describe('DNS server: load balancers', () => {
  it('a load balancer\'s name resolves to its loopback address for a loopback client', async () => {
    assert.deepEqual(await resolver().resolve4(lb.dnsName), ['127.255.0.7']);
    assert.deepEqual(await resolver().resolve4(`dualstack.${lb.dnsName}`), ['127.255.0.7']);
  });
});

describe('DNS server: forwarding', () => {
  it('forwards to the upstream with the id rewritten and restored, then answers from its cache', async () => {
    const before = upstream.received.length;
    const reply = await udp(queryMessage('API.example.test', 'A', { id: 4242 }));
    assert.equal(reply.id, 4242);
    assert.deepEqual(reply.answers?.map((a) => a.type === 'A' && a.data), ['192.0.2.10']);
    const sent = upstream.received.slice(before);
    assert.equal(sent.length, 1);
    assert.notEqual(sent[0].id, 4242, 'the upstream saw an id of our own');
    assert.deepEqual(await resolver().resolve4('api.example.test'), ['192.0.2.10']);
    const cached = await tcp(queryMessage('api.EXAMPLE.test', 'A', { id: 7 }));
    assert.equal(cached.id, 7);
    assert.deepEqual(cached.questions?.[0].name, 'api.EXAMPLE.test');
    assert.deepEqual(cached.answers?.map((a) => a.type === 'A' && a.data), ['192.0.2.10']);
    assert.equal(upstream.received.length, before + 1, 'the cache answered the rest');
  });

  it('NXDOMAIN from upstream is passed on (and cached)', async () => {
    await rejectsWith(resolver().resolve4('nothing.example.test'), 'ENOTFOUND');
    const count = upstream.received.length;
    await rejectsWith(resolver().resolve4('nothing.example.test'), 'ENOTFOUND');
    assert.equal(upstream.received.length, count);
  });

  it('a truncated upstream reply is asked again over TCP; the client gets all of it', async () => {
    const found = await resolver().resolve4('big.example.test');
    assert.equal(found.length, 40);
    assert.deepEqual(upstream.received.filter((q) => q.name === 'big.example.test').map((q) => q.transport).slice(0, 2), ['udp', 'tcp']);
  });

  it('an upstream that does not answer gives SERVFAIL', async () => {
    const reply = await udp(queryMessage('silent.example.test', 'A'));
    assert.equal((reply.flags ?? 0) & 0xf, 2);
    await rejectsWith(resolver().resolve4('silent.example.test'), 'ESERVFAIL');
  });
});

describe('DNS server: limits and robustness', () => {
  it('over 512 bytes without EDNS0: TC set over UDP; whole over TCP and with EDNS0 4096; Node\'s resolver gets all', async () => {
    const truncated = await udp(queryMessage('many.corp.local', 'A'));
    assert.equal(truncated.flag_tc, true);
    assert.deepEqual(truncated.answers, []);
    assert.equal((await tcp(queryMessage('many.corp.local', 'A'))).answers?.length, 60);
    const edns = await udp(queryMessage('many.corp.local', 'A', { edns: 4096 }));
    assert.equal(edns.flag_tc, false);
    assert.equal(edns.answers?.length, 60);
    assert.equal((await resolver().resolve4('many.corp.local')).length, 60);
  });

  it('queries per source are bounded: past the burst, TCP queries are REFUSED until time refills it', async () => {
    const clock = new ManualClock();
    const limited = new DnsServer({ names, upstreams: [], clock, rateLimit: { perSecond: 1, burst: 2 } });
    const { port: limitedPort } = await limited.listen(HOST, 0);
    try {
      const ask = async () => (decode((await tcpExchange(HOST, limitedPort, [frame(queryMessage('web.corp.local', 'A'))])).replies[0]).flags ?? 0) & 0xf;
      assert.deepEqual([await ask(), await ask(), await ask()], [0, 0, 5]);
      clock.advance(1000);
      assert.equal(await ask(), 0);
    } finally {
      await limited.close();
    }
  });

  it('ANY is refused outside the namespaces', async () => {
    const reply = await udp(queryMessage('www.example.test', 'ANY' as RecordType));
    assert.equal((reply.flags ?? 0) & 0xf, 5);
  });

  it('malformed UDP datagrams are dropped; the server still answers', async () => {
    for (const junk of [Buffer.from('hello'), Buffer.alloc(12, 0xff), Buffer.concat([queryMessage('web.corp.local', 'A').subarray(0, 20)])]) {
      assert.equal(await udpExchange(HOST, port, junk, 200), undefined);
    }
    assert.equal((await udp(queryMessage('web.corp.local', 'A'))).answers?.length, 2);
  });

  it('a port that throws gives SERVFAIL, over UDP and TCP', async () => {
    assert.equal(((await udp(queryMessage('boom.corp.local', 'A'))).flags ?? 0) & 0xf, 2);
    assert.equal(((await tcp(queryMessage('boom.corp.local', 'A'))).flags ?? 0) & 0xf, 2);
  });

  it('malformed TCP input closes the connection; the server still answers', async () => {
    const good = frame(queryMessage('web.corp.local', 'A'));
    const bad = await tcpExchange(HOST, port, [good, frame(Buffer.alloc(30, 0xff))], 2);
    assert.equal(bad.closed, true);
    assert.equal(bad.replies.length, 1, 'the good query before it was answered');
    assert.equal((await tcpExchange(HOST, port, [frame(Buffer.alloc(3))], 1)).closed, true, 'a frame too short for a header');
    const pipelined = await tcpExchange(HOST, port, [good, frame(queryMessage('web.corp.local', 'SRV'))]);
    assert.equal(pipelined.replies.length, 2);
  });
});

describe('DNS server: dig', async () => {
  const dig = await new Promise<boolean>((resolve) => execFile('dig', ['-v'], (error) => resolve(!error)));
  it('A and SRV over UDP and TCP', { skip: dig ? false : 'dig is not installed' }, async () => {
    const run = (...args: string[]) => new Promise<string>((resolve, reject) => execFile('dig', [`@${HOST}`, '-p', String(port), '+short', ...args], (e, out) => (e ? reject(e) : resolve(out))));
    assert.deepEqual((await run('web.corp.local', 'A')).trim().split('\n').sort(), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual((await run('+tcp', 'web.corp.local', 'A')).trim().split('\n').sort(), ['10.0.0.1', '10.0.0.2']);
    assert.equal((await run('web.corp.local', 'SRV')).trim().split('\n').length, 2);
  });
});
