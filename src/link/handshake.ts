/**
 * The agent link's handshake: what is checked before a WebSocket upgrade is accepted. An agent
 * signs its upgrade request (`GET /_wharf/agent`) with SigV4 for service `ecs` in its region,
 * as the AWS SDKs sign an API call, with its credentials (an instance role, an IAM user's
 * key, or — for `wharf dev`'s local agent — the account root's key). The link verifies it as
 * the API verifies a request (`authenticate`); what the principal may do is decided later, at
 * `hello`, when it is known which cluster it registers in.
 *
 *   upgrade ──▶ Origin? 403 ──▶ rate / links per source address? 429 ──▶ SigV4? 401 ──▶ 101 (link)
 *
 * Refusals are plain HTTP answers with an AWS-style JSON body, written before any upgrade.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { AwsError, authenticate, ecsModel, type Authority, type Principal, type WireRequest } from '../aws/index.ts';

/** Who is on the other end of a link, as its handshake established. */
export interface LinkPeer {
  principal: Principal;
  /** The region of the signature's credential scope. */
  region: string;
  /** The session token of temporary credentials (registry tokens issued to the link are bound to it). */
  sessionToken?: string;
  /** When temporary credentials end (epoch ms): the link is closed then, and the agent signs again with fresh ones. */
  expiresAt?: number;
  /** The caller's address (aws:SourceIp) and whether the link is TLS (aws:SecureTransport). */
  sourceIp: string;
  secure: boolean;
}

/** How upgrades are authenticated: as the API authenticates requests. */
export interface HandshakeOptions {
  authority: Authority;
  /** `wharf dev` without --enforce-iam: an access key IAM does not know acts as the account root. */
  unknownKeysAsRoot: boolean;
  /** The account unknown keys act in. */
  account: string;
}

/** An upgrade refused: its HTTP status and the AWS-style error to answer with. */
export interface UpgradeRefusal {
  status: number;
  code: string;
  message: string;
  retryAfterS?: number;
}

/** The caller's address as IAM's aws:SourceIp sees it (IPv4-mapped IPv6 unwrapped). */
export function sourceIpOf(req: http.IncomingMessage): string {
  const address = req.socket.remoteAddress ?? '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/**
 * Refuses an upgrade a browser made: web pages always send `Origin` with a WebSocket request,
 * agents never do, so no page a user visits can open a link with the user's network position.
 */
export function browserRefusal(req: http.IncomingMessage): UpgradeRefusal | undefined {
  if (req.headers.origin === undefined) return undefined;
  return { status: 403, code: 'AccessDeniedException', message: 'The agent link does not take requests from web pages (Origin).' };
}

/** Verifies the upgrade's SigV4 signature; resolves with the peer, or the 401 to answer with. */
export async function authenticateUpgrade(
  req: http.IncomingMessage, o: HandshakeOptions, now: number,
): Promise<{ peer: LinkPeer } | { refusal: UpgradeRefusal }> {
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers)) headers[name] = Array.isArray(value) ? value.join(',') : value;
  const url = new URL(req.url ?? '/', 'http://wharf');
  const wire: WireRequest = {
    method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0], query: url.searchParams, headers, body: Buffer.alloc(0),
  };
  try {
    const who = await authenticate(wire, ecsModel, o.authority, { unknownKeysAsRoot: o.unknownKeysAsRoot, account: o.account }, now);
    const sessionToken = headers['x-amz-security-token'];
    const secure = (req.socket as { encrypted?: boolean }).encrypted === true;
    let expiresAt: number | undefined;
    if (sessionToken && who.principal.accessKeyId) {
      const found = await o.authority.findSigningKey(who.principal.accessKeyId, sessionToken, now);
      if (found.status === 'found') expiresAt = found.key.expiresAt;
    }
    return {
      peer: {
        principal: who.principal, region: who.region, ...(sessionToken && { sessionToken }), ...(expiresAt !== undefined && { expiresAt }),
        sourceIp: sourceIpOf(req), secure,
      },
    };
  } catch (error) {
    if (!(error instanceof AwsError)) throw error;
    return { refusal: { status: 401, code: error.code, message: error.message } };
  }
}

const REASONS: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' };

/** Answers an upgrade request with `refusal` and closes the socket. */
export function refuseUpgrade(socket: Duplex, refusal: UpgradeRefusal): void {
  if (socket.destroyed) return;
  const body = JSON.stringify({ __type: refusal.code, message: refusal.message });
  const head = [
    `HTTP/1.1 ${refusal.status} ${REASONS[refusal.status] ?? 'Error'}`,
    'Connection: close',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...(refusal.retryAfterS !== undefined ? [`Retry-After: ${refusal.retryAfterS}`] : []),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
  setTimeout(() => socket.destroy(), 1000).unref();
}
