/**
 * The tasks' resolver relays to the control plane's DNS server (a fake one on loopback here):
 * each UDP query answered to the client that asked under the id it asked with (two clients using
 * one id get their own answers), TCP queries carried over a connection of their own.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decode } from 'dns-packet';
import { FakeUpstream, frame, queryMessage, tcpExchange, udpExchange } from '../src/dataplane/dns/wire.testing.ts';
import { serveTaskDns, type ServedTaskDns } from '../src/agent/task-dns.ts';

const server = new FakeUpstream((q) => ({ answers: [{ name: q.name, type: 'A', class: 'IN', ttl: 5, data: q.name.startsWith('b') ? '10.0.0.2' : '10.0.0.1' }] }));
let relay: ServedTaskDns;

before(async () => {
  const port = await server.start();
  const served = await serveTaskDns({ server: { address: '127.0.0.1', port }, log: () => undefined }, { address: '127.0.0.1', port: 0 });
  assert.ok(served);
  relay = served;
});

after(async () => {
  await relay?.close();
  await server.stop();
});

const addressOf = (reply: Buffer | undefined) => (decode(reply!).answers![0] as { data: string }).data;

describe("the tasks' resolver", () => {
  it('relays UDP queries and answers each client under its own id', async () => {
    const [a, b] = await Promise.all([
      udpExchange(relay.address, relay.port, queryMessage('a.klp.local', 'A', { id: 4242 })),
      udpExchange(relay.address, relay.port, queryMessage('b.klp.local', 'A', { id: 4242 })),
    ]);
    assert.equal(decode(a!).id, 4242);
    assert.equal(decode(b!).id, 4242);
    assert.equal(addressOf(a), '10.0.0.1');
    assert.equal(addressOf(b), '10.0.0.2');
    const ids = server.received.filter((q) => q.transport === 'udp').map((q) => q.id);
    assert.equal(new Set(ids).size, ids.length, 'the server saw the relay\'s own ids, each once');
  });

  it('relays TCP queries, several on one connection', async () => {
    const { replies } = await tcpExchange(relay.address, relay.port, [frame(queryMessage('a.klp.local', 'A', { id: 1 })), frame(queryMessage('b.klp.local', 'A', { id: 2 }))]);
    assert.deepEqual(replies.map((r) => [decode(r).id, addressOf(r)]).sort(), [[1, '10.0.0.1'], [2, '10.0.0.2']]);
    assert.ok(server.received.some((q) => q.transport === 'tcp'));
  });
});
