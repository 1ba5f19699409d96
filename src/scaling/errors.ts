import { AwsError } from '../aws/index.ts';

/** The Application Auto Scaling errors Wharf raises, by their codes: the one list the domain and the adapter throw from. */
export const ScalingErrors = {
  /** Bad input the model cannot catch; the message names the field. */
  validation: (message: string) => new AwsError('ValidationException', message),
  targetNotFound: (resourceId: string) =>
    new AwsError('ObjectNotFoundException', `No scalable target registered for service namespace: ecs, resource ID: ${resourceId}, scalable dimension: ecs:service:DesiredCount`),
  policyNotFound: (name: string, resourceId: string) =>
    new AwsError('ObjectNotFoundException', `No scaling policy found for service namespace: ecs, resource ID: ${resourceId}, scalable dimension: ecs:service:DesiredCount, policy name: ${name}`),
  actionNotFound: (name: string, resourceId: string) =>
    new AwsError('ObjectNotFoundException', `No scheduled action found for service namespace: ecs, resource ID: ${resourceId}, scalable dimension: ecs:service:DesiredCount, scheduled action name: ${name}`),
  resourceNotFound: (arn: string) => new AwsError('ResourceNotFoundException', `No scalable target found for ARN: ${arn}`),
  serviceNotFound: (resourceId: string) => new AwsError('ValidationException', `ECS service doesn't exist: ${resourceId}`),
  tooManyTags: () => new AwsError('TooManyTagsException', 'Tags: a scalable target can have at most 50 tags.'),
  invalidNextToken: () => new AwsError('InvalidNextTokenException', 'Invalid NextToken.'),
  limitExceeded: (message: string) => new AwsError('LimitExceededException', message),
  failedResourceAccess: (message: string) => new AwsError('FailedResourceAccessException', message),
};
