/**
 * One network load balancer UDP listener. A flow is a client's (address, port): its first
 * datagram is routed once (NLB's flow stickiness: every later datagram of the flow goes to the
 * same target) and gets an upstream socket of its own, connected to that target, so the target's
 * replies can be told apart and sent back to the right client from the listener's socket.
 *
 *   client A ─┐                 ┌─ flow A: upstream socket ─▶ target 1
 *   client B ─┴─▶ listener ─────┼─ flow B: upstream socket ─▶ target 2
 *               ◀── replies ────┘  (each reply leaves from the listener's address and port)
 *
 * - A flow with no datagram either way for the flow timeout (120 s, NLB's UDP idle timeout) ends
 *   and its upstream socket closes.
 * - Flows are bounded (`maxFlows`): a new flow past the bound evicts the least recently active
 *   one, so a flood of sources costs a bounded number of sockets and bytes.
 * - No target → the datagram is dropped. A target's socket error (an ICMP port unreachable shows
 *   as one) ends the flow; the client's next datagram starts a new flow, routed afresh.
 * - The target sees the proxy's address, not the client's: UDP has no PROXY protocol header here.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { FlowEndpoint } from './tcp.ts';
import { plainAddress } from './proxy-protocol.ts';

/** Where a UDP flow goes, as the router decided. */
export interface UdpRoute extends FlowEndpoint {
  targetGroupArn?: string;
  /** Called once when the flow ends. */
  done?: () => void;
}

/** How a UDP flow ended. */
export type UdpFlowEnd = 'idle-timeout' | 'evicted' | 'target-error' | 'listener-closed';

/** What one finished UDP flow did, for metrics (ActiveFlowCount_UDP, NewFlowCount_UDP, ProcessedBytes_UDP). */
export interface UdpFlowRecord {
  source: FlowEndpoint;
  target: FlowEndpoint;
  targetGroupArn?: string;
  packetsIn: number;
  packetsOut: number;
  /** Bytes received from the client. */
  bytesIn: number;
  /** Bytes sent back to the client. */
  bytesOut: number;
  durationMs: number;
  end: UdpFlowEnd;
}

/** A UDP listener's settings. */
export interface UdpListenerProxyOptions {
  route(source: FlowEndpoint): UdpRoute | undefined;
  /** Milliseconds a flow lives without a datagram either way (default 120 s). */
  flowTimeoutMs?: number;
  /** The most flows at once (default 4096); past it the least recently active flow is evicted. */
  maxFlows?: number;
  /** Datagrams a new flow holds while its upstream socket connects (default 64; more are dropped). */
  maxPendingDatagrams?: number;
  /** A new flow was routed (NewFlowCount_UDP). */
  onFlowStart?(source: FlowEndpoint, target: UdpRoute): void;
  /** A flow ended. */
  onFlow?(record: UdpFlowRecord): void;
}

/** NLB's UDP flow idle timeout. */
export const UDP_FLOW_TIMEOUT_MS = 120_000;

interface UdpFlow {
  source: FlowEndpoint;
  route: UdpRoute;
  upstream: dgram.Socket;
  pending?: Buffer[];
  timer: NodeJS.Timeout;
  started: number;
  packetsIn: number;
  packetsOut: number;
  bytesIn: number;
  bytesOut: number;
}

/** One UDP listener's proxy socket and its flows. */
export class UdpListenerProxy {
  private socket?: dgram.Socket;
  /** Insertion order is recency: a flow is moved to the end on every datagram, the first is the least recently active. */
  private readonly flows = new Map<string, UdpFlow>();
  private readonly maxFlows: number;
  private readonly flowTimeoutMs: number;
  private closed = false;
  /** Datagrams dropped because no target was routable. */
  dropped = 0;

  constructor(private readonly o: UdpListenerProxyOptions) {
    this.maxFlows = Math.max(1, o.maxFlows ?? 4096);
    this.flowTimeoutMs = o.flowTimeoutMs ?? UDP_FLOW_TIMEOUT_MS;
  }

  /** Binds `address:port` (port 0 picks one); resolves with the port. */
  listen(address: string, port: number): Promise<number> {
    const socket = dgram.createSocket(net.isIPv6(address) ? 'udp6' : 'udp4');
    this.socket = socket;
    this.closed = false;
    socket.on('message', (msg, rinfo) => this.receive(socket, msg, rinfo));
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ address, port, exclusive: true }, () => {
        socket.off('error', reject);
        socket.on('error', () => {
          // a send to a client that went away: datagrams are best effort
        });
        resolve(socket.address().port);
      });
    });
  }

  /** Flows open now (ActiveFlowCount_UDP). */
  get activeFlows(): number {
    return this.flows.size;
  }

  /** Closes every flow and the listener's socket. */
  async close(): Promise<void> {
    this.closed = true;
    for (const key of [...this.flows.keys()]) this.end(key, 'listener-closed');
    const socket = this.socket;
    this.socket = undefined;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      try {
        socket.close(() => resolve());
      } catch {
        resolve(); // never bound
      }
    });
  }

  private receive(listener: dgram.Socket, msg: Buffer, rinfo: dgram.RemoteInfo): void {
    if (this.closed) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = this.flows.get(key);
    if (flow) {
      this.flows.delete(key);
      this.flows.set(key, flow);
    } else {
      flow = this.open(listener, key, { address: plainAddress(rinfo.address), port: rinfo.port }, rinfo);
      if (!flow) {
        this.dropped++;
        return;
      }
    }
    flow.packetsIn++;
    flow.bytesIn += msg.length;
    flow.timer.refresh();
    if (flow.pending) {
      if (flow.pending.length < (this.o.maxPendingDatagrams ?? 64)) flow.pending.push(msg);
    } else {
      flow.upstream.send(msg);
    }
  }

  private open(listener: dgram.Socket, key: string, source: FlowEndpoint, rinfo: dgram.RemoteInfo): UdpFlow | undefined {
    let route: UdpRoute | undefined;
    try {
      route = this.o.route(source);
    } catch {
      route = undefined;
    }
    if (!route) return undefined;
    while (this.flows.size >= this.maxFlows) this.end(this.flows.keys().next().value as string, 'evicted');
    const upstream = dgram.createSocket(net.isIPv6(route.address) ? 'udp6' : 'udp4');
    const flow: UdpFlow = {
      source, route, upstream, pending: [],
      timer: setTimeout(() => this.end(key, 'idle-timeout'), this.flowTimeoutMs),
      started: performance.now(), packetsIn: 0, packetsOut: 0, bytesIn: 0, bytesOut: 0,
    };
    this.flows.set(key, flow);
    upstream.on('error', () => this.end(key, 'target-error', flow));
    upstream.on('message', (reply) => {
      if (this.flows.get(key) !== flow) return;
      flow.packetsOut++;
      flow.bytesOut += reply.length;
      flow.timer.refresh();
      this.flows.delete(key);
      this.flows.set(key, flow);
      listener.send(reply, rinfo.port, rinfo.address);
    });
    upstream.connect(route.port, route.address, () => {
      const queued = flow.pending ?? [];
      flow.pending = undefined;
      if (this.flows.get(key) !== flow) return;
      for (const msg of queued) upstream.send(msg);
    });
    this.o.onFlowStart?.(source, route);
    return flow;
  }

  private end(key: string, end: UdpFlowEnd, only?: UdpFlow): void {
    const flow = this.flows.get(key);
    if (!flow || (only && flow !== only)) {
      if (only) closeQuietly(only.upstream);
      return;
    }
    this.flows.delete(key);
    clearTimeout(flow.timer);
    closeQuietly(flow.upstream);
    flow.route.done?.();
    this.o.onFlow?.({
      source: flow.source,
      target: { address: flow.route.address, port: flow.route.port },
      targetGroupArn: flow.route.targetGroupArn,
      packetsIn: flow.packetsIn, packetsOut: flow.packetsOut, bytesIn: flow.bytesIn, bytesOut: flow.bytesOut,
      durationMs: performance.now() - flow.started,
      end,
    });
  }
}

function closeQuietly(socket: dgram.Socket): void {
  try {
    socket.close();
  } catch {
    // already closed
  }
}
