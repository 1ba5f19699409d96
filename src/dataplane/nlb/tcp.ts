/**
 * One network load balancer TCP listener: each client connection is a flow, routed once (a
 * function over the listener's target group and target health, given by the caller) and spliced
 * to the target byte for byte, both ways, with backpressure and half-close.
 *
 *   client ──accept (paused)──▶ route(source) ──undefined──▶ RST (no healthy target)
 *                                     └──▶ connect target ──refused / timed out──▶ RST
 *                                                └──▶ [PROXY v2 header] ──▶ client ⇄ target
 *
 * What an NLB does in the network a userspace proxy does with two sockets, and that shows:
 * - The target sees the proxy's address, not the client's (AWS's client IP preservation cannot be
 *   had without owning the packets). A target group with `proxy_protocol_v2.enabled` gets the
 *   client's address and port in a PROXY protocol v2 header before the first byte instead.
 * - The client's connection is accepted before the target's is made; the client's bytes are not
 *   read until the target has accepted, and a target that refuses or does not answer within the
 *   connect timeout turns into a reset of the client's connection, which is what a client of an
 *   NLB sees when its SYN is refused.
 * - Resets pass through: a client's reset resets the target's connection and the other way round.
 * - A flow with no bytes either way for the idle timeout (`tcp.idle_timeout.seconds`, 350 s by
 *   default) is reset on both sides; an NLB forgets the flow and resets at the next packet.
 */
import net from 'node:net';
import { encodeProxyV2, plainAddress } from './proxy-protocol.ts';

/** A client or a target: an address and a port. */
export interface FlowEndpoint {
  address: string;
  port: number;
}

/** Where a flow goes, as the router decided. */
export interface TcpRoute extends FlowEndpoint {
  /** The target group's `proxy_protocol_v2.enabled`: send a PROXY v2 header before the client's bytes. */
  proxyProtocolV2?: boolean;
  targetGroupArn?: string;
  /** Called once when the flow is over (for least-connections picks and draining). */
  done?: () => void;
}

/** How a flow ended: the figures behind TCP_ELB_Reset_Count, TCP_Client_Reset_Count and TCP_Target_Reset_Count. */
export type TcpFlowEnd =
  | 'closed' // both sides finished
  | 'client-reset' // the client reset or failed; the target's connection was reset
  | 'target-reset' // the target reset or failed; the client's connection was reset
  | 'no-target' // the router had no target: reset by the load balancer
  | 'connect-refused' // the target refused: reset by the load balancer
  | 'connect-timeout' // the target did not accept in time: reset by the load balancer
  | 'idle-timeout' // no bytes either way for the idle timeout: both reset by the load balancer
  | 'listener-closed'; // the listener was closed under the flow: both reset

/** What one finished flow did, for metrics (NewFlowCount, ActiveFlowCount, ProcessedBytes) and logs. */
export interface TcpFlowRecord {
  source: FlowEndpoint;
  target?: FlowEndpoint;
  targetGroupArn?: string;
  /** Bytes received from the client. */
  bytesIn: number;
  /** Bytes sent to the client. */
  bytesOut: number;
  durationMs: number;
  end: TcpFlowEnd;
}

/** A TCP listener's settings. */
export interface TcpListenerProxyOptions {
  route(source: FlowEndpoint): TcpRoute | undefined;
  /** The listener's `tcp.idle_timeout.seconds` in milliseconds, read per flow (default 350 s). */
  idleTimeoutMs?: () => number;
  /** How long a target has to accept a connection (default 10 s). */
  connectTimeoutMs?: number;
  /** A flow was accepted and routed to a target (NewFlowCount). */
  onFlowStart?(source: FlowEndpoint, target: TcpRoute): void;
  /** A flow ended, with its bytes and duration. */
  onConnection?(record: TcpFlowRecord): void;
  /**
   * How clients' connections are accepted (default: a plain TCP server, each socket paused until
   * its target accepts). A TLS listener gives a TLS server here: its flows are the decrypted streams.
   */
  server?(accept: (client: net.Socket) => void): net.Server;
  /**
   * How the target's connection is made (default: plain TCP, ready on `connect`). A TLS target
   * group's is a TLS client, ready on `secureConnect`.
   */
  connectTarget?(route: TcpRoute): { socket: net.Socket; ready: 'connect' | 'secureConnect' };
}

/** NLB's default TCP idle timeout. */
export const TCP_IDLE_TIMEOUT_MS = 350_000;
const CONNECT_TIMEOUT_MS = 10_000;

const LB_RESETS = new Set<TcpFlowEnd>(['no-target', 'connect-refused', 'connect-timeout', 'idle-timeout', 'listener-closed']);

/** Whether the load balancer itself reset the client's connection (TCP_ELB_Reset_Count). */
export const resetByLoadBalancer = (end: TcpFlowEnd): boolean => LB_RESETS.has(end);

/** A live flow: the two sockets and how it is going. */
interface Flow {
  client: net.Socket;
  upstream?: net.Socket;
  end?: TcpFlowEnd;
  finish(end: TcpFlowEnd): void;
}

/** One TCP listener's proxy server. */
export class TcpListenerProxy {
  private readonly server: net.Server;
  private readonly flows = new Set<Flow>();

  constructor(private readonly o: TcpListenerProxyOptions) {
    const accept = (socket: net.Socket) => this.accept(socket);
    this.server = o.server ? o.server(accept) : net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, accept);
  }

  /** Listens on `address:port` (port 0 picks one); resolves with the port. */
  listen(address: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: address, port, exclusive: true }, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** Flows open now (ActiveFlowCount). */
  get activeFlows(): number {
    return this.flows.size;
  }

  /** Bytes this process holds for all flows (both sockets' read and write buffers): bounded by backpressure. */
  bufferedBytes(): number {
    let total = 0;
    for (const f of this.flows) {
      for (const s of [f.client, f.upstream]) if (s) total += s.writableLength + s.readableLength;
    }
    return total;
  }

  /** Stops listening and resets every flow on both sides. */
  async close(): Promise<void> {
    for (const f of [...this.flows]) f.finish('listener-closed');
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    const started = performance.now();
    if (client.remoteAddress === undefined || client.remotePort === undefined) {
      client.destroy();
      return;
    }
    const source = { address: plainAddress(client.remoteAddress), port: client.remotePort };
    let route: TcpRoute | undefined;
    try {
      route = this.o.route(source);
    } catch {
      route = undefined;
    }
    let idle: NodeJS.Timeout | undefined;
    let connectTimer: NodeJS.Timeout | undefined;
    let closedSockets = 0;
    const flow: Flow = {
      client,
      finish: (end) => {
        if (flow.end) return;
        flow.end = end;
        clearTimeout(idle);
        clearTimeout(connectTimer);
        const up = flow.upstream;
        if (end === 'closed') {
          client.destroy();
          up?.destroy();
        } else if (end === 'client-reset') {
          client.destroy();
          if (up) resetOrDestroy(up);
        } else {
          // the load balancer's reset (no target, timeouts, the listener closed under the flow), or the target's passed through
          resetOrDestroy(client);
          if (up) resetOrDestroy(up);
        }
        this.flows.delete(flow);
        route?.done?.();
        this.o.onConnection?.({
          source,
          target: route && { address: route.address, port: route.port },
          targetGroupArn: route?.targetGroupArn,
          bytesIn: client.bytesRead,
          bytesOut: client.bytesWritten,
          durationMs: performance.now() - started,
          end,
        });
      },
    };
    this.flows.add(flow);
    // until the flow is spliced, a client error is the client's reset
    client.on('error', () => flow.finish('client-reset'));
    if (!route) {
      flow.finish('no-target');
      return;
    }
    const target = route;
    this.o.onFlowStart?.(source, target);
    const { socket: upstream, ready } = this.o.connectTarget?.(target) ?? { socket: net.connect({ host: target.address, port: target.port, allowHalfOpen: true }), ready: 'connect' };
    flow.upstream = upstream;
    connectTimer = setTimeout(() => flow.finish('connect-timeout'), this.o.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    let connected = false;
    upstream.on('error', () => flow.finish(connected ? 'target-reset' : 'connect-refused'));
    client.on('close', (hadError) => {
      if (hadError) flow.finish('client-reset');
      else if (++closedSockets === 2) flow.finish('closed');
    });
    upstream.on('close', (hadError) => {
      if (hadError) flow.finish(connected ? 'target-reset' : 'connect-refused');
      else if (!connected) flow.finish('connect-refused');
      else if (++closedSockets === 2) flow.finish('closed');
    });
    upstream.once(ready, () => {
      connected = true;
      clearTimeout(connectTimer);
      client.setNoDelay(true);
      upstream.setNoDelay(true);
      if (target.proxyProtocolV2) {
        upstream.write(encodeProxyV2({
          command: 'proxy', transport: 'stream',
          source, destination: { address: client.localAddress ?? '0.0.0.0', port: client.localPort ?? 0 },
        }));
      }
      // The idle clock: bytes either way push it back.
      const idleMs = this.o.idleTimeoutMs?.() ?? TCP_IDLE_TIMEOUT_MS;
      let last = performance.now();
      const touch = () => {
        last = performance.now();
      };
      const check = () => {
        const left = last + idleMs - performance.now();
        if (left <= 0) flow.finish('idle-timeout');
        else idle = setTimeout(check, left);
      };
      idle = setTimeout(check, idleMs);
      client.on('data', touch);
      upstream.on('data', touch);
      client.pipe(upstream);
      upstream.pipe(client);
    });
  }
}

/** Sends a reset where the socket can, else just drops it. */
function resetOrDestroy(socket: net.Socket): void {
  if (socket.destroyed) return;
  try {
    // A socket already ending has a shutdown in flight, which a reset would leave pending forever.
    if (socket.readyState === 'opening' || socket.writableEnded) socket.destroy();
    else socket.resetAndDestroy();
  } catch {
    socket.destroy();
  }
}
