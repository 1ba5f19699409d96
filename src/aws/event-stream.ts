/**
 * AWS event streams (`application/vnd.amazon.eventstream`), the response body of operations
 * whose output member is a stream of events (CloudWatch Logs' StartLiveTail). Each message is
 *
 *   [u32 total length][u32 headers length][u32 CRC32 of those 8 bytes]
 *   [headers: u8 name length, name, u8 type (7 = string), u16 value length, value]...
 *   [payload][u32 CRC32 of everything before it]
 *
 * all big-endian. An event carries `:message-type: event`, `:event-type` (the member of the
 * stream's union) and `:content-type`; an error the operation models carries
 * `:message-type: exception` and `:exception-type`; anything else `:message-type: error`.
 */
import { crc32 } from 'node:zlib';
import { AwsError } from './errors.ts';

/** The media type of an event stream's body. */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

const STRING = 7;
const PRELUDE = 12;

/** One message: string headers and a payload. */
export function encodeEventStreamMessage(headers: Readonly<Record<string, string>>, payload: Uint8Array): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    const v = Buffer.from(value, 'utf8');
    if (n.length > 255 || v.length > 65_535) throw new Error(`event stream header ${name} is too long`);
    const head = Buffer.alloc(1 + n.length + 3);
    head.writeUInt8(n.length, 0);
    n.copy(head, 1);
    head.writeUInt8(STRING, 1 + n.length);
    head.writeUInt16BE(v.length, 2 + n.length);
    parts.push(head, v);
  }
  const headerBytes = Buffer.concat(parts);
  const total = PRELUDE + headerBytes.length + payload.length + 4;
  const message = Buffer.alloc(total);
  message.writeUInt32BE(total, 0);
  message.writeUInt32BE(headerBytes.length, 4);
  message.writeUInt32BE(crc32(message.subarray(0, 8)), 8);
  headerBytes.copy(message, PRELUDE);
  Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).copy(message, PRELUDE + headerBytes.length);
  message.writeUInt32BE(crc32(message.subarray(0, total - 4)), total - 4);
  return message;
}

/** An event of the stream: `{ <member>: <its structure> }`, as the SDKs' union types shape it. */
export type StreamEvent = Readonly<Record<string, unknown>>;

/**
 * The body of an event stream: each event as a JSON message named by its union member; an
 * AwsError the events end with as an exception message of its code (the SDKs throw it from
 * their iterator); any other failure as an InternalFailure error message.
 */
export async function* eventStreamBody(events: AsyncIterable<StreamEvent>): AsyncGenerator<Buffer> {
  try {
    for await (const event of events) {
      const [member, value] = Object.entries(event)[0] ?? [];
      if (member === undefined) continue;
      yield encodeEventStreamMessage(
        { ':message-type': 'event', ':event-type': member, ':content-type': 'application/json' },
        Buffer.from(JSON.stringify(value ?? {}), 'utf8'),
      );
    }
  } catch (error) {
    if (error instanceof AwsError) {
      yield encodeEventStreamMessage(
        { ':message-type': 'exception', ':exception-type': error.code, ':content-type': 'application/json' },
        Buffer.from(JSON.stringify({ message: error.message }), 'utf8'),
      );
      return;
    }
    yield encodeEventStreamMessage(
      { ':message-type': 'error', ':error-code': 'InternalFailure', ':error-message': 'The event stream failed.' }, new Uint8Array(0),
    );
    throw error;
  }
}

/** The output's event stream: the one member that is an async iterable (the handler returned it as the SDK types it). */
export function eventStreamOf(output: object): AsyncIterable<StreamEvent> | undefined {
  for (const value of Object.values(output)) {
    if (value !== null && typeof value === 'object' && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function') {
      return value as AsyncIterable<StreamEvent>;
    }
  }
  return undefined;
}
