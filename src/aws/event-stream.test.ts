/**
 * The event stream encoder against the AWS SDK's own decoder (@smithy/core's EventStreamCodec,
 * which checks both CRCs and the lengths): events, a modeled exception, and the frame layout.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { AwsError } from './errors.ts';
import { encodeEventStreamMessage, eventStreamBody, eventStreamOf } from './event-stream.ts';

const codec = new EventStreamCodec((u8) => Buffer.from(u8).toString('utf8'), (s) => new Uint8Array(Buffer.from(s, 'utf8')));
const headersOf = (m: ReturnType<typeof codec.decode>) => Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.value]));

describe('event stream encoding', () => {
  it('a message the SDK decodes, with its prelude and both CRCs where the format puts them', () => {
    const frame = encodeEventStreamMessage({ ':message-type': 'event', ':event-type': 'sessionStart' }, Buffer.from('{"a":1}'));
    assert.equal(frame.readUInt32BE(0), frame.length);
    assert.equal(frame.readUInt32BE(8), crc32(frame.subarray(0, 8)));
    assert.equal(frame.readUInt32BE(frame.length - 4), crc32(frame.subarray(0, frame.length - 4)));
    const decoded = codec.decode(frame);
    assert.deepEqual(headersOf(decoded), { ':message-type': 'event', ':event-type': 'sessionStart' });
    assert.equal(Buffer.from(decoded.body).toString(), '{"a":1}');
  });

  it("a stream's events by union member, then its AwsError as a modeled exception", async () => {
    async function* events() {
      yield { sessionStart: { sessionId: 'é' } };
      yield { sessionUpdate: { sessionResults: [] } };
      throw new AwsError('SessionTimeoutException', 'timed out');
    }
    const output = { responseStream: events() };
    const frames: Buffer[] = [];
    for await (const f of eventStreamBody(eventStreamOf(output)!)) frames.push(f);
    const decoded = frames.map((f) => codec.decode(f)).map((m) => [headersOf(m), JSON.parse(Buffer.from(m.body).toString())]);
    assert.deepEqual(decoded, [
      [{ ':message-type': 'event', ':event-type': 'sessionStart', ':content-type': 'application/json' }, { sessionId: 'é' }],
      [{ ':message-type': 'event', ':event-type': 'sessionUpdate', ':content-type': 'application/json' }, { sessionResults: [] }],
      [{ ':message-type': 'exception', ':exception-type': 'SessionTimeoutException', ':content-type': 'application/json' }, { message: 'timed out' }],
    ]);
    assert.equal(eventStreamOf({ plain: 'output', list: [1] }), undefined);
  });
});
