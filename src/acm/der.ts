/**
 * A small DER encoder and reader, enough for X.509 certificates (RFC 5280 over X.690's
 * Distinguished Encoding Rules): node's crypto makes keys and signs, but builds no certificate,
 * so Wharf's certificate authority writes the TBSCertificate itself. Each encoder returns the
 * complete TLV (tag, length, value) as a Buffer; constructed values take their encoded children.
 */

/** Universal tags used by certificates. */
export const TAG = {
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
  UTF8_STRING: 0x0c, PRINTABLE_STRING: 0x13, IA5_STRING: 0x16, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30, SET: 0x31,
} as const;

/** The length octets: short form below 128, else 0x80|n followed by n big-endian octets. */
function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const octets: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) octets.unshift(v & 0xff);
  return Buffer.from([0x80 | octets.length, ...octets]);
}

/** One TLV with `tag` around `content`. */
export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

/** SEQUENCE of the given encoded elements. */
export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(items));

/** SET OF the given encoded elements, sorted by their encodings as DER requires. */
export const set = (...items: Buffer[]): Buffer => tlv(TAG.SET, Buffer.concat([...items].sort(Buffer.compare)));

/** BOOLEAN: DER encodes true as 0xFF. */
export const boolean = (value: boolean): Buffer => tlv(TAG.BOOLEAN, Buffer.from([value ? 0xff : 0x00]));

/** NULL. */
export const nul = (): Buffer => tlv(TAG.NULL, Buffer.alloc(0));

/**
 * INTEGER from a non-negative bigint or big-endian magnitude: the fewest octets in two's
 * complement (a leading 0x00 when the top bit is set, none superfluous).
 */
export function integer(value: bigint | number | Buffer): Buffer {
  let bytes: Buffer;
  if (Buffer.isBuffer(value)) {
    bytes = value;
  } else {
    let v = BigInt(value);
    if (v < 0n) throw new RangeError('Only non-negative integers are encoded.');
    const octets: number[] = [];
    do {
      octets.unshift(Number(v & 0xffn));
      v >>= 8n;
    } while (v > 0n);
    bytes = Buffer.from(octets);
  }
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && (bytes[start + 1]! & 0x80) === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 0) bytes = Buffer.from([0]);
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(TAG.INTEGER, bytes);
}

/** OBJECT IDENTIFIER from dotted form: first two arcs as 40*a+b, each arc base 128 with continuation bits. */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map((a) => BigInt(a));
  if (arcs.length < 2) throw new RangeError(`Not an OID: ${dotted}`);
  const values = [arcs[0]! * 40n + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const value of values) {
    const chunk: number[] = [];
    let v = value;
    do {
      chunk.unshift(Number(v & 0x7fn) | (chunk.length ? 0x80 : 0));
      v >>= 7n;
    } while (v > 0n);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** BIT STRING of whole octets (a key, a signature): no unused bits. */
export const bitString = (bytes: Buffer): Buffer => tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), bytes]));

/**
 * A named bit list as a BIT STRING (KeyUsage): `bits` are bit numbers (0 is the first, most
 * significant bit); DER drops trailing zero bits and says how many bits of the last octet are unused.
 */
export function namedBits(bits: readonly number[]): Buffer {
  if (bits.length === 0) return tlv(TAG.BIT_STRING, Buffer.from([0]));
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const b of bits) bytes[Math.floor(b / 8)]! |= 0x80 >> (b % 8);
  const unused = 7 - (highest % 8);
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** OCTET STRING. */
export const octetString = (bytes: Buffer): Buffer => tlv(TAG.OCTET_STRING, bytes);

/** UTF8String. */
export const utf8String = (text: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));

/** PrintableString (country codes). */
export const printableString = (text: string): Buffer => tlv(TAG.PRINTABLE_STRING, Buffer.from(text, 'ascii'));

/** IA5String. */
export const ia5String = (text: string): Buffer => tlv(TAG.IA5_STRING, Buffer.from(text, 'ascii'));

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A certificate's Time: UTCTime (YYMMDDHHMMSSZ) through 2049, GeneralizedTime
 * (YYYYMMDDHHMMSSZ) from 2050, as RFC 5280 section 4.1.2.5 requires; whole seconds.
 */
export function time(epochMs: number): Buffer {
  const d = new Date(epochMs);
  const year = d.getUTCFullYear();
  const rest = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  if (year >= 1950 && year < 2050) return tlv(TAG.UTC_TIME, Buffer.from(`${pad(year % 100)}${rest}`, 'ascii'));
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${pad(year, 4)}${rest}`, 'ascii'));
}

/** A context-specific, constructed tag [n] EXPLICIT around an encoded element. */
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

/** A context-specific, primitive tag [n] IMPLICIT over raw content (GeneralName's dNSName is [2]). */
export const implicit = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

/** One element read back: its tag, its content, and where the next element starts. */
export interface Element {
  tag: number;
  content: Buffer;
  /** The whole TLV. */
  raw: Buffer;
  end: number;
}

/** Reads the element at `offset` of `der` (definite lengths only, as DER has). */
export function read(der: Buffer, offset = 0): Element {
  if (offset + 2 > der.length) throw new RangeError('Truncated DER.');
  const tag = der[offset]!;
  let len = der[offset + 1]!;
  let head = 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || offset + 2 + n > der.length) throw new RangeError('Unsupported DER length.');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[offset + 2 + i]!;
    head += n;
  }
  const end = offset + head + len;
  if (end > der.length) throw new RangeError('Truncated DER.');
  return { tag, content: der.subarray(offset + head, end), raw: der.subarray(offset, end), end };
}

/** The elements inside a constructed element's content. */
export function children(content: Buffer): Element[] {
  const out: Element[] = [];
  for (let offset = 0; offset < content.length;) {
    const e = read(content, offset);
    out.push(e);
    offset = e.end;
  }
  return out;
}

/** An OBJECT IDENTIFIER's content back to dotted form. */
export function oidText(content: Buffer): string {
  const values: bigint[] = [];
  let v = 0n;
  for (const byte of content) {
    v = (v << 7n) | BigInt(byte & 0x7f);
    if ((byte & 0x80) === 0) {
      values.push(v);
      v = 0n;
    }
  }
  const first = values[0] ?? 0n;
  const a = first < 80n ? first / 40n : 2n;
  return [a, first - a * 40n, ...values.slice(1)].join('.');
}

/** A BIT STRING's content back to the numbers of its set bits. */
export function bitsSet(content: Buffer): number[] {
  const unused = content[0] ?? 0;
  const bytes = content.subarray(1);
  const out: number[] = [];
  for (let i = 0; i < bytes.length * 8 - (bytes.length ? unused : 0); i++) if (bytes[Math.floor(i / 8)]! & (0x80 >> (i % 8))) out.push(i);
  return out;
}
