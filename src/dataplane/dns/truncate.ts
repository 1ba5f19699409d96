/**
 * What fits in a UDP response: 512 bytes without EDNS0, the client's advertised payload size
 * with it (never less than 512, never more than what one datagram carries). A response too big
 * first loses its additional records (optional data); if it still does not fit, it goes out with
 * the question alone and TC set, and the client asks again over TCP.
 */
import { TRUNCATED_RESPONSE, encode, encodingLength, type Packet } from 'dns-packet';
import { optOf } from './reply.ts';

/** The classic limit of a DNS message over UDP without EDNS0. */
export const CLASSIC_UDP_PAYLOAD = 512;
/** The most any UDP response of this server carries, whatever a client advertises. */
export const MAX_UDP_PAYLOAD = 4096;

/** The largest UDP response this query's sender accepts. */
export function udpPayloadLimit(query: Packet): number {
  const opt = optOf(query);
  if (!opt) return CLASSIC_UDP_PAYLOAD;
  return Math.min(MAX_UDP_PAYLOAD, Math.max(CLASSIC_UDP_PAYLOAD, opt.udpPayloadSize));
}

/** Encodes `response` for UDP within `limit` bytes: whole, without additionals, or truncated. */
export function encodeForUdp(response: Packet, limit: number): Buffer {
  if (encodingLength(response) <= limit) return encode(response);
  const opt = (response.additionals ?? []).filter((a) => a.type === 'OPT');
  const lean: Packet = { ...response, additionals: opt };
  if (encodingLength(lean) <= limit) return encode(lean);
  return encode({ ...response, flags: (response.flags ?? 0) | TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: opt });
}
