/**
 * Queues (Amazon SQS's meaning): queues and their attributes, messages with visibility,
 * delays, retention, FIFO groups and deduplication, dead-letter queues and redrives, and long
 * polling; records in the store, pure selection of what a receive delivers.
 */
export { QueueErrors } from './errors.ts';
export { md5OfAttributes, md5OfBody, messageSize, type StoredAttribute } from './md5.ts';
export { parseQueueArn, queueArn, queueKeys, type MessageBody, type MessageState, type MoveTaskRecord, type QueueRecord, type Scope } from './records.ts';
export { knownAttributeNames, numberAttribute, READ_ONLY, redrivePolicyOf } from './attributes.ts';
export { countMessages, selectMessages, type KeyedState, type QueueCounts, type Selection } from './selection.ts';
export {
  checkQueueName, createQueue, deadLetterSources, deleteQueue, getQueue, listQueues, markPurge, setQueueAttributes, tagQueue, type QueuesEnv,
} from './queues.ts';
export {
  changeVisibility, deleteMessage, parseReceiptHandle, purgeMessages, queueCounts, receiveOnce, sendMessages, sweepDedup,
  type OutgoingMessage, type ReceivedMessage, type SentMessage,
} from './messages.ts';
export { QueueSignals, receiveMessages } from './waiting.ts';
export { cancelMoveTask, listMoveTasks, startMoveTask } from './moves.ts';
