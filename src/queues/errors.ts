import { AwsError } from '../aws/index.ts';

/** The SQS errors Wharf raises, by the model's error shapes (the platform sends each with its Query code too). */
export const QueueErrors = {
  queueDoesNotExist: () => new AwsError('QueueDoesNotExist', 'The specified queue does not exist.'),
  queueNameExists: (name: string) => new AwsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute(s): ${name}`),
  invalidAttributeName: (name: string) => new AwsError('InvalidAttributeName', `Unknown Attribute ${name}.`),
  invalidAttributeValue: (name: string, why?: string) => new AwsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.${why ? ` Reason: ${why}` : ''}`),
  invalidParameterValue: (message: string) => new AwsError('InvalidParameterValue', message),
  missingParameter: (message: string) => new AwsError('MissingParameter', message),
  receiptHandleIsInvalid: (handle: string) => new AwsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 404),
  messageNotInflight: () => new AwsError('MessageNotInflight', 'Message does not exist or is not available for visibility timeout change.'),
  purgeInProgress: (arn: string) => new AwsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${arn.split(':').pop()} is allowed every 60 seconds.`, 403),
  emptyBatch: () => new AwsError('EmptyBatchRequest', 'There should be at least one entry in the request.'),
  tooManyEntries: (n: number) => new AwsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${n}.`),
  idsNotDistinct: (id: string) => new AwsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`),
  invalidBatchEntryId: () => new AwsError('InvalidBatchEntryId', 'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.'),
  batchTooLong: (size: number, max: number) => new AwsError('BatchRequestTooLong', `Batch requests cannot be longer than ${max} bytes. You have sent ${size} bytes.`),
  resourceNotFound: (message: string) => new AwsError('ResourceNotFoundException', message, 404),
  unsupported: (message: string) => new AwsError('UnsupportedOperation', message),
  invalidMessageContents: (message: string) => new AwsError('InvalidMessageContents', message),
  overLimit: (message: string) => new AwsError('OverLimit', message, 403),
};
