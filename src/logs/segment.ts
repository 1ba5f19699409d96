/**
 * The on-disk form of log events in one segment file: frames appended in ingestion order, each
 * `[u32 length][u32 crc32 of the payload][payload]` with the payload
 * `[f64 timestamp][f64 ingestionTime][UTF-8 message]`. A frame whose length runs past the end
 * of the file or whose checksum is wrong is a torn tail: it and whatever follows are not events.
 */
import { crc32 } from 'node:zlib';

/** One log event as stored: when it happened, when it was ingested, and its text. */
export interface StoredEvent {
  timestamp: number;
  ingestionTime: number;
  message: string;
}

/** A stored event with where its frame starts and ends in its segment. */
export interface FramedEvent extends StoredEvent {
  offset: number;
  end: number;
}

const HEADER = 8;
const FIXED = 16;

/** The frames of `events`, as one buffer written with one call (one allocation for the batch, not one per event). */
export function encodeFrames(events: readonly StoredEvent[]): Buffer {
  let total = 0;
  for (const e of events) total += HEADER + FIXED + Buffer.byteLength(e.message, 'utf8');
  const out = Buffer.allocUnsafe(total);
  let at = 0;
  for (const e of events) {
    const payload = at + HEADER;
    out.writeDoubleLE(e.timestamp, payload);
    out.writeDoubleLE(e.ingestionTime, payload + 8);
    const end = payload + FIXED + out.write(e.message, payload + FIXED, 'utf8');
    out.writeUInt32LE(end - payload, at);
    out.writeUInt32LE(crc32(out.subarray(payload, end)), at + 4);
    at = end;
  }
  return out;
}

/**
 * The whole frames of `bytes` (which starts at file offset `base`), and the offset where the
 * valid frames end: past it is a torn tail (or nothing).
 */
export function decodeFrames(bytes: Buffer, base = 0): { events: FramedEvent[]; validEnd: number } {
  const events: FramedEvent[] = [];
  const { end } = visitFrames(bytes, base, (e) => void events.push(e));
  return { events, validEnd: end };
}

/**
 * Hands the whole, valid frames of `bytes` (at file offset `base`) to `visit` in order, until it
 * returns false: where the frames handed ended, and whether `visit` stopped it (a reader with a
 * page full decodes no further).
 */
export function visitFrames(bytes: Buffer, base: number, visit: (e: FramedEvent) => boolean | void): { end: number; stopped: boolean } {
  let at = 0;
  while (at + HEADER <= bytes.length) {
    const length = bytes.readUInt32LE(at);
    if (length < FIXED || at + HEADER + length > bytes.length) break;
    const payload = bytes.subarray(at + HEADER, at + HEADER + length);
    if (crc32(payload) !== bytes.readUInt32LE(at + 4)) break;
    const event: FramedEvent = {
      timestamp: payload.readDoubleLE(0),
      ingestionTime: payload.readDoubleLE(8),
      message: payload.toString('utf8', FIXED),
      offset: base + at,
      end: base + at + HEADER + length,
    };
    at += HEADER + length;
    if (visit(event) === false) return { end: base + at, stopped: true };
  }
  return { end: base + at, stopped: false };
}

/** The length a frame at `at` of `bytes` says it has (header included), if its header is there. */
export function frameLength(bytes: Buffer, at = 0): number | undefined {
  return at + HEADER <= bytes.length ? HEADER + bytes.readUInt32LE(at) : undefined;
}

/** A segment's summary: what its sidecar holds, covering the file's first `bytes` bytes. */
export interface SegmentIndex {
  bytes: number;
  count: number;
  /** Undefined for a segment with no events yet. */
  minTimestamp?: number;
  maxTimestamp?: number;
}

/** `index` extended by `events` that follow it, up to `end`. */
export function extendIndex(index: SegmentIndex, events: readonly StoredEvent[], end: number): SegmentIndex {
  let { minTimestamp, maxTimestamp } = index;
  for (const e of events) {
    minTimestamp = minTimestamp === undefined ? e.timestamp : Math.min(minTimestamp, e.timestamp);
    maxTimestamp = maxTimestamp === undefined ? e.timestamp : Math.max(maxTimestamp, e.timestamp);
  }
  return { bytes: end, count: index.count + events.length, ...(minTimestamp !== undefined ? { minTimestamp, maxTimestamp } : {}) };
}
