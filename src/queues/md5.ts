/**
 * The checksums SQS returns with a message: MD5 of the body, and of the message attributes in
 * SQS's binary encoding (names sorted; each of name, data type and value length-prefixed in
 * 4 bytes big-endian, the value after a transport byte: 1 for String and Number, 2 for Binary).
 * The SDK recomputes both and refuses a response that disagrees.
 */
import { createHash } from 'node:crypto';

/** A message attribute as stored: its data type and its value (string or the binary's bytes in base64). */
export interface StoredAttribute {
  dataType: string;
  stringValue?: string;
  binaryValue?: string;
}

/** MD5 of a body, as hex. */
export const md5OfBody = (body: string): string => createHash('md5').update(body, 'utf8').digest('hex');

function lengthPrefixed(bytes: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** MD5 of message (or system) attributes in SQS's encoding; undefined without any. */
export function md5OfAttributes(attributes: Record<string, StoredAttribute>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const a = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(a.dataType, 'utf8')));
    if (a.binaryValue !== undefined && a.stringValue === undefined) {
      hash.update(Buffer.from([2]));
      hash.update(lengthPrefixed(Buffer.from(a.binaryValue, 'base64')));
    } else {
      hash.update(Buffer.from([1]));
      hash.update(lengthPrefixed(Buffer.from(a.stringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}

/** The size SQS counts against MaximumMessageSize: the body and each attribute's name, type and value. */
export function messageSize(body: string, attributes: Record<string, StoredAttribute>): number {
  let size = Buffer.byteLength(body, 'utf8');
  for (const [name, a] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(a.dataType, 'utf8');
    size += a.stringValue !== undefined ? Buffer.byteLength(a.stringValue, 'utf8') : Buffer.from(a.binaryValue ?? '', 'base64').length;
  }
  return size;
}
