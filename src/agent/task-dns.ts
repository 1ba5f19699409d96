/**
 * The tasks' resolver, at 169.254.169.253:53 as AWS's VPC resolver is reached, in every task's
 * network (bridge containers through the Docker bridge, awsvpc tasks through their subnet's
 * router): it relays each query, over UDP and TCP, to the control plane's DNS server, which
 * answers Cloud Map's names and load balancers' and forwards the rest.
 *
 *   task ──udp/tcp 53──▶ 169.254.169.253 (lo, this host) ──▶ control plane's DNS server
 *
 * UDP queries go out of one socket under ids of the relay's own (the answer is matched back to
 * the task by its id); a query unanswered within the timeout is forgotten, and the task's
 * resolver asks again. Each TCP connection is joined to one of its own to the server.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import os from 'node:os';
import { run } from './host-network.ts';

/** The link-local address tasks find their resolver at (AWS's VPC resolver's, 169.254.169.253). */
export const TASK_DNS_ADDRESS = '169.254.169.253';

/** Where the control plane's DNS server is. */
export interface DnsServerAddress {
  address: string;
  port: number;
}

/** What the relay is given. */
export interface TaskDnsOptions {
  /** The control plane's DNS server. */
  server: DnsServerAddress;
  /** How long a relayed UDP query waits for its answer before it is forgotten (default 5 s). */
  timeoutMs?: number;
  log(message: string): void;
}

/** Where the relay listens (the address is given to `lo` when this host has not got it; that needs root). */
export interface TaskDnsListen {
  address: string;
  port: number;
}

/** The served relay. */
export interface ServedTaskDns {
  address: string;
  port: number;
  close(): Promise<void>;
}

const isLoopback = (address: string) => address.startsWith('127.') || address === '::1';

interface Pending {
  id: number;
  address: string;
  port: number;
  timer: NodeJS.Timeout;
}

/** UDP: queries from tasks to the server under the relay's own ids, answers back to the task that asked. */
class UdpRelay {
  private readonly pending = new Map<number, Pending>();
  private next = 0;

  constructor(private readonly inside: dgram.Socket, private readonly outside: dgram.Socket, private readonly o: TaskDnsOptions) {
    inside.on('message', (message, rinfo) => this.query(message, rinfo));
    outside.on('message', (message) => this.answer(message));
  }

  private query(message: Buffer, from: dgram.RemoteInfo): void {
    if (message.length < 12) return;
    const id = this.freeId();
    if (id === undefined) return; // 65,536 queries in flight: this one is dropped and asked again
    const timer = setTimeout(() => this.pending.delete(id), this.o.timeoutMs ?? 5000);
    timer.unref();
    this.pending.set(id, { id: message.readUInt16BE(0), address: from.address, port: from.port, timer });
    const out = Buffer.from(message);
    out.writeUInt16BE(id, 0);
    this.outside.send(out, this.o.server.port, this.o.server.address);
  }

  private answer(message: Buffer): void {
    if (message.length < 12) return;
    const asked = this.pending.get(message.readUInt16BE(0));
    if (!asked) return;
    this.pending.delete(message.readUInt16BE(0));
    clearTimeout(asked.timer);
    message.writeUInt16BE(asked.id, 0);
    this.inside.send(message, asked.port, asked.address);
  }

  private freeId(): number | undefined {
    for (let i = 0; i < 0x10000; i++) {
      const id = (this.next + i) & 0xffff;
      if (!this.pending.has(id)) {
        this.next = id + 1;
        return id;
      }
    }
    return undefined;
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}

function bindUdp(address: string, port: number): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    socket.once('error', reject);
    socket.bind(port, address, () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/**
 * Serves the relay at `listen`, first giving this host the address (on `lo`) when it has not
 * got it. Resolves undefined, having said why, when it cannot be served here (then tasks keep
 * Docker's resolvers).
 */
export async function serveTaskDns(o: TaskDnsOptions, listen: TaskDnsListen): Promise<ServedTaskDns | undefined> {
  const held = new Set(Object.values(os.networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address)));
  let added = false;
  try {
    if (!held.has(listen.address)) {
      await run('ip', ['addr', 'add', `${listen.address}/32`, 'dev', 'lo']);
      added = true;
    }
  } catch (error) {
    o.log(`task resolver: cannot give this host ${listen.address} (${error instanceof Error ? error.message : String(error)}): tasks resolve with Docker's resolvers here`);
    return undefined;
  }
  const removeAddress = async () => {
    if (added) await run('ip', ['addr', 'del', `${listen.address}/32`, 'dev', 'lo']).catch(() => undefined);
  };
  // A server on this host sees the relay's own address, not loopback: it answers as it answers tasks (load balancers' subnet addresses).
  const source = isLoopback(o.server.address) && !net.isIPv6(listen.address) ? listen.address : undefined;
  let inside: dgram.Socket | undefined;
  let outside: dgram.Socket | undefined;
  let tcp: net.Server | undefined;
  const connections = new Set<net.Socket>();
  try {
    inside = await bindUdp(listen.address, listen.port);
    outside = await bindUdp(source ?? (net.isIPv6(o.server.address) ? '::' : '0.0.0.0'), 0);
    tcp = net.createServer((socket) => {
      const upstream = net.connect({ host: o.server.address, port: o.server.port, ...(source && { localAddress: source }) });
      for (const s of [socket, upstream]) {
        connections.add(s);
        s.on('close', () => connections.delete(s));
        s.on('error', () => {
          socket.destroy();
          upstream.destroy();
        });
      }
      socket.setTimeout(30_000, () => socket.destroy());
      socket.pipe(upstream).pipe(socket);
    });
    tcp.maxConnections = 512;
    await new Promise<void>((resolve, reject) => {
      tcp!.once('error', reject);
      tcp!.listen({ host: listen.address, port: (inside!.address()).port, exclusive: true }, () => resolve());
    });
  } catch (error) {
    o.log(`task resolver: cannot listen on ${listen.address}:${listen.port} (${error instanceof Error ? error.message : String(error)}): tasks resolve with Docker's resolvers here`);
    inside?.close();
    outside?.close();
    tcp?.close();
    await removeAddress();
    return undefined;
  }
  for (const s of [inside, outside]) s.on('error', (error) => o.log(`task resolver: ${error.message}`));
  const relay = new UdpRelay(inside, outside, o);
  // Listening, this agent holds the address: one an agent killed before it could remove it is this one's to remove now.
  added = added || !isLoopback(listen.address);
  const port = inside.address().port;
  return {
    address: listen.address,
    port,
    close: async () => {
      relay.close();
      for (const s of connections) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => inside!.close(() => resolve())),
        new Promise<void>((resolve) => outside!.close(() => resolve())),
        new Promise<void>((resolve) => tcp!.close(() => resolve())),
      ]);
      await removeAddress();
    },
  };
}
