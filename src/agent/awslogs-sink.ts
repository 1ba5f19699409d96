/** CloudWatch Logs on Wharf's API as the awslogs driver's sink, called with the credentials it is given. */
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand, PutLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import type { RoleCredentials } from '../common/index.ts';
import type { LogSink } from './log-shipper.ts';

/** A sink calling `endpoint` in `region` as `credentials` (a role session, or the agent's own key pair). */
export function awslogsSink(
  endpoint: () => string, region: string,
  credentials: () => Promise<RoleCredentials | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }>,
): LogSink {
  const sdkCredentials = async () => {
    const c = await credentials();
    return 'AccessKeyId' in c
      ? { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token, expiration: new Date(c.Expiration) }
      : c;
  };
  // One client per replica: the link may move to another one.
  let current: { url: string; client: CloudWatchLogsClient } | undefined;
  const client = {
    send: ((command: never) => {
      const url = endpoint();
      if (current?.url !== url) current = { url, client: new CloudWatchLogsClient({ endpoint: url, region, maxAttempts: 1, credentials: sdkCredentials }) };
      return current.client.send(command);
    }) as CloudWatchLogsClient['send'],
  };
  return {
    async createLogGroup(group) {
      await client.send(new CreateLogGroupCommand({ logGroupName: group }));
    },
    async createLogStream(group, stream) {
      await client.send(new CreateLogStreamCommand({ logGroupName: group, logStreamName: stream }));
    },
    async putLogEvents(group, stream, events) {
      await client.send(new PutLogEventsCommand({ logGroupName: group, logStreamName: stream, logEvents: events }));
    },
    async lastEvent(group, stream) {
      const out = await client.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: false, limit: 1 }));
      const e = out.events?.at(-1);
      return e ? { timestamp: e.timestamp ?? 0, message: e.message ?? '' } : undefined;
    },
  };
}
