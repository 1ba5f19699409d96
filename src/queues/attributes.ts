/**
 * A queue's attributes: the names SQS knows, their defaults and allowed values, and the
 * read-only ones computed when asked (counts, ARN, timestamps).
 */
import { QueueErrors } from './errors.ts';
import { parseQueueArn } from './records.ts';

/** Attributes CreateQueue and SetQueueAttributes accept, with their defaults ('' when none). */
const SETTABLE: Record<string, string> = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  Policy: '',
  RedrivePolicy: '',
  RedriveAllowPolicy: '',
  KmsMasterKeyId: '',
  KmsDataKeyReusePeriodSeconds: '300',
  SqsManagedSseEnabled: 'true',
};
const FIFO_SETTABLE: Record<string, string> = { ContentBasedDeduplication: 'false', DeduplicationScope: 'queue', FifoThroughputLimit: 'perQueue' };

/** Attributes computed when read. */
export const READ_ONLY = [
  'ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn',
] as const;

const RANGES: Record<string, [number, number]> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 262144],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

/** Every attribute name GetQueueAttributes knows, for a queue of this kind. */
export function knownAttributeNames(fifo: boolean): string[] {
  return [...Object.keys(SETTABLE), ...(fifo ? [...Object.keys(FIFO_SETTABLE), 'FifoQueue'] : []), ...READ_ONLY];
}

/** The stored attributes of a new queue: the defaults, overridden by those given. */
export function defaultAttributes(fifo: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...SETTABLE, ...(fifo ? FIFO_SETTABLE : {}) })) if (v !== '') out[k] = v;
  return out;
}

/** A parsed redrive policy. */
export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

/** The queue's redrive policy, if it has one. */
export function redrivePolicyOf(attributes: Record<string, string>): RedrivePolicy | undefined {
  const raw = attributes.RedrivePolicy;
  if (!raw) return undefined;
  const p = JSON.parse(raw) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
  return { deadLetterTargetArn: p.deadLetterTargetArn, maxReceiveCount: Number(p.maxReceiveCount) };
}

/** A numeric attribute as a number. */
export const numberAttribute = (attributes: Record<string, string>, name: keyof typeof RANGES): number => Number(attributes[name] ?? SETTABLE[name]);

/**
 * Checks attributes given to CreateQueue or SetQueueAttributes and returns them normalized.
 * `FifoQueue` is accepted only at creation (it must match the name).
 */
export function validateAttributes(given: Record<string, string>, fifo: boolean, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    if (name === 'FifoQueue') {
      if (!creating) throw QueueErrors.invalidAttributeName(name);
      if (value !== String(fifo)) throw QueueErrors.invalidAttributeValue(name, fifo ? undefined : 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.');
      continue;
    }
    if (!(name in SETTABLE) && !(fifo && name in FIFO_SETTABLE)) throw QueueErrors.invalidAttributeName(name);
    const range = RANGES[name];
    if (range) {
      if (!/^\d+$/.test(value) || Number(value) < range[0] || Number(value) > range[1]) throw QueueErrors.invalidAttributeValue(name);
      out[name] = String(Number(value));
    } else if (name === 'RedrivePolicy') {
      out[name] = value === '' ? '' : normalizeRedrive(value);
    } else if (name === 'RedriveAllowPolicy' || name === 'Policy') {
      if (value !== '') {
        try {
          if (typeof JSON.parse(value) !== 'object') throw new Error();
        } catch {
          throw QueueErrors.invalidAttributeValue(name, 'The policy is not valid JSON.');
        }
      }
      out[name] = value;
    } else if (name === 'ContentBasedDeduplication' || name === 'SqsManagedSseEnabled') {
      if (value !== 'true' && value !== 'false') throw QueueErrors.invalidAttributeValue(name);
      out[name] = value;
    } else if (name === 'DeduplicationScope') {
      if (value !== 'queue' && value !== 'messageGroup') throw QueueErrors.invalidAttributeValue(name);
      out[name] = value;
    } else if (name === 'FifoThroughputLimit') {
      if (value !== 'perQueue' && value !== 'perMessageGroupId') throw QueueErrors.invalidAttributeValue(name);
      out[name] = value;
    } else {
      out[name] = value;
    }
  }
  return out;
}

function normalizeRedrive(value: string): string {
  let p: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    p = JSON.parse(value) as typeof p;
  } catch {
    throw QueueErrors.invalidAttributeValue('RedrivePolicy', 'Redrive policy is not a valid JSON map.');
  }
  const arn = p.deadLetterTargetArn;
  if (typeof arn !== 'string' || !parseQueueArn(arn)) throw QueueErrors.invalidAttributeValue('RedrivePolicy', 'Invalid value for deadLetterTargetArn.');
  const count = Number(p.maxReceiveCount);
  if (!Number.isInteger(count) || count < 1 || count > 1000) throw QueueErrors.invalidAttributeValue('RedrivePolicy', 'Invalid value for maxReceiveCount: must be between 1 and 1000.');
  return JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: count });
}
