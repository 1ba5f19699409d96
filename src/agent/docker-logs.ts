/**
 * A container's output as Docker serves it (`GET /containers/{id}/logs?follow&timestamps`), as
 * lines: the multiplexed stream of a container without a TTY is split into its frames (stdout
 * and stderr together, in Docker's order), a TTY container's raw stream taken as it is. Read
 * only as fast as the lines are taken, so a flood waits in Docker's own log file, not in memory.
 *
 * Lines are given a chunk at a time (all the whole lines a read brought), not one by one: a
 * flood is hundreds of thousands of lines a second, and a promise per line would cost more than
 * the line. Bytes are split on `\n` before they are decoded, and decoded once per chunk.
 */
const NEWLINE = 0x0a;

/**
 * Docker's multiplexed framing: an 8-byte header (stream, 0, 0, 0, payload length big-endian),
 * then the payload. Keeps a frame cut across reads; copies payloads out without a buffer per frame.
 */
export class FrameReader {
  private readonly header = Buffer.alloc(8);
  private headerBytes = 0;
  /** Payload bytes of the current frame not read yet. */
  private remaining = 0;

  /** Copies the payload bytes of `chunk` into `out` from `at`; the offset just past them. */
  payload(chunk: Buffer, out: Buffer, at: number): number {
    let i = 0;
    while (i < chunk.length) {
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        chunk.copy(out, at, i, i + n);
        at += n;
        i += n;
        this.remaining -= n;
      } else if (this.headerBytes === 0 && chunk.length - i >= 8) {
        this.remaining = chunk.readUInt32BE(i + 4);
        i += 8;
      } else {
        const n = Math.min(8 - this.headerBytes, chunk.length - i);
        chunk.copy(this.header, this.headerBytes, i, i + n);
        this.headerBytes += n;
        i += n;
        if (this.headerBytes === 8) {
          this.remaining = this.header.readUInt32BE(4);
          this.headerBytes = 0;
        }
      }
    }
    return at;
  }
}

/** Bytes to lines (without their `\n`; a `\r` before it is dropped too), keeping a line cut across chunks. */
export class LineSplitter {
  private rest: Buffer = Buffer.alloc(0);

  /** The whole lines the next bytes complete (`chunk`'s payload when it is framed). */
  push(chunk: Buffer, frames?: FrameReader): string[] {
    const bytes = Buffer.allocUnsafe(this.rest.length + chunk.length);
    this.rest.copy(bytes, 0);
    const end = frames ? frames.payload(chunk, bytes, this.rest.length) : this.rest.length + chunk.copy(bytes, this.rest.length);
    // Only the `end` bytes written count (the rest is uninitialised; a negative offset would count from the buffer's end).
    const last = end > 0 ? bytes.lastIndexOf(NEWLINE, end - 1) : -1;
    if (last < 0) {
      this.rest = bytes.subarray(0, end);
      return [];
    }
    // `\n` is never inside a multi-byte UTF-8 sequence: everything before the last one decodes whole.
    const lines = bytes.toString('utf8', 0, last).split('\n');
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (line.charCodeAt(line.length - 1) === 13) lines[i] = line.slice(0, -1);
    }
    this.rest = Buffer.from(bytes.subarray(last + 1, end));
    return lines;
  }

  /** What is left: a last line without `\n`, if any. */
  end(): string[] {
    const text = this.rest.toString('utf8');
    this.rest = Buffer.alloc(0);
    return text ? [text] : [];
  }
}

/** The stream's lines, a chunk's worth at a time. A last line without `\n` is given at the end. */
export async function* outputLines(stream: AsyncIterable<Buffer>, multiplexed: boolean): AsyncGenerator<string[]> {
  const frames = multiplexed ? new FrameReader() : undefined;
  const splitter = new LineSplitter();
  for await (const chunk of stream) {
    const lines = splitter.push(chunk, frames);
    if (lines.length) yield lines;
  }
  const last = splitter.end();
  if (last.length) yield last;
}
