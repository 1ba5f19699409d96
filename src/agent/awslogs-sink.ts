/**
 * CloudWatch Logs on Wharf's API as the awslogs driver's sink, called with the credentials it is
 * given. PutLogEvents, which carries every line, is one signed AWS JSON 1.1 request built here:
 * a batch of 10,000 events is one JSON.stringify, not the SDK's walk of each event through its
 * schema; the other calls go through the SDK.
 */
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { CloudWatchLogsClient, CreateLogGroupCommand, CreateLogStreamCommand, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { signRequest, type Credentials, type RoleCredentials } from '../common/index.ts';
import type { LogSink } from './log-shipper.ts';

/** CloudWatch Logs' AWS JSON 1.1 target prefix and content type. */
const TARGET = 'Logs_20140328';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

/** Connections kept open between batches (http and https). */
const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

/** One POST: the answer's status, error type header and body. */
function post(url: URL, headers: Record<string, string>, body: string): Promise<{ status: number; errorType?: string; text: string }> {
  const https = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(url, { method: 'POST', headers, agent: https ? agents.https : agents.http }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (c: Buffer) => chunks.push(c));
      response.on('error', reject);
      response.on('end', () => {
        const errorType = response.headers['x-amzn-errortype'];
        resolve({ status: response.statusCode ?? 0, errorType: Array.isArray(errorType) ? errorType[0] : errorType, text: Buffer.concat(chunks).toString('utf8') });
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** An AWS JSON error answer as an Error named by its code, as the SDK throws it. */
function errorOf(answer: { status: number; errorType?: string; text: string }): Error {
  let body: { __type?: string; message?: string; Message?: string } = {};
  try {
    body = JSON.parse(answer.text) as typeof body;
  } catch {
    // Not JSON: named by the status below.
  }
  const type = answer.errorType ?? body.__type ?? `HTTP ${answer.status}`;
  const name = type.split(':')[0]!.split('#').at(-1)!;
  return Object.assign(new Error(body.message ?? body.Message ?? (answer.text || `HTTP ${answer.status}`)), { name, $metadata: { httpStatusCode: answer.status } });
}

/** A sink calling `endpoint` in `region` as `credentials` (a role session, or the agent's own key pair). */
export function awslogsSink(
  endpoint: () => string, region: string,
  credentials: () => Promise<RoleCredentials | { accessKeyId: string; secretAccessKey: string; sessionToken?: string }>,
): LogSink {
  const plainCredentials = async (): Promise<Credentials & { expiration?: Date }> => {
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
      if (current?.url !== url) current = { url, client: new CloudWatchLogsClient({ endpoint: url, region, maxAttempts: 1, credentials: plainCredentials }) };
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
      const url = new URL(endpoint());
      const body = JSON.stringify({ logGroupName: group, logStreamName: stream, logEvents: events });
      const headers = await signRequest({
        method: 'POST', url, body, credentials: await plainCredentials(), region, service: 'logs',
        headers: { 'content-type': CONTENT_TYPE, 'x-amz-target': `${TARGET}.PutLogEvents` },
      });
      const answer = await post(url, { ...headers, 'content-length': String(Buffer.byteLength(body)) }, body);
      if (answer.status < 200 || answer.status >= 300) throw errorOf(answer);
    },
    async lastEvent(group, stream) {
      const out = await client.send(new GetLogEventsCommand({ logGroupName: group, logStreamName: stream, startFromHead: false, limit: 1 }));
      const e = out.events?.at(-1);
      return e ? { timestamp: e.timestamp ?? 0, message: e.message ?? '' } : undefined;
    },
  };
}
