import { AwsError } from '../aws/index.ts';

/** The CloudWatch errors Wharf raises, by the model's error shapes: the one list the domain and the adapter throw from. */
export const MetricsErrors = {
  invalidValue: (message: string) => new AwsError('InvalidParameterValueException', message),
  invalidParameter: (value: unknown, parameter: string) =>
    new AwsError('InvalidParameterValueException', `The value ${String(value)} for parameter ${parameter} is invalid.`),
  combination: (message: string) => new AwsError('InvalidParameterCombinationException', message),
  missing: (message: string) => new AwsError('MissingRequiredParameterException', message),
  alarmNotFound: (name: string) => new AwsError('ResourceNotFound', `Alarm ${name} does not exist`, 404),
  alarmsNotFound: (names: string[]) => new AwsError('ResourceNotFound', `The following alarms were not found: [${names.join(', ')}]`, 404),
  resourceNotFound: (arn: string) => new AwsError('ResourceNotFoundException', `${arn} not found`, 404),
  invalidFormat: (message: string) => new AwsError('InvalidFormatFault', message),
  invalidNextToken: () => new AwsError('InvalidNextToken', 'The service cannot find the NextToken provided.'),
  limitExceeded: (message: string) => new AwsError('LimitExceededFault', message),
  validation: (message: string) => new AwsError('ValidationException', message),
};
