import { AwsError } from '../aws/index.ts';

/** The ACM errors Wharf raises, by ACM's codes: the one list the domain and the adapter throw from. */
export const AcmErrors = {
  notFound: (arn: string) => new AwsError('ResourceNotFoundException', `Could not find certificate ${arn}.`),
  invalidArn: (arn: string) => new AwsError('InvalidArnException', `String '${arn}' is not a valid ARN.`),
  inUse: (arn: string, account: string) => new AwsError('ResourceInUseException', `Certificate ${arn} in account ${account} is in use.`),
  inProgress: (arn: string, account: string) => new AwsError('RequestInProgressException', `Certificate ${arn} in account ${account} not yet issued.`),
  validation: (message: string) => new AwsError('ValidationException', message),
  invalidParameter: (message: string) => new AwsError('InvalidParameterException', message),
  invalidArgs: (message: string) => new AwsError('InvalidArgsException', message),
  invalidDomainValidationOptions: (message: string) => new AwsError('InvalidDomainValidationOptionsException', message),
  invalidState: (message: string) => new AwsError('InvalidStateException', message),
  limitExceeded: (message: string) => new AwsError('LimitExceededException', message),
  invalidTag: (message: string) => new AwsError('InvalidTagException', message),
  tooManyTags: (message: string) => new AwsError('TooManyTagsException', message),
};
