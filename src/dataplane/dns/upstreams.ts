/**
 * The resolvers names outside the namespaces are forwarded to: the host's, read from
 * /etc/resolv.conf's `nameserver` lines, without the server's own address (forwarding to
 * itself would loop).
 */
import { isIP } from 'node:net';

/** A resolver to forward to. */
export interface Upstream {
  address: string;
  port: number;
}

/**
 * The `nameserver` addresses of a resolv.conf text, port 53, skipping `self` (the DNS server's
 * own address and port) and anything that is not an IP address (a zone index is dropped).
 */
export function upstreamsFromResolvConf(text: string, self?: Upstream): Upstream[] {
  const out: Upstream[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const address = m[1].split('%')[0];
    if (!isIP(address)) continue;
    if (self && self.address === address && self.port === 53) continue;
    if (out.some((u) => u.address === address)) continue;
    out.push({ address, port: 53 });
  }
  return out;
}
