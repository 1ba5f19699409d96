import { AwsError } from '../aws/index.ts';

/**
 * The ECS errors Wharf raises, by their AWS error codes (all HTTP 400 but ServerException): the
 * one list the domain and the API adapter both throw from; the endpoint alone writes them out.
 */
export const EcsErrors = {
  client: (message: string) => new AwsError('ClientException', message),
  invalidParameter: (message: string) => new AwsError('InvalidParameterException', message),
  server: (message: string) => new AwsError('ServerException', message, 500),
  clusterNotFound: () => new AwsError('ClusterNotFoundException', 'Cluster not found.'),
  clusterContainsInstances: () =>
    new AwsError('ClusterContainsContainerInstancesException', 'The Cluster cannot be deleted while Container Instances are active or draining.'),
  clusterContainsTasks: () =>
    new AwsError('ClusterContainsTasksException', 'The Cluster cannot be deleted while Tasks are active.'),
  clusterContainsServices: () =>
    new AwsError('ClusterContainsServicesException', 'The Cluster cannot be deleted while Services are active.'),
  serviceNotFound: () => new AwsError('ServiceNotFoundException', 'Service not found.'),
  serviceNotActive: () => new AwsError('ServiceNotActiveException', 'Service was not ACTIVE.'),
  taskSetNotFound: () => new AwsError('TaskSetNotFoundException', 'The specified task set does not exist.'),
  serviceDeploymentNotFound: () => new AwsError('ServiceDeploymentNotFoundException', 'Service deployment not found.'),
  conflict: (message: string) => new AwsError('ConflictException', message),
  resourceNotFound: (message: string) => new AwsError('ResourceNotFoundException', message),
  resourceInUse: (message: string) => new AwsError('ResourceInUseException', message),
  targetNotFound: (message: string) => new AwsError('TargetNotFoundException', message),
  attributeLimitExceeded: (message: string) => new AwsError('AttributeLimitExceededException', message),
  limitExceeded: (message: string) => new AwsError('LimitExceededException', message),
  unsupportedFeature: (message: string) => new AwsError('UnsupportedFeatureException', message),
  accessDenied: (message: string) => new AwsError('AccessDeniedException', message),
};
