/**
 * Log events on disk, apart from the key-value store: per stream a directory of append-only
 * segment files (`<seq>.seg`, see segment.ts) with a sidecar each (`<seq>.idx`: the byte
 * count, event count and min/max timestamp it covers), so a read by time skips segments and
 * retention deletes whole ones. An append is one write and an fsync: an acknowledged batch is on
 * disk; a torn tail left by a crash is cut off before the stream's next append and never read.
 * Appends to one stream are serialized in this process, and with other processes through `lock`.
 * See docs/logs.md.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StreamLock } from './stream-lock.ts';
import { decodeFrames, encodeFrames, extendIndex, frameLength, visitFrames, type FramedEvent, type SegmentIndex, type StoredEvent } from './segment.ts';

export type { StoredEvent } from './segment.ts';

/** Which stream: account, region, log group and log stream names. */
export interface StreamRef {
  account: string;
  region: string;
  group: string;
  stream: string;
}

/** A place between two events of a stream: the segment and the byte offset of the next frame. */
export interface Position {
  segment: number;
  offset: number;
}

/** An event read back, with the positions just before and just after it. */
export interface ReadEvent extends StoredEvent {
  at: Position;
  after: Position;
}

/** What a read asks for: a time range `[startTime, endTime)`, a direction from a position, and a limit. */
export interface ReadRequest {
  startTime?: number;
  endTime?: number;
  direction: 'forward' | 'backward';
  /** Forward from `head` or a position; backward from `tail` or a position (events before it). */
  from: Position | 'head' | 'tail';
  limit: number;
  /** Stop before the events' messages (plus 26 bytes each, as AWS counts) pass this many bytes (default 1 MiB, GetLogEvents' cap). */
  maxBytes?: number;
}

/** A read's events (in ingestion order) and where the next read in its direction starts. */
export interface ReadResult {
  events: ReadEvent[];
  next: Position;
}

export interface EventStoreOptions {
  /** A segment takes appends until it holds this many bytes (default 4 MiB). */
  segmentBytes?: number;
  /** ...or until a batch would make its timestamps span more than this (default one day), so retention frees space by the day. */
  segmentSpanMs?: number;
  /** Serializes appends to a stream with other processes sharing the directory (see stream-lock.ts); none needed for one process. */
  lock?: StreamLock;
}

const SEGMENT = /^(\d{10})\.seg$/;
const name = (seq: number) => String(seq).padStart(10, '0');
const hashed = (s: string) => createHash('sha256').update(s).digest('hex').slice(0, 32);

/** The event store under one directory. */
export class EventStore {
  private readonly chains = new Map<string, Promise<unknown>>();
  /** Segments whose tail this process has checked (and cut when torn) before appending. */
  private readonly checked = new Set<string>();
  private readonly segmentBytes: number;
  private readonly segmentSpanMs: number;
  private readonly lock?: StreamLock;

  constructor(readonly root: string, options: EventStoreOptions = {}) {
    this.segmentBytes = options.segmentBytes ?? 4 * 1024 * 1024;
    this.segmentSpanMs = options.segmentSpanMs ?? 86_400_000;
    this.lock = options.lock;
  }

  /** The directory of a log group (its streams are below it). */
  groupDir(ref: Omit<StreamRef, 'stream'>): string {
    return join(this.root, ref.account, ref.region, hashed(ref.group));
  }

  /** The directory of a stream's segments. */
  streamDir(ref: StreamRef): string {
    return join(this.groupDir(ref), hashed(ref.stream));
  }

  /** Appends a batch (already accepted) to the stream; resolves once it is on disk. */
  append(ref: StreamRef, events: readonly StoredEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    const dir = this.streamDir(ref);
    const lock = this.lock;
    return this.serialized(dir, () => (lock ? lock(dir, () => this.appendNow(ref, events)) : this.appendNow(ref, events)));
  }

  private serialized<R>(key: string, work: () => Promise<R>): Promise<R> {
    const previous = this.chains.get(key) ?? Promise.resolve();
    const run = previous.then(work, work);
    const tail = run.catch(() => undefined);
    this.chains.set(key, tail);
    void tail.then(() => {
      if (this.chains.get(key) === tail) this.chains.delete(key);
    });
    return run;
  }

  private async appendNow(ref: StreamRef, events: readonly StoredEvent[]): Promise<void> {
    const dir = this.streamDir(ref);
    await mkdir(dir, { recursive: true });
    const segments = await listSegments(dir);
    let seq = segments.at(-1);
    let index = seq === undefined ? undefined : await this.tailChecked(dir, seq);
    const min = Math.min(...events.map((e) => e.timestamp));
    const max = Math.max(...events.map((e) => e.timestamp));
    const full = index !== undefined && (index.bytes >= this.segmentBytes
      || (index.minTimestamp !== undefined && Math.max(max, index.maxTimestamp!) - Math.min(min, index.minTimestamp) > this.segmentSpanMs));
    if (seq === undefined || full) {
      seq = (await lastSequence(dir, segments)) + 1;
      // The number is taken before the file exists: a segment number is never used twice, so a token never points into another segment.
      await writeFile(join(dir, 'sequence'), String(seq));
      index = { bytes: 0, count: 0 };
      this.checked.add(join(dir, name(seq)));
    }
    const frames = encodeFrames(events);
    const file = await open(join(dir, `${name(seq)}.seg`), 'a');
    try {
      await file.write(frames);
      await file.sync();
    } finally {
      await file.close();
    }
    if (index!.bytes === 0) await syncDir(dir);
    await writeIndex(dir, seq, extendIndex(index!, events, index!.bytes + frames.length));
  }

  /** The index of the stream's last segment, its torn tail (if any) cut off first. */
  private async tailChecked(dir: string, seq: number): Promise<SegmentIndex> {
    const key = join(dir, name(seq));
    const { index, size } = await segmentIndex(dir, seq);
    if (this.checked.has(key) && index.bytes === size) return index;
    if (index.bytes < size) {
      await truncate(join(dir, `${name(seq)}.seg`), index.bytes);
      await writeIndex(dir, seq, index);
    }
    this.checked.add(key);
    return index;
  }

  /** Events of the stream in ingestion order, in the time range, from a position in a direction. */
  async read(ref: StreamRef, req: ReadRequest): Promise<ReadResult> {
    const dir = this.streamDir(ref);
    const maxBytes = req.maxBytes ?? 1_048_576;
    const seqs = await listSegments(dir);
    const inRange = (e: StoredEvent) => (req.startTime === undefined || e.timestamp >= req.startTime) && (req.endTime === undefined || e.timestamp < req.endTime);
    const overlaps = (i: SegmentIndex) => i.minTimestamp !== undefined
      && (req.startTime === undefined || i.maxTimestamp! >= req.startTime) && (req.endTime === undefined || i.minTimestamp < req.endTime);
    const tail = async (): Promise<Position> => {
      const last = seqs.at(-1);
      return last === undefined ? { segment: 0, offset: 0 } : { segment: last, offset: (await segmentIndex(dir, last)).index.bytes };
    };
    if (req.direction === 'forward') {
      const from = req.from === 'head' ? { segment: seqs[0] ?? 0, offset: 0 } : req.from === 'tail' ? await tail() : req.from;
      const events: ReadEvent[] = [];
      let bytes = 0;
      let next = from;
      for (const seq of seqs.filter((s) => s >= from.segment)) {
        const { index } = await segmentIndex(dir, seq);
        const start = seq === from.segment ? from.offset : 0;
        next = { segment: seq, offset: Math.max(start, index.bytes) };
        if (!overlaps(index) || start >= index.bytes) continue;
        let full = false;
        await scanFrames(dir, seq, start, index.bytes, (e) => {
          if (inRange(e)) {
            bytes += eventBytes(e);
            // The event that does not fit is where the next read starts.
            if (bytes > maxBytes && events.length > 0) {
              next = { segment: seq, offset: e.offset };
              full = true;
              return false;
            }
            events.push(located(seq, e));
          }
          next = { segment: seq, offset: e.end };
          full = events.length >= req.limit;
          return !full;
        });
        if (full) return { events, next };
      }
      return { events, next };
    }
    const from = req.from === 'tail' ? await tail() : req.from === 'head' ? { segment: seqs[0] ?? 0, offset: 0 } : req.from;
    const found: ReadEvent[] = [];
    let bytes = 0;
    for (const seq of seqs.filter((s) => s <= from.segment).reverse()) {
      const { index } = await segmentIndex(dir, seq);
      if (!overlaps(index)) continue;
      const end = seq === from.segment ? Math.min(from.offset, index.bytes) : index.bytes;
      const frames = (await readFrames(dir, seq, 0, end)).filter(inRange);
      let full = false;
      for (let i = frames.length - 1; i >= 0 && !full; i--) {
        bytes += eventBytes(frames[i]!);
        full = found.length >= req.limit || (bytes > maxBytes && found.length > 0);
        if (!full) found.push(located(seq, frames[i]!));
      }
      if (full || found.length >= req.limit) break;
    }
    found.reverse();
    return { events: found, next: found[0]?.at ?? from };
  }

  /** Retention: deletes the stream's segments whose newest event is older than `cutoff`; the number deleted. */
  async dropBefore(ref: StreamRef, cutoff: number): Promise<number> {
    const dir = this.streamDir(ref);
    return this.serialized(dir, async () => {
      let dropped = 0;
      for (const seq of await listSegments(dir)) {
        const { index } = await segmentIndex(dir, seq);
        if (index.maxTimestamp === undefined || index.maxTimestamp >= cutoff) continue;
        await rm(join(dir, `${name(seq)}.seg`), { force: true });
        await rm(join(dir, `${name(seq)}.idx`), { force: true });
        dropped++;
      }
      return dropped;
    });
  }

  /** The bytes the stream's segments hold. */
  async storedBytes(ref: StreamRef): Promise<number> {
    const dir = this.streamDir(ref);
    let total = 0;
    for (const seq of await listSegments(dir)) total += (await segmentIndex(dir, seq)).index.bytes;
    return total;
  }

  /** Deletes a stream's events. */
  async deleteStream(ref: StreamRef): Promise<void> {
    const dir = this.streamDir(ref);
    await this.serialized(dir, () => rm(dir, { recursive: true, force: true }));
  }

  /** Deletes every event of a log group. */
  async deleteGroup(ref: Omit<StreamRef, 'stream'>): Promise<void> {
    await rm(this.groupDir(ref), { recursive: true, force: true });
  }
}

const eventBytes = (e: StoredEvent) => Buffer.byteLength(e.message, 'utf8') + 26;

const located = (seq: number, e: FramedEvent): ReadEvent => ({
  timestamp: e.timestamp, ingestionTime: e.ingestionTime, message: e.message,
  at: { segment: seq, offset: e.offset }, after: { segment: seq, offset: e.end },
});

async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names.flatMap((n) => {
    const m = SEGMENT.exec(n);
    return m ? [Number(m[1])] : [];
  }).sort((a, b) => a - b);
}

async function lastSequence(dir: string, segments: number[]): Promise<number> {
  const recorded = Number(await readFile(join(dir, 'sequence'), 'utf8').catch(() => '0')) || 0;
  return Math.max(recorded, segments.at(-1) ?? 0);
}

/** A segment's index: its sidecar, extended by whole frames written after it (a sidecar lags its file after a crash). */
async function segmentIndex(dir: string, seq: number): Promise<{ index: SegmentIndex; size: number }> {
  const size = await stat(join(dir, `${name(seq)}.seg`)).then((s) => s.size, () => 0);
  let index: SegmentIndex = { bytes: 0, count: 0 };
  try {
    const stored = JSON.parse(await readFile(join(dir, `${name(seq)}.idx`), 'utf8')) as SegmentIndex;
    if (stored.bytes <= size) index = stored;
  } catch {
    // No sidecar yet (or a torn one): the file is scanned from its start.
  }
  if (index.bytes < size) {
    const { events, validEnd } = decodeFrames(await readRange(dir, seq, index.bytes, size), index.bytes);
    index = extendIndex(index, events, validEnd);
  }
  return { index, size };
}

async function readRange(dir: string, seq: number, start: number, end: number): Promise<Buffer> {
  const file = await open(join(dir, `${name(seq)}.seg`), 'r');
  try {
    const buffer = Buffer.alloc(end - start);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** How much of a segment a forward read takes at a time: a page's worth, so a read of one page decodes little more than the page. */
const SCAN_WINDOW = 1024 * 1024;

/**
 * The frames of a segment from `start` to `end`, read a window at a time and handed to `visit`
 * until it returns false (or a frame is not whole and valid, as a torn tail is not).
 */
async function scanFrames(dir: string, seq: number, start: number, end: number, visit: (e: FramedEvent) => boolean): Promise<void> {
  if (end <= start) return;
  const file = await open(join(dir, `${name(seq)}.seg`), 'r');
  try {
    let at = start;
    let window = SCAN_WINDOW;
    while (at < end) {
      const buffer = Buffer.allocUnsafe(Math.min(window, end - at));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, at);
      const bytes = buffer.subarray(0, bytesRead);
      const scanned = visitFrames(bytes, at, visit);
      if (scanned.stopped) return;
      if (scanned.end > at) {
        at = scanned.end;
        window = SCAN_WINDOW;
        continue;
      }
      // Not one whole frame: one longer than the window is read whole next; anything else ends the segment.
      const length = frameLength(bytes);
      if (length === undefined || length <= bytes.length || at + length > end || bytesRead < buffer.length) return;
      window = length;
    }
  } finally {
    await file.close();
  }
}

async function readFrames(dir: string, seq: number, start: number, end: number): Promise<FramedEvent[]> {
  if (end <= start) return [];
  return decodeFrames(await readRange(dir, seq, start, end), start).events;
}

async function writeIndex(dir: string, seq: number, index: SegmentIndex): Promise<void> {
  const file = join(dir, `${name(seq)}.idx`);
  await writeFile(`${file}.tmp`, JSON.stringify(index));
  await rename(`${file}.tmp`, file);
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
