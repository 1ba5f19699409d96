import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { outputLines } from './docker-logs.ts';

/** Docker's multiplexed frame: stream, three zeros, payload length (big-endian), payload. */
const frame = (stream: 1 | 2, payload: string | Buffer) => {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

/** `bytes` cut into reads of `size` bytes (1: every byte its own read). */
async function* reads(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(source: AsyncIterable<Buffer>, multiplexed: boolean): Promise<{ lines: string[]; yields: number }> {
  const lines: string[] = [];
  let yields = 0;
  for await (const batch of outputLines(source, multiplexed)) {
    yields++;
    lines.push(...batch);
  }
  return { lines, yields };
}

describe('container output from Docker', () => {
  const text = ['2026-12-03T17:00:00.1Z one', '2026-12-03T17:00:00.2Z tw\u00f6 \u{1F433}', '2026-12-03T17:00:00.3Z three\r', ''];
  const expected = ['2026-12-03T17:00:00.1Z one', '2026-12-03T17:00:00.2Z tw\u00f6 \u{1F433}', '2026-12-03T17:00:00.3Z three'];

  it('splits multiplexed frames into lines however the reads cut frames, headers and characters', async () => {
    const stream = Buffer.concat([frame(1, `${text[0]}\n`), frame(2, `${text[1]}\n`), frame(1, ''), frame(1, `${text[2]}\n`)]);
    for (const size of [1, 3, 7, 8, 9, 64, stream.length]) {
      assert.deepEqual((await collect(reads(stream, size), true)).lines, expected, `reads of ${size} bytes`);
    }
  });

  it('joins a line split over frames, and gives a last line without a newline at the end', async () => {
    const stream = Buffer.concat([frame(1, '2026-12-03T17:00:00.1Z par'), frame(1, 'ts\n2026-12-03T17:00:00.2Z last')]);
    assert.deepEqual((await collect(reads(stream, 5), true)).lines, ['2026-12-03T17:00:00.1Z parts', '2026-12-03T17:00:00.2Z last']);
  });

  it('takes a TTY container’s raw stream as it is', async () => {
    const stream = Buffer.from(text.join('\n'), 'utf8');
    for (const size of [1, 5, stream.length]) assert.deepEqual((await collect(reads(stream, size), false)).lines, expected);
  });

  it('gives the lines of a read together, not one at a time', async () => {
    const many = Array.from({ length: 1000 }, (_, i) => frame(1, `2026-12-03T17:00:00.1Z line ${i}\n`));
    const { lines, yields } = await collect(reads(Buffer.concat(many), 64 * 1024), true);
    assert.equal(lines.length, 1000);
    assert.equal(yields, 1);
  });
});
