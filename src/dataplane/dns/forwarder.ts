/**
 * Forwarding a query to the upstream resolvers: the client's message as it came, under an id of
 * our own (restored in the reply), over UDP from a fresh socket connected to the resolver (so
 * only its replies are read, from an unpredictable port), again over TCP when the reply is
 * truncated, the next resolver when one does not answer in time. A reply whose id or question
 * does not match the query is ignored.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { decode, type DecodedPacket } from 'dns-packet';
import type { Upstream } from './upstreams.ts';

/** A forwarder's settings. */
export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Milliseconds one resolver has to answer one try (UDP, then TCP), default 2000. */
  attemptTimeoutMs?: number;
  /** A number in [0, 1): the ids of forwarded queries. */
  random(): number;
}

/** An upstream reply: as received with the client's id restored, and decoded. */
export interface ForwardedReply {
  message: Buffer;
  packet: DecodedPacket;
}

const sameQuestion = (query: DecodedPacket, reply: DecodedPacket): boolean => {
  const q = query.questions?.[0];
  const r = reply.questions?.[0];
  return !!q && !!r && q.name.toLowerCase() === r.name.toLowerCase() && q.type === r.type;
};

/** Decodes `message` as the reply to `query` sent under `id`; `undefined` if it is not. */
function asReply(message: Buffer, id: number, query: DecodedPacket): DecodedPacket | undefined {
  if (message.length < 12 || message.readUInt16BE(0) !== id) return undefined;
  try {
    const packet = decode(message);
    return packet.type === 'response' && sameQuestion(query, packet) ? packet : undefined;
  } catch {
    return undefined;
  }
}

function withId(message: Buffer, id: number): Buffer {
  const copy = Buffer.from(message);
  copy.writeUInt16BE(id, 0);
  return copy;
}

function overUdp(upstream: Upstream, message: Buffer, id: number, query: DecodedPacket, timeoutMs: number): Promise<DecodedPacket & { raw: Buffer } | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(upstream.address) ? 'udp6' : 'udp4');
    let done = false;
    const finish = (value: (DecodedPacket & { raw: Buffer }) | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('message', (reply) => {
      const packet = asReply(reply, id, query);
      if (packet) finish(Object.assign(packet, { raw: reply }));
    });
    socket.connect(upstream.port, upstream.address, () => socket.send(message, (error) => error && finish(undefined)));
  });
}

function overTcp(upstream: Upstream, message: Buffer, id: number, query: DecodedPacket, timeoutMs: number): Promise<DecodedPacket & { raw: Buffer } | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: upstream.address, port: upstream.port });
    let done = false;
    let buffered = Buffer.alloc(0);
    const finish = (value: (DecodedPacket & { raw: Buffer }) | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(value);
    };
    const timer = setTimeout(() => finish(undefined), timeoutMs);
    socket.on('error', () => finish(undefined));
    socket.on('close', () => finish(undefined));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(message.length);
      socket.write(Buffer.concat([length, message]));
    });
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2) {
        const size = buffered.readUInt16BE(0);
        if (buffered.length < 2 + size) return;
        const reply = buffered.subarray(2, 2 + size);
        buffered = buffered.subarray(2 + size);
        const packet = asReply(reply, id, query);
        if (packet) return finish(Object.assign(packet, { raw: Buffer.from(reply) }));
      }
    });
  });
}

/** Sends queries on to the upstream resolvers. */
export class Forwarder {
  private readonly upstreams: Upstream[];
  private readonly attemptTimeoutMs: number;
  private readonly random: () => number;

  constructor(options: ForwarderOptions) {
    this.upstreams = options.upstreams;
    this.attemptTimeoutMs = options.attemptTimeoutMs ?? 2000;
    this.random = options.random;
  }

  /** Whether there is anywhere to forward to. */
  get enabled(): boolean {
    return this.upstreams.length > 0;
  }

  /**
   * The upstream reply to `message` (decoded as `query`), its id the client's; `undefined` when
   * no resolver answered in time.
   */
  async forward(message: Buffer, query: DecodedPacket): Promise<ForwardedReply | undefined> {
    const clientId = message.readUInt16BE(0);
    for (const upstream of this.upstreams) {
      const id = Math.floor(this.random() * 0x10000) & 0xffff;
      const sent = withId(message, id);
      let reply = await overUdp(upstream, sent, id, query, this.attemptTimeoutMs);
      if (reply?.flag_tc) reply = (await overTcp(upstream, sent, id, query, this.attemptTimeoutMs)) ?? reply;
      if (!reply) continue;
      const restored = withId(reply.raw, clientId);
      reply.id = clientId;
      return { message: restored, packet: reply };
    }
    return undefined;
  }
}
