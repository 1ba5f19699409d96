/**
 * DNS on the wire for tests and benchmarks, through dns-packet: a client that sends one message
 * over UDP or TCP and reads the reply, and a fake upstream resolver on loopback whose answers are
 * a function of the question (so forwarding, truncation and timeouts can be shown).
 */
import dgram from 'node:dgram';
import net from 'node:net';
import { decode, encode, type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet';

/** Sends `message` to `port` on `address` over UDP; resolves with the reply, or `undefined` after `timeoutMs`. */
export function udpExchange(address: string, port: number, message: Buffer, timeoutMs = 2000): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => { socket.close(); resolve(undefined); }, timeoutMs);
    socket.once('message', (reply) => { clearTimeout(timer); socket.close(); resolve(reply); });
    socket.send(message, port, address);
  });
}

/** Sends length-prefixed `messages` on one TCP connection; resolves with the replies read before `count` or the close. */
export function tcpExchange(address: string, port: number, frames: Buffer[], count = frames.length): Promise<{ replies: Buffer[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: address, port });
    const replies: Buffer[] = [];
    let buffered = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('connect', () => socket.write(Buffer.concat(frames)));
    socket.on('close', () => resolve({ replies, closed: true }));
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
        replies.push(buffered.subarray(2, 2 + buffered.readUInt16BE(0)));
        buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
      }
      if (replies.length >= count) {
        socket.removeAllListeners('close');
        socket.destroy();
        resolve({ replies, closed: false });
      }
    });
  });
}

/** A message as one TCP frame (its two-byte length first). */
export function frame(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** A query message. */
export function queryMessage(name: string, type: Question['type'], options: { id?: number; edns?: number } = {}): Buffer {
  const additionals: Answer[] = options.edns ? [{ name: '.', type: 'OPT', udpPayloadSize: options.edns, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] : [];
  return encode({ type: 'query', id: options.id ?? 4242, flags: 1 << 8, questions: [{ name, type, class: 'IN' }], additionals });
}

/** What the fake upstream does with a question: an answer to send, or `undefined` to stay silent. */
export type UpstreamBehaviour = (question: Question, transport: 'udp' | 'tcp') => { rcode?: number; truncated?: boolean; answers?: Answer[]; authorities?: Answer[] } | undefined;

/** One query the fake upstream received. */
export interface UpstreamQuery {
  id: number;
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
}

/** A resolver on loopback (UDP and TCP, one port) answering as `behaviour` says. */
export class FakeUpstream {
  readonly received: UpstreamQuery[] = [];
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  port = 0;

  constructor(private readonly behaviour: UpstreamBehaviour, readonly address = '127.0.0.1') {}

  private reply(message: Buffer, transport: 'udp' | 'tcp'): Buffer | undefined {
    let query: DecodedPacket;
    try {
      query = decode(message);
    } catch {
      return undefined;
    }
    const question = query.questions?.[0];
    if (!question) return undefined;
    this.received.push({ id: query.id ?? 0, name: question.name, type: question.type, transport });
    const out = this.behaviour(question, transport);
    if (!out) return undefined;
    const flags = (1 << 8) | (1 << 7) | (out.truncated ? 1 << 9 : 0) | (out.rcode ?? 0);
    return encode({ type: 'response', id: query.id, flags, questions: query.questions, answers: out.answers ?? [], authorities: out.authorities ?? [] } satisfies Packet);
  }

  /** Starts on a free port (the same for UDP and TCP). */
  async start(): Promise<number> {
    const udp = dgram.createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, this.address, () => resolve()));
    this.port = udp.address().port;
    udp.on('message', (message, rinfo) => {
      const reply = this.reply(message, 'udp');
      if (reply) udp.send(reply, rinfo.port, rinfo.address);
    });
    this.udp = udp;
    const tcp = net.createServer((socket) => {
      let buffered = Buffer.alloc(0);
      socket.on('error', () => socket.destroy());
      socket.on('data', (chunk) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const reply = this.reply(buffered.subarray(2, 2 + buffered.readUInt16BE(0)), 'tcp');
          buffered = buffered.subarray(2 + buffered.readUInt16BE(0));
          if (reply) socket.write(frame(reply));
        }
      });
    });
    await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(this.port, this.address, () => resolve()); });
    this.tcp = tcp;
    return this.port;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve()));
    await new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve()));
  }
}
