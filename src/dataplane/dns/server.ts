/**
 * Wharf's DNS server: one UDP socket and one TCP listener on the same address and port.
 *
 *   query ─▶ decode (malformed: dropped / connection closed) ─▶ rate limit per source
 *         ─▶ resolveQuestion: namespaces' names (authoritative) │ load balancers' names
 *                             │ forward ─▶ cache ─▶ upstream resolvers (UDP, TCP if truncated;
 *                             │                    SERVFAIL when none answers in time)
 *         ─▶ encode: over UDP within the client's payload size (else TC), over TCP whole
 *
 * The answer logic is pure (`answer.ts`); this file is the sockets around it.
 */
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { RECURSION_DESIRED, decode, encode, type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet';
import { systemClock, type Clock } from '../../common/index.ts';
import { RCODE, resolveQuestion, type AnswerContext, type OwnAnswer } from './answer.ts';
import { AnswerCache, cacheKey, type AnswerCacheOptions } from './cache.ts';
import { Forwarder } from './forwarder.ts';
import { noDiscoveryNames, noLoadBalancerNames, type DiscoveryNames, type LoadBalancerNames } from './names.ts';
import { SourceRateLimit } from './rate-limit.ts';
import { replyTo, replyWith } from './reply.ts';
import { encodeForUdp, udpPayloadLimit } from './truncate.ts';
import { upstreamsFromResolvConf, type Upstream } from './upstreams.ts';

/** The DNS server's settings; every one has a default. */
export interface DnsServerOptions {
  /** The names of the private DNS namespaces (none by default). */
  names?: DiscoveryNames;
  /** Load balancers' names (none by default). */
  loadBalancers?: LoadBalancerNames;
  /** Where other names go (default: /etc/resolv.conf's nameservers, the server's own address left out). */
  upstreams?: Upstream[];
  /** Milliseconds one upstream resolver has per try before the next (default 2000); none left: SERVFAIL. */
  forwardTimeoutMs?: number;
  /** The forwarded answers' cache (on by default); `false` turns it off. */
  cache?: false | Omit<AnswerCacheOptions, 'clock'>;
  /** Queries per second per source address (default 1000, burst twice that); `false`: unbounded. */
  rateLimit?: false | { perSecond: number; burst?: number };
  /** Milliseconds a TCP connection may stay idle (default 10,000). */
  tcpIdleTimeoutMs?: number;
  /** TCP connections at once (default 512). */
  maxTcpConnections?: number;
  clock?: Clock;
  /** A number in [0, 1): the shuffle of multivalue answers and forwarded ids. */
  random?: () => number;
  /** Where the server says what went wrong (nothing by default). */
  log?: (message: string) => void;
}

/** What became of one message. */
type Outcome = { kind: 'reply'; message: Buffer } | { kind: 'drop' } | { kind: 'malformed' };

const isLoopback = (address: string) => address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');

/** Wharf's DNS server for tasks: Cloud Map names, load balancers' names, the rest forwarded. */
export class DnsServer {
  private readonly names: DiscoveryNames;
  private readonly loadBalancers: LoadBalancerNames;
  private readonly random: () => number;
  private readonly cache?: AnswerCache;
  private readonly limit?: SourceRateLimit;
  private readonly log: (message: string) => void;
  private forwarder?: Forwarder;
  private udp?: dgram.Socket;
  private tcp?: net.Server;
  private readonly connections = new Set<net.Socket>();
  private bound?: { address: string; port: number };

  constructor(private readonly options: DnsServerOptions = {}) {
    const clock = options.clock ?? systemClock;
    this.names = options.names ?? noDiscoveryNames;
    this.loadBalancers = options.loadBalancers ?? noLoadBalancerNames;
    this.random = options.random ?? Math.random;
    this.log = options.log ?? (() => {});
    if (options.cache !== false) this.cache = new AnswerCache({ ...options.cache, clock });
    const rate = options.rateLimit ?? { perSecond: 1000 };
    if (rate !== false) this.limit = new SourceRateLimit({ clock, ...rate });
  }

  /** The address and port listened on (the port chosen when 0 was asked for). */
  get address(): { address: string; port: number } {
    if (!this.bound) throw new Error('The DNS server is not listening');
    return this.bound;
  }

  /** Listens on UDP and TCP at `address`:`port` (0: a free port, the same for both). */
  async listen(address: string, port: number): Promise<{ address: string; port: number }> {
    for (let attempt = 0; ; attempt++) {
      const udpPort = await this.bindUdp(address, port);
      try {
        await this.bindTcp(address, udpPort);
        this.bound = { address, port: udpPort };
        break;
      } catch (error) {
        this.udp?.close();
        this.udp = undefined;
        // A free UDP port whose TCP twin is taken: pick again.
        if (port !== 0 || attempt >= 10) throw error;
      }
    }
    const upstreams = this.options.upstreams ?? hostUpstreams(this.bound);
    this.forwarder = new Forwarder({ upstreams, attemptTimeoutMs: this.options.forwardTimeoutMs, random: this.random });
    return this.bound;
  }

  /** Stops listening and closes every TCP connection. */
  async close(): Promise<void> {
    for (const socket of this.connections) socket.destroy();
    this.connections.clear();
    await Promise.all([
      new Promise<void>((resolve) => (this.udp ? this.udp.close(() => resolve()) : resolve())),
      new Promise<void>((resolve) => (this.tcp ? this.tcp.close(() => resolve()) : resolve())),
    ]);
    this.udp = undefined;
    this.tcp = undefined;
  }

  private bindUdp(address: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
      socket.once('error', reject);
      socket.bind(port, address, () => {
        socket.off('error', reject);
        socket.on('error', (error) => this.log(`dns: UDP socket: ${error.message}`));
        socket.on('message', (message, rinfo) => {
          void this.handle(message, rinfo.address, 'udp').then((outcome) => {
            // The socket may have closed while the answer was being found.
            if (outcome.kind === 'reply' && this.udp === socket) socket.send(outcome.message, rinfo.port, rinfo.address);
          }).catch((error: unknown) => this.log(`dns: ${String(error)}`));
        });
        this.udp = socket;
        resolve(socket.address().port);
      });
    });
  }

  private bindTcp(address: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => this.serveConnection(socket));
      server.maxConnections = this.options.maxTcpConnections ?? 512;
      server.once('error', reject);
      server.listen({ host: address, port, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', (error) => this.log(`dns: TCP listener: ${error.message}`));
        this.tcp = server;
        resolve();
      });
    });
  }

  /**
   * Length-prefixed messages, answered as they complete (RFC 7766 allows any order). A malformed
   * one stops the reading; the connection closes once the answers before it are written.
   */
  private serveConnection(socket: net.Socket): void {
    this.connections.add(socket);
    socket.setTimeout(this.options.tcpIdleTimeoutMs ?? 10_000, () => socket.destroy());
    socket.on('close', () => this.connections.delete(socket));
    socket.on('error', () => socket.destroy());
    const source = socket.remoteAddress ?? '';
    let buffered = Buffer.alloc(0);
    let inflight = 0;
    let closing = false;
    const closeWhenDone = () => {
      closing = true;
      socket.pause();
      if (inflight === 0) socket.end();
    };
    const answered = (outcome: Outcome) => {
      inflight--;
      if (outcome.kind === 'malformed') closeWhenDone();
      else if (outcome.kind === 'reply' && !socket.destroyed) {
        const length = Buffer.alloc(2);
        length.writeUInt16BE(outcome.message.length);
        socket.write(Buffer.concat([length, outcome.message]));
      }
      if (closing && inflight === 0) socket.end();
    };
    socket.on('data', (chunk) => {
      if (closing) return;
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      while (buffered.length >= 2 && !closing) {
        const size = buffered.readUInt16BE(0);
        if (size < 12) return closeWhenDone();
        if (buffered.length < 2 + size) return;
        const message = Buffer.from(buffered.subarray(2, 2 + size));
        buffered = buffered.subarray(2 + size);
        inflight++;
        void this.handle(message, source, 'tcp').then(answered).catch((error: unknown) => {
          this.log(`dns: ${String(error)}`);
          socket.destroy();
        });
      }
    });
  }

  /** One message from `source` over `transport`: what to send back, if anything. */
  async handle(message: Buffer, source: string, transport: 'udp' | 'tcp'): Promise<Outcome> {
    let query: DecodedPacket;
    try {
      query = decode(message);
    } catch {
      return { kind: 'malformed' };
    }
    if (query.type !== 'query') return { kind: 'malformed' };
    try {
      return await this.answer(query, message, source, transport);
    } catch (error) {
      // A record the codec cannot write, a port that threw: the client hears SERVFAIL.
      this.log(`dns: answering ${query.questions?.[0]?.name ?? '?'}: ${error instanceof Error ? error.message : String(error)}`);
      return { kind: 'reply', message: encode(replyTo({ ...query, questions: query.questions?.slice(0, 1) }, RCODE.SERVFAIL)) };
    }
  }

  private async answer(query: DecodedPacket, message: Buffer, source: string, transport: 'udp' | 'tcp'): Promise<Outcome> {
    const send = (response: Packet): Outcome => ({ kind: 'reply', message: this.encodeFor(response, query, transport) });
    if (this.limit && !this.limit.admit(source)) return transport === 'udp' ? { kind: 'drop' } : send(replyTo(query, RCODE.REFUSED));
    if (((query.flags ?? 0) >> 11) & 0xf) return send(replyTo(query, RCODE.NOTIMP));
    if (query.questions?.length !== 1) return send(replyTo(query, RCODE.FORMERR));
    const ctx: AnswerContext = { names: this.names, loadBalancers: this.loadBalancers, clientOnLoopback: isLoopback(source), random: this.random };
    const question = query.questions[0];
    const resolution = resolveQuestion(question, ctx);
    if (resolution.kind === 'answer') {
      const answer = resolution.chaseOutside && question.type !== 'CNAME' ? await this.chase(resolution, question, ctx) : resolution;
      return send(replyWith(query, answer));
    }
    const key = cacheKey(query);
    const cached = key !== undefined ? this.cache?.get(key) : undefined;
    if (cached) return send(replyTo(query, cached.rcode, cached));
    const reply = this.forwarder?.enabled ? await this.forwarder.forward(message, query) : undefined;
    if (!reply) return send(replyTo(query, RCODE.SERVFAIL));
    if (key !== undefined) this.cache?.put(key, reply.packet);
    if (transport === 'tcp' || reply.message.length <= udpPayloadLimit(query)) return { kind: 'reply', message: reply.message };
    return send(reply.packet);
  }

  /** Completes a CNAME chain that left the namespaces by resolving its last target. */
  private async chase(answer: OwnAnswer, question: Question, ctx: AnswerContext): Promise<OwnAnswer> {
    const target: Question = { name: answer.chaseOutside!, type: question.type, class: 'IN' };
    const next = resolveQuestion(target, ctx);
    if (next.kind === 'answer') return { ...answer, rcode: next.rcode, answers: [...answer.answers, ...next.answers], authorities: next.authorities };
    const id = Math.floor(this.random() * 0x10000) & 0xffff;
    const query = decode(encode({ type: 'query', id, flags: RECURSION_DESIRED, questions: [target] }));
    const key = cacheKey(query)!;
    let found: { rcode: number; answers: Answer[]; authorities: Answer[] } | undefined = this.cache?.get(key);
    if (!found && this.forwarder?.enabled) {
      const reply = await this.forwarder.forward(encode(query), query);
      if (reply) {
        this.cache?.put(key, reply.packet);
        found = { rcode: (reply.packet.flags ?? 0) & 0xf, answers: reply.packet.answers ?? [], authorities: reply.packet.authorities ?? [] };
      }
    }
    if (!found) return { ...answer, rcode: RCODE.SERVFAIL };
    return { ...answer, rcode: found.rcode, answers: [...answer.answers, ...found.answers.filter((a) => a.type !== 'OPT')], authorities: found.authorities.filter((a) => a.type !== 'OPT') };
  }

  private encodeFor(response: Packet, query: Packet, transport: 'udp' | 'tcp'): Buffer {
    return encodeForUdp(response, transport === 'udp' ? udpPayloadLimit(query) : 0xffff);
  }
}

/** The host's resolvers, but this server itself. */
function hostUpstreams(self: { address: string; port: number }): Upstream[] {
  try {
    return upstreamsFromResolvConf(readFileSync('/etc/resolv.conf', 'utf8'), self);
  } catch {
    return [];
  }
}
