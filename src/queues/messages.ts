/**
 * Messages in the store: sending (one transaction per request, so an acknowledged send is
 * committed), receiving (a guarded transaction over the states it read: two consumers never
 * get the same message in one visibility window), deleting by the latest receipt handle,
 * changing visibility, purging and moving to and from dead-letter queues.
 */
import { randomBytes } from 'node:crypto';
import type { KeyValue, Op } from '../state/index.ts';
import { numberAttribute, redrivePolicyOf } from './attributes.ts';
import { QueueErrors } from './errors.ts';
import { md5OfAttributes, md5OfBody, messageSize, type StoredAttribute } from './md5.ts';
import { getQueue, type QueuesEnv } from './queues.ts';
import { parseQueueArn, queueKeys, type DedupRecord, type MessageBody, type MessageState, type QueueRecord, type Scope } from './records.ts';
import { countMessages, selectMessages, type KeyedState, type QueueCounts } from './selection.ts';

/** One message to send. */
export interface OutgoingMessage {
  body: string;
  attributes?: Record<string, StoredAttribute>;
  systemAttributes?: Record<string, StoredAttribute>;
  delaySeconds?: number;
  groupId?: string;
  deduplicationId?: string;
}

/** What SendMessage answers. */
export interface SentMessage {
  id: string;
  md5OfBody: string;
  md5OfAttributes?: string;
  md5OfSystemAttributes?: string;
  sequenceNumber?: string;
}

/** A received message: its body and state as of this receive, and its receipt handle. */
export interface ReceivedMessage {
  body: MessageBody;
  state: MessageState;
  receiptHandle: string;
}

const DEDUP_MS = 5 * 60_000;
let sequence = 0;

/** A message key: the send time, then a per-process sequence, then the id (oldest first in a range). */
function messageKey(now: number, id: string): string {
  sequence = (sequence + 1) % 1e9;
  return `${String(now).padStart(15, '0')}-${String(sequence).padStart(9, '0')}-${id}`;
}

const SEQUENCE_OF = /^(\d{15})-(\d{9})-/;

/** A FIFO message's SequenceNumber (20 digits or more, growing): its key's time and sequence. */
const sequenceNumberOf = (key: string) => SEQUENCE_OF.exec(key)!.slice(1).join('').padStart(24, '0').slice(0, 24);

/** The opaque receipt handle of one receive: the message's key and the receive's nonce. */
export const receiptHandleOf = (key: string, nonce: string) => `${Buffer.from(key).toString('base64url')}.${nonce}`;

/** The key and nonce a receipt handle names, or ReceiptHandleIsInvalid. */
export function parseReceiptHandle(handle: string): { key: string; nonce: string } {
  const [encoded, nonce, extra] = handle.split('.');
  const key = encoded ? Buffer.from(encoded, 'base64url').toString('utf8') : '';
  if (extra !== undefined || !nonce || !/^[0-9a-f]{32}$/.test(nonce) || !/^\d{15}-\d{9}-[\w-]+$/.test(key)) throw QueueErrors.receiptHandleIsInvalid(handle);
  return { key, nonce };
}

/** Checks one message against the queue's rules, returning its body record and state. */
function prepare(env: QueuesEnv, queue: QueueRecord, m: OutgoingMessage, senderId: string, now: number): { key: string; body: MessageBody; state: MessageState } {
  if (m.body.length === 0) throw QueueErrors.missingParameter('The request must contain the parameter MessageBody.');
  // SQS's allowed characters: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
  if (/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\uD800-\uDBFF\uDC00-\uDFFF]/.test(m.body)) {
    throw QueueErrors.invalidMessageContents('Invalid binary character in the message body. Only #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF are allowed.');
  }
  const attributes = m.attributes ?? {};
  if (Object.keys(attributes).length > 10) throw QueueErrors.invalidParameterValue('Number of message attributes [' + Object.keys(attributes).length + '] exceeds the allowed maximum [10].');
  const max = numberAttribute(queue.attributes, 'MaximumMessageSize');
  const size = messageSize(m.body, attributes);
  if (size > max) throw QueueErrors.invalidParameterValue(`One or more parameters are invalid. Reason: Message must be shorter than ${max} bytes.`);
  if (queue.fifo) {
    if (!m.groupId) throw QueueErrors.missingParameter('The request must contain the parameter MessageGroupId.');
    if (m.delaySeconds !== undefined && m.delaySeconds !== 0) {
      throw QueueErrors.invalidParameterValue(`Value ${m.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`);
    }
    if (!m.deduplicationId && queue.attributes.ContentBasedDeduplication !== 'true') {
      throw QueueErrors.invalidParameterValue('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
    }
  } else if (m.deduplicationId) {
    throw QueueErrors.invalidParameterValue('Value for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that is not valid for this queue type.');
  }
  if (m.delaySeconds !== undefined && (m.delaySeconds < 0 || m.delaySeconds > 900)) {
    throw QueueErrors.invalidParameterValue(`Value ${m.delaySeconds} for parameter DelaySeconds is invalid. Reason: DelaySeconds must be >= 0 and <= 900.`);
  }
  const id = env.ids.uuid();
  const key = messageKey(now, id);
  const delay = m.delaySeconds ?? numberAttribute(queue.attributes, 'DelaySeconds');
  const systemAttributes = m.systemAttributes ?? {};
  const body: MessageBody = {
    id, body: m.body, md5OfBody: md5OfBody(m.body), attributes, systemAttributes, sentAt: now, senderId,
    ...(md5OfAttributes(attributes) && { md5OfAttributes: md5OfAttributes(attributes) }),
    ...(md5OfAttributes(systemAttributes) && { md5OfSystemAttributes: md5OfAttributes(systemAttributes) }),
    ...(queue.fifo && { groupId: m.groupId, deduplicationId: m.deduplicationId ?? md5OfBody(m.body).padEnd(64, '0').slice(0, 64), sequenceNumber: sequenceNumberOf(key) }),
  };
  const state: MessageState = { id, sentAt: now, visibleAt: now + delay * 1000, receiveCount: 0, ...(queue.fifo && { groupId: m.groupId }) };
  return { key, body, state };
}

/** Sends messages to a queue in one transaction: all are stored, or none (on a FIFO deduplication race, retried). */
export async function sendMessages(env: QueuesEnv, scope: Scope, name: string, messages: OutgoingMessage[], senderId: string): Promise<SentMessage[]> {
  for (;;) {
    const queue = await getQueue(env, scope, name);
    const now = env.clock.now();
    const prepared = messages.map((m) => prepare(env, queue, m, senderId, now));
    const ops: Op[] = [];
    const compares: { key: string; modRevision: number }[] = [];
    const sent: SentMessage[] = [];
    const seen = new Map<string, SentMessage>();
    for (const p of prepared) {
      const out: SentMessage = {
        id: p.body.id, md5OfBody: p.body.md5OfBody,
        ...(p.body.md5OfAttributes && { md5OfAttributes: p.body.md5OfAttributes }),
        ...(p.body.md5OfSystemAttributes && { md5OfSystemAttributes: p.body.md5OfSystemAttributes }),
        ...(p.body.sequenceNumber && { sequenceNumber: p.body.sequenceNumber }),
      };
      if (queue.fifo) {
        const scopeId = queue.attributes.DeduplicationScope === 'messageGroup' ? `${p.body.groupId}/${p.body.deduplicationId}` : p.body.deduplicationId!;
        const earlier = seen.get(scopeId);
        if (earlier) {
          sent.push(earlier);
          continue;
        }
        const dedupKey = queueKeys.dedup(scope, name, scopeId);
        const kv = await env.store.get(dedupKey);
        const prior = kv && (JSON.parse(kv.value) as DedupRecord);
        if (prior && prior.expiresAt > now) {
          const dup: SentMessage = { id: prior.messageId, md5OfBody: p.body.md5OfBody, sequenceNumber: prior.sequenceNumber, ...(out.md5OfAttributes && { md5OfAttributes: out.md5OfAttributes }) };
          seen.set(scopeId, dup);
          sent.push(dup);
          continue;
        }
        compares.push({ key: dedupKey, modRevision: kv?.modRevision ?? 0 });
        const record: DedupRecord = { messageId: p.body.id, sequenceNumber: p.body.sequenceNumber!, md5OfBody: p.body.md5OfBody, expiresAt: now + DEDUP_MS };
        ops.push({ type: 'put', key: dedupKey, value: JSON.stringify(record) });
        seen.set(scopeId, out);
      }
      ops.push({ type: 'put', key: queueKeys.body(scope, name, p.key), value: JSON.stringify(p.body) });
      ops.push({ type: 'put', key: queueKeys.state(scope, name, p.key), value: JSON.stringify(p.state) });
      sent.push(out);
    }
    if (ops.length === 0) return sent;
    const { succeeded } = await env.store.txn(compares, ops);
    if (succeeded) return sent;
  }
}

/** The states of a queue's messages, oldest first (at most `limit`). */
async function readStates(env: QueuesEnv, scope: Scope, name: string, limit = 5000): Promise<(KeyedState & { kv: KeyValue })[]> {
  const prefix = queueKeys.states(scope, name);
  const out: (KeyedState & { kv: KeyValue })[] = [];
  let startAfter: string | undefined;
  for (;;) {
    const page = await env.store.range(prefix, { ...(startAfter && { startAfter }), limit: Math.min(1000, limit - out.length) });
    for (const kv of page.kvs) out.push({ key: kv.key.slice(prefix.length), state: JSON.parse(kv.value) as MessageState, kv });
    if (!page.more || out.length >= limit || page.kvs.length === 0) return out;
    startAfter = page.kvs[page.kvs.length - 1]!.key;
  }
}

/** The message counts of a queue now. */
export async function queueCounts(env: QueuesEnv, scope: Scope, name: string): Promise<QueueCounts> {
  return countMessages((await readStates(env, scope, name, Infinity)).map((s) => s.state), env.clock.now());
}

/** One receive without waiting: up to `max` messages made invisible for `visibilityTimeout` seconds. */
export async function receiveOnce(env: QueuesEnv, scope: Scope, name: string, max: number, visibilityTimeout?: number): Promise<ReceivedMessage[]> {
  for (let attempt = 0; ; attempt++) {
    const queue = await getQueue(env, scope, name);
    const now = env.clock.now();
    const states = await readStates(env, scope, name);
    const redrive = redrivePolicyOf(queue.attributes);
    const pick = selectMessages(states, {
      now, max, fifo: queue.fifo, retentionMs: numberAttribute(queue.attributes, 'MessageRetentionPeriod') * 1000,
      ...(redrive && { maxReceiveCount: redrive.maxReceiveCount }), rng: env.rng ?? Math.random,
    });
    if (!pick.deliver.length && !pick.deadLetter.length && !pick.expired.length) return [];
    const byKey = new Map(states.map((s) => [s.key, s.kv]));
    const compares = [...pick.deliver, ...pick.deadLetter, ...pick.expired].map((m) => ({ key: byKey.get(m.key)!.key, modRevision: byKey.get(m.key)!.modRevision }));
    const ops: Op[] = [];
    for (const m of pick.expired) ops.push({ type: 'delete', key: queueKeys.state(scope, name, m.key) }, { type: 'delete', key: queueKeys.body(scope, name, m.key) });
    if (pick.deadLetter.length) ops.push(...(await deadLetterOps(env, queue, pick.deadLetter, redrive!.deadLetterTargetArn, now)));
    const timeout = (visibilityTimeout ?? numberAttribute(queue.attributes, 'VisibilityTimeout')) * 1000;
    const delivered: { key: string; state: MessageState; nonce: string }[] = [];
    for (const m of pick.deliver) {
      const nonce = randomBytes(16).toString('hex');
      const state: MessageState = { ...m.state, visibleAt: now + timeout, receiveCount: m.state.receiveCount + 1, firstReceivedAt: m.state.firstReceivedAt ?? now, receipt: nonce };
      ops.push({ type: 'put', key: queueKeys.state(scope, name, m.key), value: JSON.stringify(state) });
      delivered.push({ key: m.key, state, nonce });
    }
    const { succeeded } = await env.store.txn(compares, ops);
    if (!succeeded) {
      // Another consumer took some of these: read again (after a short pause when it keeps happening).
      if (attempt > 2) await new Promise((r) => setTimeout(r, Math.min(50, attempt * 2)));
      continue;
    }
    if (!delivered.length) continue;
    const bodies = await Promise.all(delivered.map((d) => env.store.get(queueKeys.body(scope, name, d.key))));
    return delivered.flatMap((d, i) => (bodies[i] ? [{ body: JSON.parse(bodies[i]!.value) as MessageBody, state: d.state, receiptHandle: receiptHandleOf(d.key, d.nonce) }] : []));
  }
}

/** Ops moving messages to another queue (a dead-letter queue, or back from one): new keys there, deleted here. */
async function moveOps(env: QueuesEnv, from: QueueRecord, messages: KeyedState[], to: { scope: Scope; name: string }, now: number, sourceArn?: string): Promise<Op[]> {
  const ops: Op[] = [];
  const scope = { account: from.account, region: from.region };
  for (const m of messages) {
    const kv = await env.store.get(queueKeys.body(scope, from.name, m.key));
    ops.push({ type: 'delete', key: queueKeys.state(scope, from.name, m.key) }, { type: 'delete', key: queueKeys.body(scope, from.name, m.key) });
    if (!kv) continue;
    const body = JSON.parse(kv.value) as MessageBody;
    const key = messageKey(now, body.id);
    const moved: MessageBody = { ...body, ...(sourceArn ? { deadLetterSourceArn: sourceArn } : {}) };
    if (!sourceArn) delete moved.deadLetterSourceArn;
    const state: MessageState = { id: body.id, sentAt: body.sentAt, visibleAt: now, receiveCount: 0, ...(body.groupId && { groupId: body.groupId }) };
    ops.push({ type: 'put', key: queueKeys.body(to.scope, to.name, key), value: JSON.stringify(moved) });
    ops.push({ type: 'put', key: queueKeys.state(to.scope, to.name, key), value: JSON.stringify(state) });
  }
  return ops;
}

async function deadLetterOps(env: QueuesEnv, queue: QueueRecord, messages: KeyedState[], dlqArn: string, now: number): Promise<Op[]> {
  const target = parseQueueArn(dlqArn);
  const dlq = target && (await env.store.get(queueKeys.queue(target.scope, target.name)));
  // A dead-letter queue deleted since: the messages stay (and are delivered again).
  if (!target || !dlq) return [];
  return moveOps(env, queue, messages, target, now, queue.arn);
}

/** Moves every message of `from` to `to` (a redrive from a dead-letter queue); returns how many. */
export async function moveAllMessages(env: QueuesEnv, from: QueueRecord, to: QueueRecord): Promise<number> {
  const scope = { account: from.account, region: from.region };
  let moved = 0;
  for (;;) {
    // 25 at a time: a move is four operations, and etcd takes at most 128 in a transaction.
    const states = await readStates(env, scope, from.name, 25);
    if (!states.length) return moved;
    const ops = await moveOps(env, from, states, { scope: { account: to.account, region: to.region }, name: to.name }, env.clock.now());
    const { succeeded } = await env.store.txn(states.map((s) => ({ key: s.kv.key, modRevision: s.kv.modRevision })), ops);
    if (succeeded) moved += states.length;
  }
}

/** Reads the message a receipt handle names, if it is still there and the handle is its latest. */
async function byReceipt(env: QueuesEnv, scope: Scope, name: string, handle: string): Promise<{ kv: KeyValue; state: MessageState; key: string } | undefined> {
  const { key, nonce } = parseReceiptHandle(handle);
  const kv = await env.store.get(queueKeys.state(scope, name, key));
  if (!kv) return undefined;
  const state = JSON.parse(kv.value) as MessageState;
  return state.receipt === nonce ? { kv, state, key } : undefined;
}

/** Deletes the message a receipt handle names; a stale handle or a message already gone changes nothing, as in SQS. */
export async function deleteMessage(env: QueuesEnv, scope: Scope, name: string, handle: string): Promise<void> {
  await getQueue(env, scope, name);
  const found = await byReceipt(env, scope, name, handle);
  if (!found) return;
  await env.store.txn([{ key: found.kv.key, modRevision: found.kv.modRevision }], [
    { type: 'delete', key: queueKeys.state(scope, name, found.key) },
    { type: 'delete', key: queueKeys.body(scope, name, found.key) },
  ]);
}

/** Makes a received message visible again in `seconds` (0: now); MessageNotInflight when it is not in flight. */
export async function changeVisibility(env: QueuesEnv, scope: Scope, name: string, handle: string, seconds: number): Promise<void> {
  await getQueue(env, scope, name);
  if (seconds < 0 || seconds > 43200) throw QueueErrors.invalidParameterValue(`Value ${seconds} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`);
  for (;;) {
    const found = await byReceipt(env, scope, name, handle);
    const now = env.clock.now();
    if (!found || found.state.visibleAt <= now) throw QueueErrors.messageNotInflight();
    const state: MessageState = { ...found.state, visibleAt: now + seconds * 1000 };
    const { succeeded } = await env.store.txn([{ key: found.kv.key, modRevision: found.kv.modRevision }], [{ type: 'put', key: found.kv.key, value: JSON.stringify(state) }]);
    if (succeeded) return;
  }
}

/** Deletes every message of a queue. */
export async function purgeMessages(env: QueuesEnv, scope: Scope, name: string): Promise<void> {
  await env.store.txn([], [
    { type: 'deletePrefix', prefix: queueKeys.states(scope, name) },
    { type: 'deletePrefix', prefix: queueKeys.bodies(scope, name) },
  ]);
}

/** Drops a FIFO queue's deduplication records past their five minutes. */
export async function sweepDedup(env: QueuesEnv, scope: Scope, name: string): Promise<void> {
  const now = env.clock.now();
  const { kvs } = await env.store.range(queueKeys.dedups(scope, name), { limit: 1000 });
  const old = kvs.filter((kv) => (JSON.parse(kv.value) as DedupRecord).expiresAt <= now);
  // In transactions of 100: etcd takes at most 128 operations in one.
  for (let i = 0; i < old.length; i += 100) {
    const batch = old.slice(i, i + 100);
    await env.store.txn(batch.map((kv) => ({ key: kv.key, modRevision: kv.modRevision })), batch.map((kv) => ({ type: 'delete' as const, key: kv.key })));
  }
}
