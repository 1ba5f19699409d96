/**
 * One network load balancer TLS listener: the TCP listener's flows (tcp.ts: routing once per
 * connection, splicing with backpressure and half-close, resets, idle timeout, PROXY v2) with TLS
 * terminated at the listener — its ACM certificates chosen by SNI, its security policy's
 * versions, the ALPN protocols its ALPN policy offers — and the decrypted stream sent on as it is
 * to a TCP target group, or encrypted anew to a TLS target group (whose certificates, as an NLB's
 * are, go unverified).
 *
 *   client ══TLS══▶ listener (cert by SNI, ALPN) ──plain──▶ TCP target
 *                                                 ══TLS══▶ TLS target (not verified)
 *
 * A client whose handshake fails never becomes a flow (ClientTLSNegotiationErrorCount); a TLS
 * target whose handshake fails is a refused connection (the client's is reset).
 */
import net from 'node:net';
import tls from 'node:tls';
import type { ListenerTls } from '../listener-tls.ts';
import { TcpListenerProxy, type TcpListenerProxyOptions, type TcpRoute } from './tcp.ts';

/** The ALPN protocols each ALPN policy offers, in the listener's order of preference; `None` offers none. */
export const ALPN_PROTOCOLS: Record<string, string[]> = {
  HTTP1Only: ['http/1.1', 'http/1.0'],
  HTTP2Only: ['h2'],
  HTTP2Optional: ['http/1.1', 'http/1.0', 'h2'],
  HTTP2Preferred: ['h2', 'http/1.1', 'http/1.0'],
  None: [],
};

/** A TLS listener's settings: a TCP listener's, with its TLS. */
export interface TlsListenerProxyOptions extends Omit<TcpListenerProxyOptions, 'server' | 'connectTarget'> {
  tls: ListenerTls;
  /** The listener's ALPN policy (absent: `None`). */
  alpnPolicy?: string;
  /** Whether the flow's target group speaks TLS (the stream is encrypted again to it). */
  targetSpeaksTls(route: TcpRoute): boolean;
  /** A client's handshake failed (ClientTLSNegotiationErrorCount). */
  onClientTlsError?(): void;
}

/** A TLS listener: a TCP listener proxy whose server terminates TLS and whose targets may speak TLS. */
export function tlsListenerProxy(o: TlsListenerProxyOptions): TcpListenerProxy {
  const alpn = ALPN_PROTOCOLS[o.alpnPolicy ?? 'None'] ?? [];
  return new TcpListenerProxy({
    ...o,
    server(accept) {
      const server = tls.createServer({ ...o.tls, allowHalfOpen: true, ...(alpn.length ? { ALPNProtocols: alpn } : {}) }, accept);
      server.on('tlsClientError', (_error, socket) => {
        o.onClientTlsError?.();
        socket.destroy();
      });
      return server;
    },
    connectTarget(route) {
      if (!o.targetSpeaksTls(route)) return { socket: net.connect({ host: route.address, port: route.port, allowHalfOpen: true }), ready: 'connect' };
      // allowHalfOpen is read by node's TLSSocket though its type leaves it out
      const socket = tls.connect({ host: route.address, port: route.port, rejectUnauthorized: false, allowHalfOpen: true } as tls.ConnectionOptions);
      return { socket, ready: 'secureConnect' };
    },
  });
}
