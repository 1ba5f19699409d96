/**
 * Amazon SQS, as served by Wharf, over the queues domain: queues and their attributes, tags
 * and permissions; messages sent, received (with long polling), deleted and made visible
 * again; FIFO queues; dead-letter queues and their redrives. The platform decodes AWS JSON 1.0
 * (and awsQuery, as SQS was a Query API: a Query request is read and answered with SQS's Query
 * model, as AWS CLIs before 2.13 expect), authenticates, authorizes each operation as
 * `sqs:<Action>` on the queue's ARN, validates against the model and encodes.
 */
import { sqsModel, sqsQueryModel, type ServiceDefinition, type SqsOperations } from '../../aws/index.ts';
import { queueUrlOfPath, sqsValidationError, type SqsDeps } from './common.ts';
import { messageOperations } from './messages.ts';
import { queueOperations } from './queues.ts';

export type { SqsActivity, SqsDeps } from './common.ts';

/** The SQS API over the given store, clock and ids. */
export function sqsService(deps: SqsDeps): ServiceDefinition<SqsOperations> {
  return {
    model: sqsModel,
    iamPrefix: 'sqs',
    operations: { ...queueOperations(deps), ...messageOperations(deps) },
    validationError: sqsValidationError,
    query: { model: sqsQueryModel, pathInput: queueUrlOfPath },
    partly: {
      CreateQueue: 'KMS attributes (KmsMasterKeyId, KmsDataKeyReusePeriodSeconds) are stored, not acted on: messages are not encrypted with KMS.',
      ReceiveMessage: 'ReceiveRequestAttemptId is accepted and not used: a retried FIFO receive gets the next messages, not the same ones.',
      StartMessageMoveTask: 'moves all the messages when it starts (MaxNumberOfMessagesPerSecond is not applied): the task is COMPLETED when the call returns.',
      CancelMessageMoveTask: 'tasks are finished when started: there is none running to cancel.',
      AddPermission: 'writes a statement into the Policy attribute; the policy is stored, not evaluated for other accounts.',
    },
  };
}
