/**
 * The PROXY protocol version 2 header (HAProxy's proxy-protocol.txt, section 2.2), which a network
 * load balancer prepends to each TCP connection to a target whose group has
 * `proxy_protocol_v2.enabled`: a userspace proxy opens its own connection to the target, so this
 * header is the only way the target learns the client's address and port.
 *
 *   12 bytes  signature 0D 0A 0D 0A 00 0D 0A 51 55 49 54 0A
 *    1 byte   version (high nibble, always 2) and command (low nibble: 0 LOCAL, 1 PROXY)
 *    1 byte   address family (high nibble: 0 UNSPEC, 1 INET, 2 INET6) and transport (low: 0 UNSPEC, 1 STREAM, 2 DGRAM)
 *    2 bytes  length of what follows, big-endian
 *    addresses: source address, destination address, source port, destination port (12 bytes for
 *    IPv4, 36 for IPv6), then TLVs (type byte, 2-byte big-endian length, value)
 */
import net from 'node:net';

/** The twelve bytes every version 2 header starts with. */
export const PROXY_V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** One end of a connection as the header names it. */
export interface ProxyEndpoint {
  address: string;
  port: number;
}

/** A type-length-value entry after the addresses (e.g. 0xEA, the range AWS uses for its own). */
export interface ProxyTlv {
  type: number;
  value: Buffer;
}

/** What one header says. */
export interface ProxyHeaderV2 {
  /** `proxy`: relayed for a client (the addresses apply); `local`: the proxy's own connection, e.g. a health check. */
  command: 'proxy' | 'local';
  transport: 'stream' | 'dgram';
  source?: ProxyEndpoint;
  destination?: ProxyEndpoint;
  tlvs?: ProxyTlv[];
}

const MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** An address without a zone and, for an IPv4-mapped IPv6 address, as plain IPv4. */
export function plainAddress(address: string): string {
  const bare = address.replace(/%.*$/, '');
  const mapped = MAPPED.exec(bare);
  return mapped ? mapped[1] : bare;
}

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map((part) => Number(part)));
}

/** The 16 bytes of an IPv6 address (`::` runs and a dotted IPv4 tail expanded); an IPv4 address as IPv4-mapped. */
export function ipv6Bytes(address: string): Buffer {
  const bare = address.replace(/%.*$/, '');
  if (net.isIPv4(bare)) return Buffer.concat([Buffer.alloc(10), Buffer.from([0xff, 0xff]), ipv4Bytes(bare)]);
  if (!net.isIPv6(bare)) throw new TypeError(`not an IP address: ${address}`);
  const out = Buffer.alloc(16);
  const [head, tail] = bare.includes('::') ? bare.split('::') : [bare, undefined];
  const groups = (text: string | undefined): number[] => {
    if (!text) return [];
    return text.split(':').flatMap((group) => {
      if (group.includes('.')) {
        const b = ipv4Bytes(group);
        return [(b[0] << 8) | b[1], (b[2] << 8) | b[3]];
      }
      return [parseInt(group, 16)];
    });
  };
  const front = groups(head);
  const back = groups(tail);
  front.forEach((g, i) => out.writeUInt16BE(g, i * 2));
  back.forEach((g, i) => out.writeUInt16BE(g, (8 - back.length + i) * 2));
  return out;
}

/**
 * The header's bytes. Both ends IPv4 → AF_INET; otherwise AF_INET6 with any IPv4 end written
 * IPv4-mapped, as the specification has a sender do when families differ. `local` writes no
 * addresses (family UNSPEC).
 */
export function encodeProxyV2(header: ProxyHeaderV2): Buffer {
  const tlvs = (header.tlvs ?? []).map(({ type, value }) => {
    const head = Buffer.alloc(3);
    head.writeUInt8(type, 0);
    head.writeUInt16BE(value.length, 1);
    return Buffer.concat([head, value]);
  });
  let family = 0x0;
  let addresses = Buffer.alloc(0);
  if (header.command === 'proxy') {
    if (!header.source || !header.destination) throw new TypeError('a PROXY header names its source and destination');
    const src = plainAddress(header.source.address);
    const dst = plainAddress(header.destination.address);
    const ports = Buffer.alloc(4);
    ports.writeUInt16BE(header.source.port, 0);
    ports.writeUInt16BE(header.destination.port, 2);
    if (net.isIPv4(src) && net.isIPv4(dst)) {
      family = 0x1;
      addresses = Buffer.concat([ipv4Bytes(src), ipv4Bytes(dst), ports]);
    } else {
      family = 0x2;
      addresses = Buffer.concat([ipv6Bytes(src), ipv6Bytes(dst), ports]);
    }
  }
  const transport = header.command === 'local' ? 0x0 : header.transport === 'stream' ? 0x1 : 0x2;
  const body = Buffer.concat([addresses, ...tlvs]);
  if (body.length > 0xffff) throw new RangeError('a PROXY header carries at most 65535 bytes after its first 16');
  const fixed = Buffer.alloc(4);
  fixed.writeUInt8(0x20 | (header.command === 'proxy' ? 0x1 : 0x0), 0);
  fixed.writeUInt8((family << 4) | transport, 1);
  fixed.writeUInt16BE(body.length, 2);
  return Buffer.concat([PROXY_V2_SIGNATURE, fixed, body]);
}
