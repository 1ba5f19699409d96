/**
 * A Node HTTP request as the AWS protocols and SigV4 read it. Every door that takes signed
 * requests (the endpoint, the agent link's upgrade, the operator routes) reads them the same
 * way, so a signature that verifies at one verifies at all.
 */
import type http from 'node:http';
import type { WireRequest } from './protocol/types.ts';

/** The request with its whole `body`: the path as sent (not decoded), `url`'s query, repeated headers joined by commas. */
export function wireRequestOf(req: http.IncomingMessage, url: URL, body: Buffer): WireRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : value;
  return { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], query: url.searchParams, headers, body };
}

/** The caller's address as IAM's aws:SourceIp sees it (IPv4-mapped IPv6 unwrapped). */
export function sourceIpOf(req: http.IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
