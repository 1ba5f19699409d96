/**
 * Network load balancer forwarding on loopback, in front of echo servers of the test's own:
 * TCP flows spliced both ways (a 20 MiB round trip with checksums, backpressure holding the
 * proxy's buffers bounded against a reader that does not read, half-close, resets for no target,
 * a refusing target, a silent target and an idle flow, resets passed through), the PROXY protocol
 * v2 header against the specification's layout; UDP flows (one per client, sticky, replies from
 * the listener's port, idle expiry closing the upstream socket, the flow bound evicting the least
 * recently active), and TCP_UDP on one port.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { encodeProxyV2, ipv6Bytes, PROXY_V2_SIGNATURE } from './proxy-protocol.ts';
import { TcpListenerProxy, resetByLoadBalancer, type TcpFlowRecord, type TcpListenerProxyOptions, type TcpRoute } from './tcp.ts';
import { UdpListenerProxy, type UdpFlowRecord, type UdpListenerProxyOptions } from './udp.ts';
import { TcpUdpListenerProxy } from './tcp-udp.ts';

const LOCAL = '127.0.0.1';
const MiB = 1024 * 1024;
const closers: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(condition(), `timed out waiting for ${what}`);
}

/** A TCP server on loopback; `onSocket` does what the target does with each connection. */
async function tcpServer(onSocket: (socket: net.Socket) => void): Promise<{ port: number; sockets: net.Socket[] }> {
  const sockets: net.Socket[] = [];
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((r) => server.listen(0, LOCAL, r));
  closers.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise((r) => server.close(r));
  });
  return { port: (server.address() as net.AddressInfo).port, sockets };
}

const echo = () => tcpServer((socket) => socket.pipe(socket));

async function tcpProxy(o: Partial<TcpListenerProxyOptions> & Pick<TcpListenerProxyOptions, 'route'>) {
  const records: TcpFlowRecord[] = [];
  const proxy = new TcpListenerProxy({ ...o, onConnection: (r) => records.push(r) });
  const port = await proxy.listen(LOCAL, 0);
  closers.push(() => proxy.close());
  return { proxy, port, records };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: LOCAL, port, allowHalfOpen: true }, () => resolve(socket));
    socket.once('error', reject);
    closers.push(() => void socket.destroy());
  });
}

/** Everything the socket reads until its end, or the error that ended it. */
function readAll(socket: net.Socket): Promise<{ data: Buffer; error?: NodeJS.ErrnoException }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => resolve({ data: Buffer.concat(chunks) }));
    socket.once('error', (error) => resolve({ data: Buffer.concat(chunks), error }));
  });
}

/**
 * Connects (writing `first` if given) and expects the proxy's reset: ECONNRESET, whether it lands
 * before the client's connect completes or on its first read, and no byte received.
 */
async function resetSeen(port: number, first?: string): Promise<void> {
  const socket = net.connect({ host: LOCAL, port, allowHalfOpen: true });
  closers.push(() => void socket.destroy());
  if (first) socket.write(first);
  const { data, error } = await readAll(socket);
  assert.equal(data.length, 0);
  assert.equal(error?.code, 'ECONNRESET');
}

const sha = (b: Buffer | Buffer[]) => createHash('sha256').update(Buffer.isBuffer(b) ? b : Buffer.concat(b)).digest('hex');

/** Writes `total` random bytes as fast as the socket takes them; `sent` counts what `write` accepted. */
function pump(socket: net.Socket, total: number, chunk = 64 * 1024) {
  const state = { sent: 0, hash: createHash('sha256'), done: false };
  const more = () => {
    while (state.sent < total) {
      const piece = randomBytes(Math.min(chunk, total - state.sent));
      state.hash.update(piece);
      state.sent += piece.length;
      if (!socket.write(piece)) {
        socket.once('drain', more);
        return;
      }
    }
    state.done = true;
    socket.end();
  };
  more();
  return state;
}

describe('NLB TCP listener', () => {
  it('echoes through the proxy, and reports the flow with its bytes once it closes', async () => {
    const target = await echo();
    const starts: string[] = [];
    const { proxy, port, records } = await tcpProxy({
      route: () => ({ address: LOCAL, port: target.port, targetGroupArn: 'tg' }),
      onFlowStart: (source) => starts.push(`${source.address}:${source.port}`),
    });
    const client = await connect(port);
    const clientPort = client.localPort;
    const read = readAll(client);
    client.end('hello, nlb');
    assert.equal((await read).data.toString(), 'hello, nlb');
    await until(() => records.length === 1, 'the flow record');
    assert.deepEqual(starts, [`${LOCAL}:${clientPort}`]);
    const [r] = records;
    assert.deepEqual({ ...r, durationMs: 0 }, {
      source: { address: LOCAL, port: clientPort }, target: { address: LOCAL, port: target.port }, targetGroupArn: 'tg',
      bytesIn: 10, bytesOut: 10, durationMs: 0, end: 'closed',
    });
    assert.equal(resetByLoadBalancer(r.end), false);
    // the target saw the proxy's own connection, not the client's
    assert.notEqual(target.sockets[0].remotePort, clientPort);
    assert.equal(proxy.activeFlows, 0);
  });

  it('carries 20 MiB each way intact (checksums at the target and back at the client)', async () => {
    const atTarget = createHash('sha256');
    const target = await tcpServer((socket) => {
      socket.on('data', (c: Buffer) => atTarget.update(c));
      socket.pipe(socket);
    });
    const { port, records } = await tcpProxy({ route: () => ({ address: LOCAL, port: target.port }) });
    const client = await connect(port);
    const back = createHash('sha256');
    let received = 0;
    client.on('data', (c: Buffer) => {
      back.update(c);
      received += c.length;
    });
    const ended = new Promise((r) => client.once('end', r));
    const sent = pump(client, 20 * MiB);
    await ended;
    const digest = sent.hash.digest('hex');
    assert.equal(received, 20 * MiB);
    assert.equal(atTarget.digest('hex'), digest);
    assert.equal(back.digest('hex'), digest);
    await until(() => records.length === 1, 'the flow record');
    assert.equal(records[0].bytesIn, 20 * MiB);
    assert.equal(records[0].bytesOut, 20 * MiB);
  });

  for (const direction of ['target to a client that does not read', 'client to a target that does not read'] as const) {
    it(`holds its buffers bounded with backpressure: ${direction}`, async () => {
      const total = 48 * MiB;
      const toClient = direction.startsWith('target');
      let writer!: ReturnType<typeof pump>;
      let reader!: net.Socket;
      const target = await tcpServer((socket) => {
        if (toClient) writer = pump(socket, total);
        else {
          socket.pause();
          reader = socket;
        }
      });
      const { proxy, port } = await tcpProxy({ route: () => ({ address: LOCAL, port: target.port }) });
      const client = await connect(port);
      if (toClient) {
        client.pause();
        reader = client;
      } else writer = pump(client, total);
      await until(() => writer !== undefined && reader !== undefined, 'both ends');
      // Wait until the writer is stuck: what it got rid of stops growing.
      let maxBuffered = 0;
      let last = -1;
      let still = 0;
      while (still < 20) {
        await new Promise((r) => setTimeout(r, 10));
        maxBuffered = Math.max(maxBuffered, proxy.bufferedBytes());
        still = writer.sent === last ? still + 1 : 0;
        last = writer.sent;
      }
      assert.ok(!writer.done, `the writer got rid of all ${total} bytes though nobody read them`);
      assert.ok(maxBuffered < 1 * MiB, `the proxy buffered ${maxBuffered} bytes`);
      // Now read: everything arrives, in order.
      const hash = createHash('sha256');
      let received = 0;
      reader.on('data', (c: Buffer) => {
        hash.update(c);
        received += c.length;
        maxBuffered = Math.max(maxBuffered, proxy.bufferedBytes());
      });
      const ended = new Promise((r) => reader.once('end', r));
      reader.resume();
      await ended;
      assert.equal(received, total);
      assert.equal(hash.digest('hex'), writer.hash.digest('hex'));
      assert.ok(maxBuffered < 1 * MiB, `the proxy buffered ${maxBuffered} bytes`);
    });
  }

  it('keeps a half-closed flow open the other way', async () => {
    const target = await tcpServer((socket) => {
      const got: Buffer[] = [];
      socket.on('data', (c: Buffer) => got.push(c));
      // only once the client has finished sending does the target answer, then finish
      socket.on('end', () => setTimeout(() => socket.end(`got ${Buffer.concat(got)}; bye`), 20));
    });
    const { port, records } = await tcpProxy({ route: () => ({ address: LOCAL, port: target.port }) });
    const client = await connect(port);
    const read = readAll(client);
    client.end('ping');
    await new Promise((r) => client.once('finish', r));
    const { data, error } = await read;
    assert.equal(error, undefined);
    assert.equal(data.toString(), 'got ping; bye');
    await until(() => records.length === 1, 'the flow record');
    assert.equal(records[0].end, 'closed');
  });

  it('resets the connection when there is no target', async () => {
    const { port, records } = await tcpProxy({ route: () => undefined });
    await resetSeen(port);
    await until(() => records.length === 1, 'the flow record');
    assert.equal(records[0].end, 'no-target');
    assert.equal(records[0].target, undefined);
    assert.equal(resetByLoadBalancer(records[0].end), true);
  });

  it('resets the connection when the target refuses', async () => {
    const closed = net.createServer();
    await new Promise<void>((r) => closed.listen(0, LOCAL, r));
    const refusing = (closed.address() as net.AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const done: string[] = [];
    const { port, records } = await tcpProxy({ route: () => ({ address: LOCAL, port: refusing, done: () => done.push('done') }) });
    await resetSeen(port, 'lost');
    await until(() => records.length === 1, 'the flow record');
    assert.equal(records[0].end, 'connect-refused');
    assert.deepEqual(done, ['done']);
  });

  it('resets the connection when the target does not accept within the connect timeout', async () => {
    const silent = await silentListener();
    const { port, records } = await tcpProxy({ route: () => ({ address: LOCAL, port: silent }), connectTimeoutMs: 200 });
    await resetSeen(port, 'waiting');
    await until(() => records.length === 1, 'the flow record');
    assert.equal(records[0].end, 'connect-timeout');
  });

  it('resets both sides of a flow idle past the idle timeout', async () => {
    const target = await echo();
    const { port, records } = await tcpProxy({ route: () => ({ address: LOCAL, port: target.port }), idleTimeoutMs: () => 500 });
    const client = await connect(port);
    const first = new Promise<Buffer>((r) => client.once('data', r));
    client.write('still here');
    assert.equal((await first).toString(), 'still here');
    const { error } = await readAll(client);
    assert.equal(error?.code, 'ECONNRESET');
    await until(() => target.sockets[0].destroyed, 'the target side closed');
    await until(() => records.length === 1, 'the flow record');
    assert.equal(records[0].end, 'idle-timeout');
    assert.equal(records[0].bytesIn, 10);
  });

  it("passes a target's reset through to the client, and a client's to the target", async () => {
    const target = await tcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const { port, records } = await tcpProxy({ route: () => ({ address: LOCAL, port: target.port }) });
    const client = await connect(port);
    client.write('reset me');
    const { error } = await readAll(client);
    assert.equal(error?.code, 'ECONNRESET');
    await until(() => records.length === 1, 'the flow record');
    assert.equal(records[0].end, 'target-reset');

    const seen: string[] = [];
    let arrived = false;
    const patient = await tcpServer((socket) => {
      socket.on('error', (e: NodeJS.ErrnoException) => seen.push(e.code ?? ''));
      socket.once('data', () => (arrived = true));
    });
    const second = await tcpProxy({ route: () => ({ address: LOCAL, port: patient.port }) });
    const other = await connect(second.port);
    other.write('x');
    // Once a byte went through, the proxy's connection to the target is open (a reset, not a close, is what it passes on).
    await until(() => arrived, 'the first byte at the target');
    other.resetAndDestroy();
    await until(() => seen.length === 1, 'the reset at the target');
    assert.deepEqual(seen, ['ECONNRESET']);
    await until(() => second.records.length === 1, 'the flow record');
    assert.equal(second.records[0].end, 'client-reset');
  });

  it('sends a PROXY v2 header with the client and listener addresses before the first byte', async () => {
    const got: Buffer[] = [];
    const target = await tcpServer((socket) => socket.on('data', (c: Buffer) => got.push(c)));
    const route: TcpRoute = { address: LOCAL, port: target.port, proxyProtocolV2: true };
    const { port } = await tcpProxy({ route: () => route });
    const client = await connect(port);
    client.write('GET / HTTP/1.0\r\n\r\n');
    await until(() => Buffer.concat(got).length >= 28 + 18, 'header and payload');
    const bytes = Buffer.concat(got);
    const expected = Buffer.from([
      ...PROXY_V2_SIGNATURE, 0x21, 0x11, 0x00, 0x0c,
      127, 0, 0, 1, 127, 0, 0, 1, client.localPort! >> 8, client.localPort! & 0xff, port >> 8, port & 0xff,
    ]);
    assert.deepEqual(bytes.subarray(0, 28), expected);
    assert.equal(bytes.subarray(28).toString(), 'GET / HTTP/1.0\r\n\r\n');
  });

  it('close() resets every flow on both sides', async () => {
    const target = await echo();
    const proxy = new TcpListenerProxy({ route: () => ({ address: LOCAL, port: target.port }) });
    const port = await proxy.listen(LOCAL, 0);
    const client = await connect(port);
    client.write('x');
    await new Promise((r) => client.once('data', r));
    assert.equal(proxy.activeFlows, 1);
    const read = readAll(client);
    await proxy.close();
    assert.equal((await read).error?.code, 'ECONNRESET');
    assert.equal(proxy.activeFlows, 0);
    await until(() => target.sockets[0].destroyed, 'the target side closed');
  });
});

/**
 * A port on loopback whose listener never accepts and whose accept queue is full, so a SYN to it
 * is dropped and a connect waits: a Python child (Node always accepts), stopped by its pid.
 */
async function silentListener(): Promise<number> {
  const child: ChildProcess = spawn('python3', ['-c', [
    'import socket, sys, time',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'print(s.getsockname()[1], flush=True)',
    'time.sleep(60)',
  ].join('\n')], { stdio: ['ignore', 'pipe', 'inherit'] });
  closers.push(() => void child.kill());
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (b: Buffer) => resolve(Number(b.toString().trim()))));
  // Fill the accept queue: connect until a connection is left waiting (its SYN dropped).
  for (let i = 0; i < 16; i++) {
    const s = net.connect(port, LOCAL);
    s.on('error', () => undefined);
    closers.push(() => void s.destroy());
    const opened = await new Promise<boolean>((resolve) => {
      s.once('connect', () => resolve(true));
      setTimeout(() => resolve(false), 500);
    });
    if (!opened) return port;
  }
  throw new Error('the accept queue never filled');
}

describe('PROXY protocol v2 header', () => {
  it('lays out TCP over IPv4 as the specification does (signature, 0x21, 0x11, length 12, addresses, ports)', () => {
    // src 172.19.0.1:42578, dst 172.19.0.3:80
    const header = encodeProxyV2({ command: 'proxy', transport: 'stream', source: { address: '172.19.0.1', port: 42578 }, destination: { address: '172.19.0.3', port: 80 } });
    assert.equal(header.toString('hex'), '0d0a0d0a000d0a515549540a' + '21' + '11' + '000c' + 'ac130001' + 'ac130003' + 'a652' + '0050');
  });

  it('writes UDP over IPv4 as family/transport 0x12', () => {
    const header = encodeProxyV2({ command: 'proxy', transport: 'dgram', source: { address: '10.0.0.1', port: 53 }, destination: { address: '10.0.0.2', port: 5353 } });
    assert.equal(header.subarray(12).toString('hex'), '21' + '12' + '000c' + '0a000001' + '0a000002' + '0035' + '14e9');
  });

  it('writes IPv6 (0x21, length 36), expanding :: and mapping an IPv4 end when the families differ', () => {
    const header = encodeProxyV2({ command: 'proxy', transport: 'stream', source: { address: '2001:db8::1', port: 1 }, destination: { address: '::ffff:192.0.2.7', port: 2 } });
    assert.equal(header.length, 16 + 36);
    assert.equal(header.subarray(12, 16).toString('hex'), '21' + '21' + '0024');
    assert.equal(header.subarray(16, 32).toString('hex'), '20010db8000000000000000000000001');
    assert.equal(header.subarray(32, 48).toString('hex'), '00000000000000000000ffffc0000207');
    assert.equal(header.subarray(48).toString('hex'), '0001' + '0002');
    const mixed = encodeProxyV2({ command: 'proxy', transport: 'stream', source: { address: '192.0.2.1', port: 1 }, destination: { address: 'fe80::1%eth0', port: 2 } });
    assert.equal(mixed.subarray(13, 14).toString('hex'), '21');
    assert.equal(mixed.subarray(16, 32).toString('hex'), '00000000000000000000ffffc0000201');
    assert.equal(ipv6Bytes('1:2:3:4:5:6:7:8').toString('hex'), '00010002000300040005000600070008');
    assert.equal(ipv6Bytes('::').toString('hex'), '0'.repeat(32));
  });

  it('writes LOCAL with no addresses, and TLVs after the addresses counted in the length', () => {
    assert.equal(encodeProxyV2({ command: 'local', transport: 'stream' }).subarray(12).toString('hex'), '20' + '00' + '0000');
    const header = encodeProxyV2({
      command: 'proxy', transport: 'stream', source: { address: '10.0.0.1', port: 1 }, destination: { address: '10.0.0.2', port: 2 },
      tlvs: [{ type: 0xea, value: Buffer.from([0x01, ...Buffer.from('vpce-1')]) }],
    });
    assert.equal(header.readUInt16BE(14), 12 + 3 + 7);
    assert.equal(header.subarray(28).toString('hex'), 'ea' + '0007' + '01' + Buffer.from('vpce-1').toString('hex'));
  });
});

/** A UDP server on loopback answering each datagram with `answer(message, from)`. */
async function udpServer(answer: (msg: Buffer, from: dgram.RemoteInfo) => string | Buffer) {
  const socket = dgram.createSocket('udp4');
  const sources: number[] = [];
  socket.on('message', (msg, rinfo) => {
    sources.push(rinfo.port);
    socket.send(answer(msg, rinfo), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => socket.bind(0, LOCAL, r));
  closers.push(() => new Promise((r) => socket.close(() => r(undefined))));
  return { port: socket.address().port, sources };
}

async function udpProxy(o: UdpListenerProxyOptions) {
  const records: UdpFlowRecord[] = [];
  const proxy = new UdpListenerProxy({ ...o, onFlow: (r) => records.push(r) });
  const port = await proxy.listen(LOCAL, 0);
  closers.push(() => proxy.close());
  return { proxy, port, records };
}

async function udpClient() {
  const socket = dgram.createSocket('udp4');
  await new Promise<void>((r) => socket.bind(0, LOCAL, r));
  closers.push(() => new Promise((r) => socket.close(() => r(undefined))));
  const replies: { text: string; from: number }[] = [];
  socket.on('message', (msg, rinfo) => replies.push({ text: msg.toString(), from: rinfo.port }));
  return {
    socket, replies, port: socket.address().port,
    /** Sends and waits for the next reply. */
    async ask(text: string, port: number): Promise<{ text: string; from: number }> {
      const before = replies.length;
      socket.send(text, port, LOCAL);
      await until(() => replies.length > before, `a reply to ${text}`);
      return replies[before];
    },
  };
}

describe('NLB UDP listener', () => {
  it('echoes through the proxy, the reply coming from the listener port', async () => {
    const target = await udpServer((msg) => msg);
    const { port } = await udpProxy({ route: () => ({ address: LOCAL, port: target.port }) });
    const client = await udpClient();
    assert.deepEqual(await client.ask('hello udp', port), { text: 'hello udp', from: port });
    assert.notEqual(target.sources[0], client.port);
  });

  it('gives each client a flow of its own, routed once, with its own replies', async () => {
    const one = await udpServer((msg, from) => `one:${msg}:${from.port}`);
    const two = await udpServer((msg, from) => `two:${msg}:${from.port}`);
    const routed: number[] = [];
    const { proxy, port } = await udpProxy({
      route: (source) => {
        routed.push(source.port);
        return { address: LOCAL, port: routed.length % 2 === 1 ? one.port : two.port };
      },
    });
    const a = await udpClient();
    const b = await udpClient();
    const a1 = await a.ask('a1', port);
    const b1 = await b.ask('b1', port);
    const a2 = await a.ask('a2', port);
    const b2 = await b.ask('b2', port);
    assert.deepEqual(routed, [a.port, b.port]);
    assert.equal(proxy.activeFlows, 2);
    const [aFlow, bFlow] = [one.sources[0], two.sources[0]];
    assert.notEqual(aFlow, bFlow);
    assert.deepEqual([a1.text, a2.text], [`one:a1:${aFlow}`, `one:a2:${aFlow}`]);
    assert.deepEqual([b1.text, b2.text], [`two:b1:${bFlow}`, `two:b2:${bFlow}`]);
    assert.deepEqual([a.replies.length, b.replies.length], [2, 2]);
  });

  it('ends an idle flow and closes its upstream socket; the next datagram opens a new flow', async () => {
    const target = await udpServer((msg) => msg);
    const { proxy, port, records } = await udpProxy({ route: () => ({ address: LOCAL, port: target.port }), flowTimeoutMs: 1000 });
    const client = await udpClient();
    await client.ask('first', port);
    const upstreamPort = target.sources[0];
    assert.equal(await bindError(upstreamPort), 'EADDRINUSE');
    await until(() => records.length === 1, 'the flow to time out');
    assert.equal(records[0].end, 'idle-timeout');
    assert.deepEqual([records[0].packetsIn, records[0].packetsOut, records[0].bytesIn, records[0].bytesOut], [1, 1, 5, 5]);
    assert.equal(proxy.activeFlows, 0);
    assert.equal(await bindError(upstreamPort), undefined);
    await client.ask('second', port);
    assert.notEqual(target.sources[1], upstreamPort);
  });

  it('evicts the least recently active flow past the flow bound', async () => {
    const target = await udpServer((msg) => msg);
    const { proxy, port, records } = await udpProxy({ route: () => ({ address: LOCAL, port: target.port }), maxFlows: 2 });
    const [a, b, c] = [await udpClient(), await udpClient(), await udpClient()];
    await a.ask('a', port);
    await b.ask('b', port);
    await a.ask('a again', port); // a is now more recent than b
    await c.ask('c', port);
    assert.equal(proxy.activeFlows, 2);
    assert.deepEqual(records.map((r) => [r.source.port, r.end]), [[b.port, 'evicted']]);
    await b.ask('b returns', port);
    assert.deepEqual(records.map((r) => [r.source.port, r.end]), [[b.port, 'evicted'], [a.port, 'evicted']]);
    assert.equal(new Set(target.sources).size, 4); // a, b, c, and b's second flow
  });

  it('drops datagrams with no target', async () => {
    const { proxy, port } = await udpProxy({ route: () => undefined });
    const client = await udpClient();
    client.socket.send('nowhere', port, LOCAL);
    await until(() => proxy.dropped === 1, 'the drop');
    assert.equal(proxy.activeFlows, 0);
  });
});

/** The error binding a UDP socket to 127.0.0.1:port gives, if any. */
async function bindError(port: number): Promise<string | undefined> {
  const probe = dgram.createSocket('udp4');
  const code = await new Promise<string | undefined>((resolve) => {
    probe.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    probe.bind(port, LOCAL, () => resolve(undefined));
  });
  await new Promise<void>((r) => {
    try {
      probe.close(() => r());
    } catch {
      r();
    }
  });
  return code;
}

describe('NLB TCP_UDP listener', () => {
  it('serves TCP and UDP on the same port', async () => {
    const tcpTarget = await echo();
    const udpTarget = await udpServer((msg) => `udp:${msg}`);
    const proxy = new TcpUdpListenerProxy(
      { route: () => ({ address: LOCAL, port: tcpTarget.port }) },
      { route: () => ({ address: LOCAL, port: udpTarget.port }) },
    );
    closers.push(() => proxy.close());
    const port = await proxy.listen(LOCAL, 0);
    const client = await connect(port);
    const read = readAll(client);
    client.end('tcp');
    assert.equal((await read).data.toString(), 'tcp');
    const udp = await udpClient();
    assert.deepEqual(await udp.ask('x', port), { text: 'udp:x', from: port });
  });

  it('refuses a port whose UDP half is taken, leaving no TCP half listening', async () => {
    const squatter = dgram.createSocket('udp4');
    await new Promise<void>((r) => squatter.bind(0, LOCAL, r));
    closers.push(() => new Promise((r) => squatter.close(() => r(undefined))));
    const taken = squatter.address().port;
    const proxy = new TcpUdpListenerProxy({ route: () => undefined }, { route: () => undefined });
    closers.push(() => proxy.close());
    await assert.rejects(proxy.listen(LOCAL, taken), { code: 'EADDRINUSE' });
    const probe = net.connect(taken, LOCAL);
    const code = await new Promise((r) => probe.once('error', (e: NodeJS.ErrnoException) => r(e.code)));
    assert.equal(code, 'ECONNREFUSED');
  });
});
