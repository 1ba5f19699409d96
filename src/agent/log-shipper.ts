/**
 * The awslogs driver for one container: follows its output through Docker's API from the
 * cursor last shipped, turns lines into CloudWatch Logs events (joining lines by
 * `awslogs-multiline-pattern` or `awslogs-datetime-format`), and ships them in PutLogEvents
 * batches, each acknowledged batch's cursor handed to the owner to checkpoint. In `blocking`
 * mode (the default) it reads only as fast as it ships, so a flood waits in Docker's log file;
 * in `non-blocking` mode lines beyond `max-buffer-size` are dropped, as Docker's driver does.
 */
import { createHash } from 'node:crypto';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { LogFollow } from './runtime.ts';
import {
  BATCH_LIMITS, CursorFilter, EventAssembler, batchLength, datetimeFormatPattern, eventSize, parseDockerLine, sinceOf, type LogCursor, type PendingEvent,
} from './log-lines.ts';

/** Where the events go: CloudWatch Logs, as the task's execution role (or the agent's own principal). */
export interface LogSink {
  createLogGroup(group: string): Promise<void>;
  createLogStream(group: string, stream: string): Promise<void>;
  putLogEvents(group: string, stream: string, events: { timestamp: number; message: string }[]): Promise<void>;
  /** The stream's newest event, if it has one (to tell whether a batch sent before a crash arrived). */
  lastEvent(group: string, stream: string): Promise<{ timestamp: number; message: string } | undefined>;
}

/**
 * A batch about to be sent, checkpointed first: after a crash its last event is looked for at the
 * stream's end, so a batch that arrived is not sent again (its message kept as a digest only).
 */
export interface InFlightBatch {
  cursor: LogCursor;
  timestamp: number;
  digest: string;
}

/** The digest a batch's last message is known by. */
export const messageDigest = (message: string): string => createHash('sha256').update(message).digest('hex');

/** A container's awslogs options, read from its logConfiguration. */
export interface AwslogsOptions {
  group: string;
  region: string;
  stream: string;
  createGroup: boolean;
  start?: RegExp;
  mode: 'blocking' | 'non-blocking';
  maxBufferBytes: number;
}

/** Docker's awslogs default buffer for non-blocking mode: 1 MiB. */
const DEFAULT_MAX_BUFFER = 1024 * 1024;

/** `max-buffer-size` as Docker reads it (`4m`, `512k`, bytes). */
function bufferSize(text: string | undefined): number {
  const m = /^(\d+)([kmg]?)b?$/i.exec(text ?? '');
  if (!m) return DEFAULT_MAX_BUFFER;
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
}

/**
 * The awslogs options of `def` (whose log driver is awslogs), with its stream named as ECS names
 * it: `<awslogs-stream-prefix>/<container name>/<task id>`, or the container's id without a prefix.
 */
export function awslogsOptions(def: ContainerDefinition, taskId: string, runtimeId: string, defaultRegion: string): AwslogsOptions {
  const o = def.logConfiguration?.options ?? {};
  const prefix = o['awslogs-stream-prefix'];
  const multiline = o['awslogs-multiline-pattern'];
  const datetime = o['awslogs-datetime-format'];
  return {
    group: o['awslogs-group'] ?? '',
    region: o['awslogs-region'] ?? defaultRegion,
    stream: o['awslogs-stream'] ?? (prefix ? `${prefix}/${def.name}/${taskId}` : runtimeId),
    createGroup: o['awslogs-create-group'] === 'true',
    ...(multiline ? { start: new RegExp(multiline) } : datetime ? { start: datetimeFormatPattern(datetime) } : {}),
    mode: o.mode === 'non-blocking' ? 'non-blocking' : 'blocking',
    maxBufferBytes: bufferSize(o['max-buffer-size']),
  };
}

/** What a shipper is given. */
export interface LogShipperOptions {
  follow: (since?: string) => LogFollow;
  from?: LogCursor;
  sink: LogSink;
  options: AwslogsOptions;
  /** A batch was acknowledged: everything up to `cursor` is in CloudWatch Logs. */
  onShipped(cursor: LogCursor): void;
  /**
   * A batch is about to be sent: resolves once that is checkpointed. `shipped` is the cursor of
   * the batch acknowledged just before, when this one follows it at once: it is handed on here,
   * not to `onShipped`, so the two are saved in one write.
   */
  onInFlight?(batch: InFlightBatch, shipped?: LogCursor): Promise<void>;
  /** The batch checkpointed as being sent when the last shipper stopped, if any. */
  inFlight?: InFlightBatch;
  log(message: string): void;
  /** How often what was read is shipped when no batch filled up (Docker's driver: 5 s). */
  flushMs?: number;
  /** Milliseconds before a failed PutLogEvents is tried again (doubling to 30 s). */
  retryMs?: number;
}

/**
 * Ships one container's output until it ends (the container stopped) or `stop` is called.
 *
 * One batch is in flight at a time, so the checkpoint is exact: its cursor is saved before it is
 * sent and acknowledged after. Reading goes on meanwhile; once a batch is acknowledged the next
 * one goes at once with everything read since (up to PutLogEvents' limits), so under a flood
 * batches are full and the reader and the control plane work at the same time. Lines that come
 * after a quiet interval go at once; otherwise what is read waits for a full batch, the
 * acknowledgement of the one in flight, or the flush interval.
 */
export class LogShipper {
  private pending: PendingEvent[] = [];
  private pendingBytes = 0;
  /** The loop sending batches, while it runs. */
  private sending?: Promise<void>;
  /** Whether a flush interval passed with no batch sent (the next lines need not wait). */
  private quiet = true;
  private sentSinceFlush = false;
  /** The reader waiting for room (blocking mode). */
  private waiters: (() => void)[] = [];
  private stopped = false;
  private follow?: LogFollow;
  private dropped = 0;
  private streamReady = false;
  /** The group and stream being made ahead of the first batch, so it does not wait for them. */
  private preparing?: Promise<void>;

  constructor(private readonly o: LogShipperOptions) {}

  /** Reads and ships until the output ends; resolves once the last event is acknowledged (or it was stopped). */
  async run(): Promise<void> {
    const { options } = this.o;
    const from = (await this.arrived(this.o.inFlight)) ? this.o.inFlight!.cursor : this.o.from;
    if (from !== this.o.from) this.o.onShipped(from!);
    const filter = new CursorFilter(from);
    const assembler = new EventAssembler(options.start);
    this.preparing = this.prepare().catch(() => undefined);
    this.follow = this.o.follow(sinceOf(from));
    const timer = setInterval(() => {
      // Quiet for a flush interval: the event being joined is complete as it is.
      this.queue(assembler.flush());
      this.quiet = !this.sentSinceFlush && !this.sending;
      this.sentSinceFlush = false;
      this.kick();
    }, this.o.flushMs ?? 1000);
    timer.unref();
    try {
      for await (const lines of this.follow) {
        for (const raw of lines) {
          const line = parseDockerLine(raw);
          if (!line) continue;
          const cursor = filter.next(line);
          if (!cursor) continue;
          assembler.add(line, cursor);
        }
        this.queue(assembler.take());
        if (this.quiet || this.full()) this.kick();
        // Blocking: a whole batch waits beside the one in flight; read on once it goes.
        while (options.mode === 'blocking' && this.full() && this.sending && !this.stopped) await new Promise<void>((r) => this.waiters.push(r));
      }
      this.queue(assembler.flush());
      this.kick();
    } finally {
      clearInterval(timer);
    }
    while (this.sending) await this.sending;
  }

  /** Whether the batch in flight at the last stop is the stream's newest event (it arrived). */
  private async arrived(batch: InFlightBatch | undefined): Promise<boolean> {
    if (!batch) return false;
    const last = await this.o.sink.lastEvent(this.o.options.group, this.o.options.stream).catch(() => undefined);
    return last !== undefined && last.timestamp === batch.timestamp && messageDigest(last.message) === batch.digest;
  }

  /** Stops reading; what was read and not shipped is read again by the next shipper (from the cursor). */
  stop(): void {
    this.stopped = true;
    this.follow?.close();
    this.wake();
  }

  private queue(events: PendingEvent[]): void {
    const { options } = this.o;
    for (const e of events) {
      const size = e.size ?? eventSize(e.message);
      if (options.mode === 'non-blocking' && this.pendingBytes + size > options.maxBufferBytes) {
        if (this.dropped++ === 0) this.o.log(`awslogs ${options.group}/${options.stream}: buffer full (max-buffer-size), dropping lines (mode non-blocking)`);
        continue;
      }
      this.pending.push(e);
      this.pendingBytes += size;
    }
  }

  /** Whether a whole batch is waiting. */
  private full(): boolean {
    return this.pending.length >= BATCH_LIMITS.events || this.pendingBytes >= BATCH_LIMITS.bytes;
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Starts sending what is pending, unless a batch is in flight (then it goes once that is acknowledged). */
  private kick(): void {
    if (this.sending || !this.pending.length || this.stopped) return;
    this.sending = this.send().finally(() => {
      this.sending = undefined;
      this.wake();
      // Lines queued while the last batch was being finished go now.
      this.kick();
    });
  }

  /** Sends batches, one at a time and in order, while anything is pending. */
  private async send(): Promise<void> {
    const { onInFlight } = this.o;
    // Acknowledged, and handed on with the next batch's checkpoint.
    let acknowledged: LogCursor | undefined;
    try {
      while (this.pending.length && !this.stopped) {
        this.quiet = false;
        this.sentSinceFlush = true;
        const batch = this.pending.splice(0, batchLength(this.pending));
        for (const e of batch) this.pendingBytes -= e.size ?? eventSize(e.message);
        this.wake();
        const last = batch[batch.length - 1]!;
        if (onInFlight) {
          await onInFlight({ cursor: last.cursor, timestamp: last.timestamp, digest: messageDigest(last.message) }, acknowledged);
          acknowledged = undefined;
        }
        if (!(await this.put(batch))) return;
        if (onInFlight && this.pending.length && !this.stopped) acknowledged = last.cursor;
        else this.o.onShipped(last.cursor);
      }
    } finally {
      if (acknowledged) this.o.onShipped(acknowledged);
    }
  }

  /** One batch, tried until it is acknowledged (the group and stream made when missing) or the shipper stops: whether it was. */
  private async put(batch: PendingEvent[]): Promise<boolean> {
    const { sink, options } = this.o;
    const events = batch.map((e) => ({ timestamp: e.timestamp, message: e.message }));
    let wait = this.o.retryMs ?? 500;
    for (;;) {
      try {
        await this.preparing;
        if (!this.streamReady) await this.prepare();
        await sink.putLogEvents(options.group, options.stream, events);
        return true;
      } catch (error) {
        const name = (error as { name?: string }).name;
        if (name === 'ResourceNotFoundException') this.streamReady = false;
        this.o.log(`awslogs ${options.group}/${options.stream}: ${name ?? 'Error'}: ${(error as Error).message}; retrying`);
        if (this.stopped) return false;
        await new Promise((r) => setTimeout(r, wait));
        wait = Math.min(wait * 2, 30_000);
        if (this.stopped) return false;
      }
    }
  }

  /** The log group (with awslogs-create-group) and the stream, made when missing. */
  private async prepare(): Promise<void> {
    const { sink, options } = this.o;
    const exists = (error: unknown) => (error as { name?: string }).name === 'ResourceAlreadyExistsException';
    if (options.createGroup) await sink.createLogGroup(options.group).catch((e: unknown) => { if (!exists(e)) throw e; });
    await sink.createLogStream(options.group, options.stream).catch((e: unknown) => { if (!exists(e)) throw e; });
    this.streamReady = true;
  }
}
