/**
 * CloudWatch Logs end to end, through @aws-sdk/client-cloudwatch-logs and the AWS CLI v2 against
 * a control plane in this process: log groups and streams, retention, tags (current and legacy
 * operations), PutLogEvents' rules, GetLogEvents' tokens, FilterLogEvents with filter patterns
 * and paging, metric filters (their metrics: logs-metric-filters.test.ts; live tail: logs-live-tail.test.ts), IAM on log group ARNs, and
 * `aws logs tail --follow` printing events as they arrive.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, DeleteLogGroupCommand, DeleteLogStreamCommand, DeleteMetricFilterCommand,
  DeleteRetentionPolicyCommand, DescribeLogGroupsCommand, DescribeLogStreamsCommand, DescribeMetricFiltersCommand, FilterLogEventsCommand,
  GetLogEventsCommand, ListTagsForResourceCommand, ListTagsLogGroupCommand, PutLogEventsCommand, PutMetricFilterCommand, PutRetentionPolicyCommand,
  TagLogGroupCommand, TagResourceCommand, UntagLogGroupCommand, UntagResourceCommand, paginateDescribeLogGroups,
  paginateFilterLogEvents,
} from '@aws-sdk/client-cloudwatch-logs';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { awsCliEnv, credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, userWithKey, type Keys } from './support/in-process.ts';

const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let cwl: CloudWatchLogsClient;

before(async () => {
  plane = await controlPlane();
  cwl = client();
});
after(() => cwl?.destroy());

function client(keys: Keys = credentials): CloudWatchLogsClient {
  return new CloudWatchLogsClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1, disableHostPrefix: true });
}

const { cli, cliFails } = awsCli(() => plane.url, 'logs');
const groupArn = (name: string) => `arn:aws:logs:${region}:${ACCOUNT}:log-group:${name}`;

describe('CloudWatch Logs through the SDK and the AWS CLI', () => {
  it('log groups: create, describe by prefix and pattern with paging, retention, tags (current and legacy), delete', async () => {
    for (const name of ['/api/a', '/api/b', '/api/c', '/other/x']) await cwl.send(new CreateLogGroupCommand({ logGroupName: name, tags: { team: 'core' } }));
    await refused(cwl.send(new CreateLogGroupCommand({ logGroupName: '/api/a' })), 'ResourceAlreadyExistsException', 'The specified log group already exists');
    await refused(cwl.send(new CreateLogGroupCommand({ logGroupName: 'bad name!' })), 'InvalidParameterException', /at 'logGroupName' failed to satisfy constraint/);

    const names: string[] = [];
    for await (const page of paginateDescribeLogGroups({ client: cwl, pageSize: 2 }, { logGroupNamePrefix: '/api/' })) {
      assert.ok(page.logGroups!.length <= 2);
      names.push(...page.logGroups!.map((g) => g.logGroupName!));
    }
    assert.deepEqual(names, ['/api/a', '/api/b', '/api/c']);
    const { logGroups } = await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePattern: 'OTHER' }));
    assert.equal(logGroups!.length, 1);
    const [g] = logGroups!;
    assert.deepEqual([g!.logGroupName, g!.arn, g!.logGroupArn, g!.logGroupClass, g!.storedBytes, g!.metricFilterCount, g!.retentionInDays],
      ['/other/x', `${groupArn('/other/x')}:*`, groupArn('/other/x'), 'STANDARD', 0, 0, undefined]);
    assert.ok(typeof g!.creationTime === 'number' && g!.creationTime > 0);

    await cwl.send(new PutRetentionPolicyCommand({ logGroupName: '/other/x', retentionInDays: 14 }));
    await refused(cwl.send(new PutRetentionPolicyCommand({ logGroupName: '/other/x', retentionInDays: 2 })), 'InvalidParameterException', /Member must satisfy enum value set: \[1, 3, 5, 7, 14/);
    assert.equal((await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/other/' }))).logGroups![0]!.retentionInDays, 14);
    await cwl.send(new DeleteRetentionPolicyCommand({ logGroupName: '/other/x' }));
    assert.equal((await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/other/' }))).logGroups![0]!.retentionInDays, undefined);

    await cwl.send(new TagResourceCommand({ resourceArn: groupArn('/api/a'), tags: { env: 'prod' } }));
    await cwl.send(new UntagResourceCommand({ resourceArn: groupArn('/api/a'), tagKeys: ['team'] }));
    assert.deepEqual((await cwl.send(new ListTagsForResourceCommand({ resourceArn: groupArn('/api/a') }))).tags, { env: 'prod' });
    await cwl.send(new TagLogGroupCommand({ logGroupName: '/api/b', tags: { cost: '1' } }));
    await cwl.send(new UntagLogGroupCommand({ logGroupName: '/api/b', tags: ['team'] }));
    assert.deepEqual((await cwl.send(new ListTagsLogGroupCommand({ logGroupName: '/api/b' }))).tags, { cost: '1' });
    await refused(cwl.send(new ListTagsForResourceCommand({ resourceArn: groupArn('/api/none') })), 'ResourceNotFoundException', 'The specified log group does not exist.');

    await cwl.send(new DeleteLogGroupCommand({ logGroupName: '/api/c' }));
    await refused(cwl.send(new DeleteLogGroupCommand({ logGroupName: '/api/c' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
  });

  it('streams and events: PutLogEvents rules, GetLogEvents tokens both ways, DescribeLogStreams ordering', async () => {
    await cwl.send(new CreateLogGroupCommand({ logGroupName: '/ecs/web' }));
    for (const s of ['web/1', 'web/2']) await cwl.send(new CreateLogStreamCommand({ logGroupName: '/ecs/web', logStreamName: s }));
    await refused(cwl.send(new CreateLogStreamCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1' })), 'ResourceAlreadyExistsException', 'The specified log stream already exists');
    await refused(cwl.send(new CreateLogStreamCommand({ logGroupName: '/ecs/none', logStreamName: 's' })), 'ResourceNotFoundException', 'The specified log group does not exist.');
    const now = Date.now();
    const put = await cwl.send(new PutLogEventsCommand({
      logGroupName: '/ecs/web', logStreamName: 'web/1', sequenceToken: 'ignored',
      logEvents: [{ timestamp: now - 15 * 86_400_000, message: 'ancient' }, ...[1, 2, 3, 4].map((i) => ({ timestamp: now - 100 + i, message: `line ${i}` })), { timestamp: now + 3 * 3_600_000, message: 'future' }],
    }));
    assert.deepEqual(put.rejectedLogEventsInfo, { tooOldLogEventEndIndex: 1, tooNewLogEventStartIndex: 5 });
    assert.match(put.nextSequenceToken!, /^\d{56}$/);
    await refused(cwl.send(new PutLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1', logEvents: [{ timestamp: now, message: 'b' }, { timestamp: now - 1, message: 'a' }] })),
      'InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
    await refused(cwl.send(new PutLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'none', logEvents: [{ timestamp: now, message: 'a' }] })),
      'ResourceNotFoundException', 'The specified log stream does not exist.');
    await refused(cwl.send(new PutLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1', logEvents: [] })), 'InvalidParameterException', /at 'logEvents' failed to satisfy constraint/);
    await cwl.send(new PutLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/2', logEvents: [{ timestamp: now - 200, message: 'early' }] }));

    const newest = await cwl.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1', limit: 2 }));
    assert.deepEqual(newest.events!.map((e) => e.message), ['line 3', 'line 4']);
    assert.ok(newest.events!.every((e) => typeof e.ingestionTime === 'number'));
    const older = await cwl.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1', nextToken: newest.nextBackwardToken }));
    assert.deepEqual(older.events!.map((e) => e.message), ['line 1', 'line 2']);
    const nothing = await cwl.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1', nextToken: newest.nextForwardToken }));
    assert.deepEqual([nothing.events, nothing.nextForwardToken], [[], newest.nextForwardToken], 'at the end: the same token back');
    const head = await cwl.send(new GetLogEventsCommand({ logGroupIdentifier: groupArn('/ecs/web'), logStreamName: 'web/1', startFromHead: true, limit: 1 }));
    assert.deepEqual(head.events!.map((e) => e.message), ['line 1']);
    await refused(cwl.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1', nextToken: 'nonsense' })), 'InvalidParameterException');

    const byTime = await cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/web', orderBy: 'LastEventTime', descending: true }));
    assert.deepEqual(byTime.logStreams!.map((s) => s.logStreamName), ['web/1', 'web/2']);
    const [s1] = byTime.logStreams!;
    assert.deepEqual([s1!.firstEventTimestamp, s1!.lastEventTimestamp, s1!.arn], [now - 99, now - 96, `${groupArn('/ecs/web')}:log-stream:web/1`]);
    assert.equal(s1!.storedBytes, 4 * (6 + 26));
    const paged = await cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/web', limit: 1 }));
    assert.deepEqual(paged.logStreams!.map((s) => s.logStreamName), ['web/1']);
    const rest = await cwl.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/web', limit: 1, nextToken: paged.nextToken }));
    assert.deepEqual([rest.logStreams!.map((s) => s.logStreamName), rest.nextToken], [['web/2'], undefined]);
    await cwl.send(new DeleteLogStreamCommand({ logGroupName: '/ecs/web', logStreamName: 'web/2' }));
    await refused(cwl.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/2' })), 'ResourceNotFoundException');
  });

  it('FilterLogEvents: patterns across streams, paging with the paginator, eventIds', async () => {
    await cwl.send(new CreateLogGroupCommand({ logGroupName: '/filter' }));
    const now = Date.now();
    for (const [s, base] of [['a', 0], ['b', 1]] as const) {
      await cwl.send(new CreateLogStreamCommand({ logGroupName: '/filter', logStreamName: s }));
      await cwl.send(new PutLogEventsCommand({
        logGroupName: '/filter', logStreamName: s,
        logEvents: [0, 2, 4].map((i) => ({ timestamp: now - 1000 + i + base, message: JSON.stringify({ level: i === 2 ? 'ERROR' : 'INFO', latency: 100 * (i + base), stream: s }) })),
      }));
    }
    const errors = await cwl.send(new FilterLogEventsCommand({ logGroupName: '/filter', filterPattern: '{ $.level = "ERROR" }' }));
    assert.deepEqual(errors.events!.map((e) => e.logStreamName), ['a', 'b']);
    const slow = await cwl.send(new FilterLogEventsCommand({ logGroupIdentifier: groupArn('/filter'), filterPattern: '{ $.latency > 250 }', logStreamNames: ['b'] }));
    assert.deepEqual(slow.events!.map((e) => JSON.parse(e.message!).latency), [300, 500]);
    const seen: string[] = [];
    for await (const page of paginateFilterLogEvents({ client: cwl, pageSize: 4 }, { logGroupName: '/filter', startTime: now - 999 })) {
      seen.push(...page.events!.map((e) => `${e.logStreamName}@${e.timestamp! - now}`));
      assert.ok(page.events!.every((e) => /^\d+$/.test(e.eventId!)));
    }
    assert.deepEqual(seen, ['b@-999', 'a@-998', 'b@-997', 'a@-996', 'b@-995']);
    await refused(cwl.send(new FilterLogEventsCommand({ logGroupName: '/filter', filterPattern: '{ $.level = ' })), 'InvalidParameterException', 'Invalid filter pattern');
    await refused(cwl.send(new FilterLogEventsCommand({ logGroupName: '/none' })), 'ResourceNotFoundException');
  });

  it('metric filters are stored and validated', async () => {
    await cwl.send(new CreateLogGroupCommand({ logGroupName: '/metrics' }));
    const transform = [{ metricName: 'Errors', metricNamespace: 'App', metricValue: '1', defaultValue: 0 }];
    await cwl.send(new PutMetricFilterCommand({ logGroupName: '/metrics', filterName: 'errors', filterPattern: '[ip, user, ..., status = 5*, bytes]', metricTransformations: transform }));
    await refused(cwl.send(new PutMetricFilterCommand({ logGroupName: '/metrics', filterName: 'bad', filterPattern: '{ $.x >', metricTransformations: transform })),
      'InvalidParameterException', 'Invalid metric filter pattern');
    const { metricFilters } = await cwl.send(new DescribeMetricFiltersCommand({ logGroupName: '/metrics' }));
    assert.deepEqual(metricFilters!.map((f) => [f.filterName, f.filterPattern, f.metricTransformations]), [['errors', '[ip, user, ..., status = 5*, bytes]', transform]]);
    assert.equal((await cwl.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/metrics' }))).logGroups![0]!.metricFilterCount, 1);
    await cwl.send(new DeleteMetricFilterCommand({ logGroupName: '/metrics', filterName: 'errors' }));
    await refused(cwl.send(new DeleteMetricFilterCommand({ logGroupName: '/metrics', filterName: 'errors' })), 'ResourceNotFoundException');
  });

  it('IAM: logs:<Action> on the log group ARN', async () => {
    const keys = await userWithKey(plane.url, 'logs-reader', [
      { Effect: 'Allow', Action: ['logs:DescribeLogStreams', 'logs:GetLogEvents'], Resource: `${groupArn('/ecs/web')}*` },
    ]);
    const reader = client(keys);
    try {
      assert.deepEqual((await reader.send(new DescribeLogStreamsCommand({ logGroupName: '/ecs/web' }))).logStreams!.map((s) => s.logStreamName), ['web/1']);
      await reader.send(new GetLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1' }));
      await refused(reader.send(new DescribeLogStreamsCommand({ logGroupName: '/filter' })), 'AccessDeniedException');
      await refused(reader.send(new PutLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'web/1', logEvents: [{ timestamp: Date.now(), message: 'x' }] })), 'AccessDeniedException');
    } finally {
      reader.destroy();
    }
  });

  it('the AWS CLI: groups, streams, events, and `aws logs tail --follow` printing new events', async () => {
    await cli('create-log-group', '--log-group-name', '/cli/app');
    await cli('create-log-stream', '--log-group-name', '/cli/app', '--log-stream-name', 'main');
    const put = await cli('put-log-events', '--log-group-name', '/cli/app', '--log-stream-name', 'main',
      '--log-events', `timestamp=${Date.now() - 1000},message=hello-from-cli`, `timestamp=${Date.now() - 500},message=second-line`);
    assert.match(put.nextSequenceToken, /^\d+$/);
    const got = await cli('get-log-events', '--log-group-name', '/cli/app', '--log-stream-name', 'main', '--start-from-head');
    assert.deepEqual(got.events.map((e: { message: string }) => e.message), ['hello-from-cli', 'second-line']);
    const filtered = await cli('filter-log-events', '--log-group-name', '/cli/app', '--filter-pattern', 'second');
    assert.deepEqual(filtered.events.map((e: { message: string }) => e.message), ['second-line']);
    assert.match(await cliFails('put-retention-policy', '--log-group-name', '/cli/app', '--retention-in-days', '2'), /InvalidParameterException/);

    const tail = spawn('/usr/bin/aws', ['--endpoint-url', plane.url, 'logs', 'tail', '/cli/app', '--follow', '--format', 'short'], {
      env: { ...awsCliEnv, AWS_DEFAULT_REGION: region, AWS_REGION: region, AWS_EC2_METADATA_DISABLED: 'true' },
    });
    let out = '';
    let err = '';
    tail.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    tail.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    const until = async (text: string, ms: number) => {
      const deadline = Date.now() + ms;
      while (!out.includes(text)) {
        if (Date.now() > deadline || tail.exitCode !== null) throw new Error(`aws logs tail did not print ${text}: ${out} ${err}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    try {
      await until('second-line', 15_000);
      assert.ok(out.includes('hello-from-cli'));
      await cli('put-log-events', '--log-group-name', '/cli/app', '--log-stream-name', 'main', '--log-events', `timestamp=${Date.now()},message=arrived-while-following`);
      await until('arrived-while-following', 15_000);
      assert.equal(out.split('\n').filter((l) => l.includes('second-line')).length, 1, 'each event printed once');
    } finally {
      tail.kill('SIGKILL');
    }
  });
});
