import { AwsError } from '../aws/index.ts';

/** The CloudWatch Logs errors Wharf raises, by CloudWatch Logs' codes: the one list the domain and the adapter throw from. */
export const LogsErrors = {
  groupNotFound: () => new AwsError('ResourceNotFoundException', 'The specified log group does not exist.'),
  streamNotFound: () => new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.'),
  metricFilterNotFound: () => new AwsError('ResourceNotFoundException', 'The specified metric filter does not exist.'),
  groupExists: () => new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists'),
  streamExists: () => new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists'),
  invalidParameter: (message: string) => new AwsError('InvalidParameterException', message),
  invalidFilterPattern: () => new AwsError('InvalidParameterException', 'Invalid filter pattern'),
  invalidNextToken: () => new AwsError('InvalidParameterException', 'The specified nextToken is invalid.'),
  limitExceeded: (message: string) => new AwsError('LimitExceededException', message),
  invalidOperation: (message: string) => new AwsError('InvalidOperationException', message),
  /** In a live tail's stream: the session ran for its three hours. */
  sessionTimeout: () => new AwsError('SessionTimeoutException', 'The Live Tail session has timed out after three hours.'),
  /** In a live tail's stream: the session failed on the server's side. */
  sessionStreaming: (message: string) => new AwsError('SessionStreamingException', `The Live Tail session failed: ${message}`),
};
