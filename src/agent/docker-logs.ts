/**
 * A container's output as Docker serves it (`GET /containers/{id}/logs?follow&timestamps`), as
 * lines: the multiplexed stream of a container without a TTY is split into its frames (stdout
 * and stderr together, in Docker's order), a TTY container's raw stream taken as it is. Read
 * only as fast as the lines are taken, so a flood waits in Docker's own log file, not in memory.
 */
import type { Readable } from 'node:stream';

/** Frames: an 8-byte header (stream, 0, 0, 0, payload length big-endian), then the payload. */
async function* frames(stream: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of stream) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      yield pending.subarray(8, 8 + size);
      pending = pending.subarray(8 + size);
    }
  }
}

/** The stream's lines (without their `\n`; a `\r` before it is dropped too). A last line without `\n` is given at the end. */
export async function* outputLines(stream: Readable, multiplexed: boolean): AsyncGenerator<string> {
  const source: AsyncIterable<Buffer> = multiplexed ? frames(stream) : stream;
  let rest = '';
  for await (const chunk of source) {
    const text = rest + chunk.toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const line of lines) yield line.endsWith('\r') ? line.slice(0, -1) : line;
  }
  if (rest) yield rest;
}
