/**
 * A TCP_UDP listener: TCP and UDP on the same port of the load balancer's address, each with its
 * own flows (a TCP_UDP target group gets both kinds; the router decides per flow as for TCP and
 * UDP listeners).
 */
import { TcpListenerProxy, type TcpListenerProxyOptions } from './tcp.ts';
import { UdpListenerProxy, type UdpListenerProxyOptions } from './udp.ts';

/** Both halves of a TCP_UDP listener, started and closed together. */
export class TcpUdpListenerProxy {
  readonly tcp: TcpListenerProxy;
  readonly udp: UdpListenerProxy;

  constructor(tcp: TcpListenerProxyOptions, udp: UdpListenerProxyOptions) {
    this.tcp = new TcpListenerProxy(tcp);
    this.udp = new UdpListenerProxy(udp);
  }

  /**
   * Listens on `port` with both protocols; resolves with the port. With port 0 the TCP side picks
   * one and UDP takes the same, trying again with another if UDP's is taken.
   */
  async listen(address: string, port: number): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const bound = await this.tcp.listen(address, port);
      try {
        await this.udp.listen(address, bound);
        return bound;
      } catch (error) {
        await this.close();
        if (port !== 0 || attempt >= 8 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
      }
    }
  }

  /** Closes both halves and all their flows. */
  async close(): Promise<void> {
    await Promise.all([this.tcp.close(), this.udp.close()]);
  }
}
