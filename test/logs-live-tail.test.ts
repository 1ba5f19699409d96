/**
 * CloudWatch Logs' StartLiveTail through @aws-sdk/client-cloudwatch-logs: the session's event
 * stream (sessionStart, then sessionUpdates with the events other clients put), by group name
 * and ARN, stream names and prefixes, a filter pattern, the refusals AWS answers before a
 * session starts, the session's end with SessionTimeoutException (its cap shortened here), the
 * session's end when the caller leaves, and IAM on the groups' ARNs. The SDK calls the
 * operation on a `stream-` host prefix, which an address cannot take: clients pass
 * `disableHostPrefix: true`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, PutLogEventsCommand, StartLiveTailCommand, type LiveTailSessionLogEvent,
  type StartLiveTailCommandInput, type StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, inProcessControlPlane, refused, userWithKey, type Keys } from './support/in-process.ts';

/** A session's cap, shortened from AWS's three hours so the timeout is seen. */
const SESSION_MS = 6000;
const controlPlane = inProcessControlPlane({ liveTail: { sessionMs: SESSION_MS, updateMs: 200, timers: nodeTimers() } });
let plane: ControlPlane;
let writer: CloudWatchLogsClient;

/** Node's timers, counting the ones pending: a session holds two (its next update, its end) while it runs. */
let pendingTimers = 0;
function nodeTimers() {
  return {
    after(ms: number, fn: () => void) {
      pendingTimers++;
      let pending = true;
      const done = () => {
        if (pending) pendingTimers--;
        pending = false;
      };
      const t = setTimeout(() => {
        done();
        fn();
      }, ms);
      return () => {
        clearTimeout(t);
        done();
      };
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  assert.ok(condition(), what);
}

const tailClient = (keys: Keys = credentials) =>
  new CloudWatchLogsClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1, disableHostPrefix: true });
const groupArn = (name: string) => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`;

before(async () => {
  plane = await controlPlane();
  writer = new CloudWatchLogsClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  for (const group of ['/tail/a', '/tail/b']) {
    await writer.send(new CreateLogGroupCommand({ logGroupName: group }));
    for (const stream of ['web-1', 'web-2', 'worker']) await writer.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
  }
});
after(() => writer?.destroy());

async function put(group: string, stream: string, ...messages: string[]): Promise<void> {
  const now = Date.now();
  await writer.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: messages.map((message) => ({ timestamp: now, message })) }));
}

/** A started session: its start, and a reader of its events that stops once `count` arrived. */
async function startTail(input: StartLiveTailCommandInput, client = tailClient()) {
  const abort = new AbortController();
  const out = await client.send(new StartLiveTailCommand(input), { abortSignal: abort.signal });
  const iterator = out.responseStream![Symbol.asyncIterator]();
  const first = await iterator.next();
  const start = (first.value as StartLiveTailResponseStream).sessionStart!;
  const updates: { sampled: boolean; results: LiveTailSessionLogEvent[] }[] = [];
  const events = async (count: number): Promise<LiveTailSessionLogEvent[]> => {
    while (updates.flatMap((u) => u.results).length < count) {
      const { value, done } = await iterator.next();
      if (done) break;
      const update = (value as StartLiveTailResponseStream).sessionUpdate;
      if (update) updates.push({ sampled: update.sessionMetadata?.sampled ?? false, results: update.sessionResults ?? [] });
    }
    return updates.flatMap((u) => u.results);
  };
  return { start, events, updates, iterator, stop: () => { abort.abort(); client.destroy(); } };
}

describe('StartLiveTail', () => {
  it('streams the events other clients put, from the session on, with their stream, group, times; by name and by ARN', async () => {
    await put('/tail/a', 'web-1', 'before the session');
    const tail = await startTail({ logGroupIdentifiers: ['/tail/a', groupArn('/tail/b')] });
    try {
      assert.equal(tail.start.logGroupIdentifiers!.length, 2);
      assert.match(tail.start.sessionId!, /^[0-9a-f-]{36}$/);
      assert.ok(tail.start.requestId);
      await put('/tail/a', 'web-1', 'one', 'two');
      await put('/tail/b', 'worker', 'three');
      const events = await tail.events(3);
      assert.deepEqual(events.map((e) => [e.logGroupIdentifier, e.logStreamName, e.message]).sort(), [
        ['/tail/a', 'web-1', 'one'], ['/tail/a', 'web-1', 'two'], [groupArn('/tail/b'), 'worker', 'three'],
      ]);
      assert.ok(events.every((e) => typeof e.timestamp === 'number' && typeof e.ingestionTime === 'number' && e.ingestionTime >= e.timestamp! - 1000));
      assert.ok(tail.updates.every((u) => !u.sampled));
      // A stream created after the session started is followed from its first event.
      await writer.send(new CreateLogStreamCommand({ logGroupName: '/tail/a', logStreamName: 'late' }));
      await put('/tail/a', 'late', 'four');
      assert.deepEqual((await tail.events(4)).at(-1)!.message, 'four');
    } finally {
      tail.stop();
    }
  });

  it('a filter pattern and stream name prefixes choose the events', async () => {
    const tail = await startTail({ logGroupIdentifiers: ['/tail/a'], logStreamNamePrefixes: ['web-'], logEventFilterPattern: '{ $.level = "ERROR" }' });
    try {
      assert.deepEqual([tail.start.logStreamNamePrefixes, tail.start.logEventFilterPattern], [['web-'], '{ $.level = "ERROR" }']);
      await put('/tail/a', 'web-2', '{"level":"INFO","n":1}', '{"level":"ERROR","n":2}');
      await put('/tail/a', 'worker', '{"level":"ERROR","n":3}');
      await put('/tail/a', 'web-1', '{"level":"ERROR","n":4}');
      assert.deepEqual((await tail.events(2)).map((e) => [e.logStreamName, JSON.parse(e.message!).n]), [['web-2', 2], ['web-1', 4]]);
    } finally {
      tail.stop();
    }
    const named = await startTail({ logGroupIdentifiers: ['/tail/b'], logStreamNames: ['worker'] });
    try {
      await put('/tail/b', 'web-1', 'not this');
      await put('/tail/b', 'worker', 'this');
      assert.deepEqual((await named.events(1)).map((e) => e.message), ['this']);
    } finally {
      named.stop();
    }
  });

  it('refused before a session starts: an unknown group, too many groups, names with prefixes, a bad pattern', async () => {
    const client = tailClient();
    try {
      await refused(client.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/none'] })), 'ResourceNotFoundException', 'The specified log group does not exist.');
      await refused(client.send(new StartLiveTailCommand({ logGroupIdentifiers: Array.from({ length: 11 }, (_, i) => `/g${i}`) })),
        'InvalidParameterException', /from 1 to 10 log groups/);
      await refused(client.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/a', '/tail/b'], logStreamNames: ['web-1'] })),
        'InvalidParameterException', /with one log group only/);
      await refused(client.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/a'], logStreamNames: ['a'], logStreamNamePrefixes: ['b'] })),
        'InvalidParameterException', /mutually exclusive/);
      await refused(client.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/a'], logEventFilterPattern: '{ $.x >' })), 'InvalidParameterException', 'Invalid filter pattern');
    } finally {
      client.destroy();
    }
  });

  it('ends when its caller goes away: its timers are released', async () => {
    await until(() => pendingTimers === 0, 'no session running');
    const tail = await startTail({ logGroupIdentifiers: ['/tail/a'] });
    assert.equal(pendingTimers, 2);
    tail.stop();
    await until(() => pendingTimers === 0, 'the session ended with its connection');
  });

  it('ends with SessionTimeoutException in the stream when its time is up', async () => {
    const tail = await startTail({ logGroupIdentifiers: ['/tail/b'] });
    try {
      await assert.rejects(async () => {
        for (;;) {
          const { done } = await tail.iterator.next();
          if (done) throw new Error('the stream ended without an exception');
        }
      }, (error: Error) => {
        assert.equal(error.name, 'SessionTimeoutException');
        assert.match(error.message, /timed out/);
        return true;
      });
    } finally {
      tail.stop();
    }
  });

  it('IAM: logs:StartLiveTail on every group of the session', async () => {
    const keys = await userWithKey(plane.url, 'tailer', [{ Effect: 'Allow', Action: 'logs:StartLiveTail', Resource: groupArn('/tail/a') }]);
    const client = tailClient(keys);
    try {
      await refused(client.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/a', '/tail/b'] })), 'AccessDeniedException', /logs:StartLiveTail/);
      const tail = await startTail({ logGroupIdentifiers: ['/tail/a'] }, client);
      tail.stop();
    } finally {
      client.destroy();
    }
  });

  it('without disableHostPrefix the SDK cannot reach an address: it calls stream-<host>', async () => {
    const client = new CloudWatchLogsClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    try {
      await assert.rejects(client.send(new StartLiveTailCommand({ logGroupIdentifiers: ['/tail/a'] })), (error: Error) => {
        assert.match(error.message, /(ENOTFOUND|EAI_AGAIN) stream-127\.0\.0\.1/); // EAI_AGAIN where no resolver is reachable (a network namespace of its own)
        return true;
      });
    } finally {
      client.destroy();
    }
  });

  it('the AWS CLI on this machine has no start-live-tail', async () => {
    const help = await promisify(execFile)('/usr/bin/aws', ['logs', 'start-live-tail', 'help']).catch((error: { stderr?: string }) => ({ stdout: '', stderr: String(error.stderr) }));
    assert.match(help.stderr, /Invalid choice/);
  });
});
