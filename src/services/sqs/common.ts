/**
 * What the SQS API's handlers share: their ports, the operation table's type, queue URLs (the
 * endpoint the request came in on, then `/<account>/<queue name>`), validation errors in SQS's
 * words, and messages as the API shows them.
 */
import type { Message, MessageAttributeValue, MessageSystemAttributeName } from '@aws-sdk/client-sqs';
import { AwsError, coralValidationMessage, type OperationSpec, type RequestContext, type SqsOperations, type Violation } from '../../aws/index.ts';
import type { Clock, Ids } from '../../common/index.ts';
import * as queues from '../../queues/index.ts';
import type { Store } from '../../state/index.ts';

/** Counts of what the API did, for the AWS/SQS metrics (NumberOfMessagesSent, ...). */
export interface SqsActivity {
  sent(queue: queues.QueueRecord, n: number): void;
  received(queue: queues.QueueRecord, n: number): void;
  deleted(queue: queues.QueueRecord, n: number): void;
}

/** What the SQS API runs on. */
export interface SqsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Wakes long polls on a send (one per process: EventBridge's deliveries use it too). */
  signals?: queues.QueueSignals;
  activity?: SqsActivity;
}

/** Some of SQS's operations, as one file of the adapter implements them. */
export type SqsOperationTable = {
  [K in keyof SqsOperations]?: OperationSpec<SqsOperations[K]['input'], SqsOperations[K]['output']>
};

/** MissingParameter for a missing required member; InvalidParameterValue for the rest. */
export function sqsValidationError(violations: Violation[]): AwsError {
  const first = violations[0];
  // An attribute name the model's enum does not know: SQS's own error for it.
  if (first && first.constraint === 'enum' && /^(Attributes|AttributeNames)$/.test(String(first.path[0]))) {
    return new AwsError('InvalidAttributeName', `Unknown Attribute ${String(first.value)}.`);
  }
  if (first && first.constraint === 'required') return new AwsError('MissingParameter', `The request must contain the parameter ${first.path.join('.')}.`);
  return new AwsError('InvalidParameterValue', coralValidationMessage(violations));
}

/** The domain's environment, read when a request runs. */
export const envOf = (deps: SqsDeps): queues.QueuesEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
});

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): queues.Scope => ({ account: ctx.account, region: ctx.region });

/** A queue's URL, on the endpoint the request came in on. */
export const queueUrlOf = (ctx: RequestContext, q: { account: string; name: string }) => `http://${ctx.host ?? 'localhost'}/${q.account}/${q.name}`;

/**
 * The QueueUrl a Query request posted to a queue's URL names (`/<account>/<name>`, as older
 * clients send it instead of a QueueUrl parameter); none for any other path.
 */
export function queueUrlOfPath(path: string, host: string | undefined): Record<string, string> {
  return /^\/\d{12}\/[\w-]{1,80}(?:\.fifo)?\/?$/.test(path) ? { QueueUrl: `http://${host ?? 'localhost'}${path}` } : {};
}

/** The queue a URL names: `<endpoint>/<account>/<name>`. QueueDoesNotExist when it names none of the caller's. */
export function queueOfUrl(url: string | undefined, ctx: RequestContext): { scope: queues.Scope; name: string } {
  let path: string;
  try {
    path = new URL(url ?? '').pathname;
  } catch {
    throw queues.QueueErrors.queueDoesNotExist();
  }
  const m = /^\/(\d{12})\/([\w-]{1,80}(?:\.fifo)?)\/?$/.exec(path);
  if (!m || m[1] !== ctx.account) throw queues.QueueErrors.queueDoesNotExist();
  return { scope: { account: m[1], region: ctx.region }, name: m[2]! };
}

/** The queue ARN a QueueUrl names, for IAM (`*` when it names none: the handler answers QueueDoesNotExist). */
export function arnOfUrl(url: string | undefined, ctx: RequestContext): string[] {
  try {
    const q = queueOfUrl(url, ctx);
    return [queues.queueArn(q.scope, q.name)];
  } catch {
    return ['*'];
  }
}

/** Message attributes as the API gives them → as stored. */
export function attributesIn(attrs: Record<string, MessageAttributeValue> | undefined, field = 'MessageAttribute'): Record<string, queues.StoredAttribute> {
  const out: Record<string, queues.StoredAttribute> = {};
  for (const [name, a] of Object.entries(attrs ?? {})) {
    if (!/^[\w.-]{1,256}$/.test(name) || /^(aws\.|amazon\.)/i.test(name) || name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
      throw queues.QueueErrors.invalidParameterValue(`${field} name '${name}' is invalid.`);
    }
    const type = a.DataType ?? '';
    if (!/^(String|Number|Binary)(\..+)?$/.test(type)) throw queues.QueueErrors.invalidParameterValue(`The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    if (type.startsWith('Binary')) {
      if (a.BinaryValue === undefined) throw queues.QueueErrors.invalidParameterValue(`The message attribute '${name}' with type 'Binary' must use field 'Binary'.`);
      out[name] = { dataType: type, binaryValue: Buffer.from(a.BinaryValue).toString('base64') };
    } else {
      if (a.StringValue === undefined || a.StringValue === '') throw queues.QueueErrors.invalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type.split('.')[0]}'.`);
      if (type.startsWith('Number') && !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(a.StringValue)) {
        throw queues.QueueErrors.invalidParameterValue(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      }
      out[name] = { dataType: type, stringValue: a.StringValue };
    }
  }
  return out;
}

/** Stored attributes → as the API shows them. */
export function attributesOut(attrs: Record<string, queues.StoredAttribute>): Record<string, MessageAttributeValue> {
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, a] of Object.entries(attrs)) {
    out[name] = a.binaryValue !== undefined && a.stringValue === undefined
      ? { DataType: a.dataType, BinaryValue: Buffer.from(a.binaryValue, 'base64') }
      : { DataType: a.dataType, StringValue: a.stringValue };
  }
  return out;
}

/** Whether a receive's MessageAttributeNames asks for an attribute: `All`, `.*`, `prefix.*` or the name. */
const wantsAttribute = (names: readonly string[], name: string) =>
  names.some((n) => n === 'All' || n === '.*' || n === name || (n.endsWith('.*') && name.startsWith(n.slice(0, -1))));

const SYSTEM_NAMES = [
  'SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp',
  'SequenceNumber', 'MessageDeduplicationId', 'MessageGroupId', 'AWSTraceHeader', 'DeadLetterQueueSourceArn',
] as const;

/** A received message as ReceiveMessage shows it, with the attributes asked for. */
export function messageOut(m: queues.ReceivedMessage, systemNames: readonly string[], attributeNames: readonly string[]): Message {
  const b = m.body;
  const all = systemNames.includes('All');
  const system: Partial<Record<MessageSystemAttributeName, string>> = {};
  const values: Record<string, string | undefined> = {
    SenderId: b.senderId, SentTimestamp: String(b.sentAt), ApproximateReceiveCount: String(m.state.receiveCount),
    ApproximateFirstReceiveTimestamp: String(m.state.firstReceivedAt ?? b.sentAt), SequenceNumber: b.sequenceNumber,
    MessageDeduplicationId: b.deduplicationId, MessageGroupId: b.groupId, AWSTraceHeader: b.systemAttributes.AWSTraceHeader?.stringValue,
    DeadLetterQueueSourceArn: b.deadLetterSourceArn,
  };
  for (const name of SYSTEM_NAMES) if ((all || systemNames.includes(name)) && values[name] !== undefined) system[name] = values[name];
  const chosen: Record<string, queues.StoredAttribute> = {};
  for (const [name, a] of Object.entries(b.attributes)) if (wantsAttribute(attributeNames, name)) chosen[name] = a;
  const md5 = queues.md5OfAttributes(chosen);
  return {
    MessageId: b.id, ReceiptHandle: m.receiptHandle, MD5OfBody: b.md5OfBody, Body: b.body,
    ...(Object.keys(system).length && { Attributes: system }),
    ...(md5 && { MD5OfMessageAttributes: md5, MessageAttributes: attributesOut(chosen) }),
  };
}

/** Checks a batch's entries: 1 to 10, ids distinct and well-formed. */
export function checkBatch(entries: readonly { Id?: string }[] | undefined): void {
  const list = entries ?? [];
  if (list.length === 0) throw queues.QueueErrors.emptyBatch();
  if (list.length > 10) throw queues.QueueErrors.tooManyEntries(list.length);
  const seen = new Set<string>();
  for (const e of list) {
    if (!e.Id || !/^[\w-]{1,80}$/.test(e.Id)) throw queues.QueueErrors.invalidBatchEntryId();
    if (seen.has(e.Id)) throw queues.QueueErrors.idsNotDistinct(e.Id);
    seen.add(e.Id);
  }
}

/** A batch entry's failure, from what its single operation threw. */
export function batchFailure(id: string, error: unknown) {
  const e = error instanceof AwsError ? error : new AwsError('InternalError', String(error), 500);
  return { Id: id, SenderFault: e.status < 500, Code: e.code, Message: e.message };
}
