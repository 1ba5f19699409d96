/**
 * What SQS keeps in the store. A queue is one document; a message is two: its body (written once,
 * up to 256 KiB, with its attributes and checksums) and its state (small, rewritten on every
 * receive and visibility change), so receives never rewrite bodies. Messages are keyed by the
 * time they were sent, then a sequence and an id, so a range reads them oldest first.
 */
import type { StoredAttribute } from './md5.ts';

/** Where a queue lives: its account and region. */
export interface Scope {
  account: string;
  region: string;
}

/** A queue: its name, settings (as SQS's attribute strings), tags and when it changed. */
export interface QueueRecord {
  name: string;
  account: string;
  region: string;
  arn: string;
  fifo: boolean;
  /** The settable attributes, by their SQS names, as strings (VisibilityTimeout, RedrivePolicy, Policy, ...). */
  attributes: Record<string, string>;
  tags: Record<string, string>;
  createdAt: number;
  lastModifiedAt: number;
  /** When PurgeQueue last ran (one per 60 s). */
  purgedAt?: number;
}

/** A message's body and what never changes about it. */
export interface MessageBody {
  id: string;
  body: string;
  md5OfBody: string;
  attributes: Record<string, StoredAttribute>;
  md5OfAttributes?: string;
  systemAttributes: Record<string, StoredAttribute>;
  md5OfSystemAttributes?: string;
  sentAt: number;
  senderId: string;
  groupId?: string;
  deduplicationId?: string;
  sequenceNumber?: string;
  /** The queue's ARN a redrive moved it from (DeadLetterQueueSourceArn). */
  deadLetterSourceArn?: string;
}

/** A message's delivery state. */
export interface MessageState {
  id: string;
  sentAt: number;
  /** When it may be received next: after its delay, or after the visibility timeout of its last receive. */
  visibleAt: number;
  receiveCount: number;
  firstReceivedAt?: number;
  /** The nonce of the latest receipt handle: only that handle deletes the message. */
  receipt?: string;
  groupId?: string;
}

/** A FIFO queue's record of a deduplication id, for five minutes. */
export interface DedupRecord {
  messageId: string;
  sequenceNumber: string;
  md5OfBody: string;
  expiresAt: number;
}

/** A redrive from a dead-letter queue (StartMessageMoveTask). */
export interface MoveTaskRecord {
  taskHandle: string;
  sourceArn: string;
  destinationArn?: string;
  maxPerSecond?: number;
  status: 'RUNNING' | 'COMPLETED' | 'CANCELLING' | 'CANCELLED' | 'FAILED';
  moved: number;
  toMove: number;
  startedAt: number;
  failureReason?: string;
}

const q = (s: Scope, name: string) => `${s.account}/${s.region}/${name}`;

/** The store keys of SQS's records. */
export const queueKeys = {
  queues: (s: Scope) => `sqs/queues/${s.account}/${s.region}/`,
  queue: (s: Scope, name: string) => `sqs/queues/${q(s, name)}`,
  states: (s: Scope, name: string) => `sqs/states/${q(s, name)}/`,
  state: (s: Scope, name: string, key: string) => `sqs/states/${q(s, name)}/${key}`,
  bodies: (s: Scope, name: string) => `sqs/bodies/${q(s, name)}/`,
  body: (s: Scope, name: string, key: string) => `sqs/bodies/${q(s, name)}/${key}`,
  dedups: (s: Scope, name: string) => `sqs/dedup/${q(s, name)}/`,
  dedup: (s: Scope, name: string, id: string) => `sqs/dedup/${q(s, name)}/${encodeURIComponent(id)}`,
  moveTasks: (s: Scope) => `sqs/move-tasks/${s.account}/${s.region}/`,
  moveTask: (s: Scope, handle: string) => `sqs/move-tasks/${s.account}/${s.region}/${handle}`,
};

/** A queue's ARN. */
export const queueArn = (s: Scope, name: string) => `arn:aws:sqs:${s.region}:${s.account}:${name}`;

/** The scope and name an SQS queue ARN names, or undefined. */
export function parseQueueArn(arn: string): { scope: Scope; name: string } | undefined {
  const m = /^arn:aws[\w-]*:sqs:([\w-]+):(\d{12}):([\w-]{1,80}(?:\.fifo)?)$/.exec(arn);
  return m ? { scope: { region: m[1]!, account: m[2]! }, name: m[3]! } : undefined;
}
