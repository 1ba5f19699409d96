/**
 * The processes `bench/dns.ts` measures, in one child of their own: Wharf's DNS server (a table
 * of namespace names, forwarding to the fake upstream) and the fake upstream resolver, both on
 * 127.0.0.1. Prints `{"dns":<port>,"upstream":<port>}` once both listen; stops on SIGTERM.
 */
import { DnsServer } from '../../src/dataplane/index.ts';
import { TableDiscoveryNames, type DiscoveryTable } from '../../src/dataplane/dns/names.testing.ts';
import { FakeUpstream } from '../../src/dataplane/dns/wire.testing.ts';

const NAMES = Number(process.env.NAMES ?? 100);
const table: DiscoveryTable = { zones: { 'bench.local': 60 }, records: {} };
for (let i = 0; i < NAMES; i++) {
  table.records[`svc-${i}.bench.local`] = { A: { ttl: 60, records: [{ address: `10.0.${i >> 8}.${i & 255}` }, { address: `10.1.${i >> 8}.${i & 255}` }, { address: `10.2.${i >> 8}.${i & 255}` }] } };
}
const upstream = new FakeUpstream((q) => ({
  answers: ['10.8', '10.9', '10.10'].map((p) => ({ name: q.name, type: 'A' as const, class: 'IN' as const, ttl: 600, data: `${p}.0.1` })),
}));
const upstreamPort = await upstream.start();
const server = new DnsServer({ names: new TableDiscoveryNames(table), upstreams: [{ address: '127.0.0.1', port: upstreamPort }], rateLimit: false });
const { port } = await server.listen('127.0.0.1', 0);
process.stdout.write(`${JSON.stringify({ dns: port, upstream: upstreamPort })}\n`);
process.once('SIGTERM', () => void Promise.all([server.close(), upstream.stop()]).then(() => process.exit(0)));
