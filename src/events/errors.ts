import { AwsError } from '../aws/index.ts';

/** The EventBridge errors Wharf raises, by EventBridge's codes: the one list the domain and the adapter throw from. */
export const EventsErrors = {
  busNotFound: (name: string) => new AwsError('ResourceNotFoundException', `Event bus ${name} does not exist.`),
  ruleNotFound: (rule: string, bus: string) => new AwsError('ResourceNotFoundException', `Rule ${rule} does not exist on EventBus ${bus}.`),
  resourceNotFound: (arn: string) => new AwsError('ResourceNotFoundException', `Resource ${arn} does not exist.`),
  busExists: (name: string) => new AwsError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`),
  validation: (message: string) => new AwsError('ValidationException', message),
  invalidPattern: (message: string) => new AwsError('InvalidEventPatternException', message),
  limitExceeded: (message: string) => new AwsError('LimitExceededException', message),
  invalidNextToken: () => new AwsError('ValidationException', 'The nextToken provided is invalid.'),
};
