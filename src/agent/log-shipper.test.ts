import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../common/index.ts';
import { FakeRuntime } from './fake-runtime.testing.ts';
import { LogShipper, awslogsOptions, type InFlightBatch, type LogSink } from './log-shipper.ts';
import type { LogCursor } from './log-lines.ts';

/** A sink keeping what it was sent; `failures` first calls fail. */
function sink(failures = 0) {
  const sent: { group: string; stream: string; messages: string[] }[] = [];
  const made: string[] = [];
  let left = failures;
  let last: { timestamp: number; message: string } | undefined;
  const s: LogSink = {
    async createLogGroup(group) {
      made.push(`group ${group}`);
    },
    async createLogStream(group, stream) {
      made.push(`stream ${group} ${stream}`);
    },
    async putLogEvents(group, stream, events) {
      if (left-- > 0) throw Object.assign(new Error('throttled'), { name: 'ThrottlingException' });
      sent.push({ group, stream, messages: events.map((e) => e.message) });
      last = events.at(-1);
    },
    async lastEvent() {
      return last;
    },
  };
  return { s, sent, made, messages: () => sent.flatMap((b) => b.messages) };
}

async function container(rt: FakeRuntime): Promise<string> {
  const id = await rt.createContainer({ name: `c${Math.random()}`, Image: 'img', Labels: {}, HostConfig: { NetworkMode: 'none' } });
  await rt.startContainer(id);
  return id;
}

const def = (options: Record<string, string> = {}) => ({
  name: 'app', logConfiguration: { logDriver: 'awslogs' as const, options: { 'awslogs-group': '/ecs/app', 'awslogs-stream-prefix': 'web', ...options } },
});

describe('the awslogs shipper', () => {
  it('names the stream prefix/container/task and reads the options', () => {
    const o = awslogsOptions(def({ 'awslogs-create-group': 'true', mode: 'non-blocking', 'max-buffer-size': '4m' }), 'task1', 'cid', 'eu-west-1');
    assert.deepEqual({ ...o, start: undefined }, {
      group: '/ecs/app', region: 'eu-west-1', stream: 'web/app/task1', createGroup: true, start: undefined, mode: 'non-blocking', maxBufferBytes: 4 * 1024 ** 2,
    });
    assert.equal(awslogsOptions({ name: 'app', logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } } }, 't', 'cid', 'r').stream, 'cid');
  });

  it('ships every line once, in order, through failures; a new shipper from the last cursor sends none twice', async () => {
    const clock = new ManualClock();
    const rt = new FakeRuntime({ clock, images: ['img'] });
    const id = await container(rt);
    for (let i = 0; i < 25_000; i++) {
      if (i % 1000 === 0) clock.advance(1);
      rt.print(id, `line ${i}`);
    }
    const first = sink(2);
    const cursors: LogCursor[] = [];
    const options = awslogsOptions(def({ 'awslogs-create-group': 'true' }), 't', id, 'us-east-1');
    const shipper = new LogShipper({ follow: (since) => rt.followLogs(id, since), sink: first.s, options, onShipped: (c) => cursors.push(c), log: () => undefined, retryMs: 1 });
    const running = shipper.run();
    // Stops once two batches are in, as an agent restart would.
    while (first.messages().length < 20_000) await new Promise((r) => setTimeout(r, 5));
    shipper.stop();
    await running;
    assert.deepEqual(first.made.slice(0, 2), ['group /ecs/app', 'stream /ecs/app web/app/t']);
    const shipped = first.messages().length;
    for (let i = 25_000; i < 26_000; i++) rt.print(id, `line ${i}`);
    rt.exit(id, 0);
    const second = sink();
    await new LogShipper({ follow: (since) => rt.followLogs(id, since), from: cursors.at(-1), sink: second.s, options, onShipped: () => undefined, log: () => undefined }).run();
    const all = [...first.messages(), ...second.messages()];
    assert.equal(all.length, 26_000, `first shipped ${shipped}`);
    assert.deepEqual(all, Array.from({ length: 26_000 }, (_, i) => `line ${i}`));
    assert.ok(first.sent.every((b) => b.messages.length <= 10_000));
  });

  it('under a flood reads on while a batch is in flight, at most a batch ahead (blocking), and sends full batches', async () => {
    const clock = new ManualClock();
    const rt = new FakeRuntime({ clock, images: ['img'] });
    const id = await container(rt);
    for (let i = 0; i < 45_000; i++) rt.print(id, `line ${i}`);
    rt.exit(id, 0);
    let read = 0;
    let release = () => {};
    const inFlight: number[] = [];
    const sizes: number[] = [];
    const s = sink();
    const put = s.s.putLogEvents;
    s.s.putLogEvents = async (group, stream, events) => {
      inFlight.push(read);
      await new Promise<void>((r) => (release = r));
      sizes.push(events.length);
      await put(group, stream, events);
    };
    const follow = (since?: string) => {
      const inner = rt.followLogs(id, since);
      return {
        close: () => inner.close(),
        async* [Symbol.asyncIterator]() {
          for await (const lines of inner) {
            read += lines.length;
            yield lines;
          }
        },
      };
    };
    const running = new LogShipper({ follow, sink: s.s, options: awslogsOptions(def(), 't', id, 'r'), onShipped: () => undefined, log: () => undefined }).run();
    for (let sent = 0; sent < 6 && s.messages().length < 45_000; sent++) {
      while (inFlight.length === sent) await new Promise((r) => setTimeout(r, 1));
      // While a batch is in flight the reader has a whole batch (and one read) ready beyond it, no more.
      await new Promise((r) => setTimeout(r, 20));
      assert.ok(read - s.messages().length <= 2 * 10_000 + 1000, `read ${read}, shipped ${s.messages().length}`);
      release();
    }
    await running;
    assert.deepEqual(s.messages(), Array.from({ length: 45_000 }, (_, i) => `line ${i}`));
    // The first read goes at once (the stream was quiet); then each batch takes all that waited, up to 10,000.
    assert.deepEqual(sizes, [1000, 10_000, 10_000, 10_000, 10_000, 4000]);
  });

  it('hands a batch\'s acknowledgement on with the next batch\'s checkpoint when that follows at once', async () => {
    const clock = new ManualClock();
    const rt = new FakeRuntime({ clock, images: ['img'] });
    const id = await container(rt);
    for (let i = 0; i < 25_000; i++) rt.print(id, `line ${i}`);
    rt.exit(id, 0);
    const s = sink();
    const calls: string[] = [];
    let checkpoint: { cursor?: LogCursor; inFlight?: InFlightBatch } = {};
    await new LogShipper({
      follow: (since) => rt.followLogs(id, since), sink: s.s, options: awslogsOptions(def(), 't', id, 'r'), log: () => undefined,
      onShipped: (cursor) => {
        calls.push(`shipped ${cursor.count}`);
        checkpoint = { cursor };
      },
      onInFlight: async (batch, shipped) => {
        calls.push(`in flight ${batch.cursor.count}${shipped ? ` after ${shipped.count}` : ''}`);
        // What a crash now would leave: the batch before acknowledged, this one maybe sent.
        checkpoint = { cursor: shipped ?? checkpoint.cursor, inFlight: batch };
      },
    }).run();
    // All lines have one timestamp: a cursor's count is how many lines it covers. Each batch's
    // acknowledgement comes once: with the next batch's checkpoint, or on its own.
    const ends: number[] = [];
    for (const b of s.sent) ends.push((ends.at(-1) ?? 0) + b.messages.length);
    const expected: string[] = [];
    ends.forEach((end, i) => {
      const before = i > 0 && !expected.includes(`shipped ${ends[i - 1]}`) ? ` after ${ends[i - 1]}` : '';
      expected.push(`in flight ${end}${before}`);
      if (calls.includes(`shipped ${end}`)) expected.push(`shipped ${end}`);
    });
    assert.ok(ends.length > 2);
    assert.deepEqual(calls, expected);
    assert.ok(calls.some((c) => c.includes(' after ')), 'batches that follow at once carry the acknowledgement');
    assert.equal(calls.at(-1), 'shipped 25000');
    assert.deepEqual(checkpoint, { cursor: { time: checkpoint.cursor!.time, count: 25_000 } });
  });

  it('a batch that arrived though its acknowledgement was never checkpointed is not sent again', async () => {
    const rt = new FakeRuntime({ images: ['img'] });
    const id = await container(rt);
    for (let i = 0; i < 5; i++) rt.print(id, `line ${i}`);
    rt.exit(id, 0);
    const s = sink();
    const options = awslogsOptions(def(), 't', id, 'r');
    let inFlight: InFlightBatch | undefined;
    // The first shipper's acknowledgements are lost (as in a kill -9 right after PutLogEvents answered).
    await new LogShipper({
      follow: (since) => rt.followLogs(id, since), sink: s.s, options, onShipped: () => undefined, log: () => undefined,
      onInFlight: async (b) => void (inFlight = b),
    }).run();
    assert.ok(inFlight);
    await new LogShipper({ follow: (since) => rt.followLogs(id, since), inFlight, sink: s.s, options, onShipped: () => undefined, log: () => undefined }).run();
    assert.deepEqual(s.messages(), ['line 0', 'line 1', 'line 2', 'line 3', 'line 4'], 'the batch at the stream\'s end is known by its last event');
  });

  it('joins lines into events by awslogs-datetime-format', async () => {
    const rt = new FakeRuntime({ images: ['img'] });
    const id = await container(rt);
    for (const line of ['2026-12-03 10:00:00 one', '  more', '2026-12-03 10:00:01 two']) rt.print(id, line);
    rt.exit(id, 0);
    const s = sink();
    await new LogShipper({
      follow: (since) => rt.followLogs(id, since), sink: s.s, options: awslogsOptions(def({ 'awslogs-datetime-format': '%Y-%m-%d %H:%M:%S' }), 't', id, 'r'),
      onShipped: () => undefined, log: () => undefined,
    }).run();
    assert.deepEqual(s.messages(), ['2026-12-03 10:00:00 one\n  more', '2026-12-03 10:00:01 two']);
  });
});
