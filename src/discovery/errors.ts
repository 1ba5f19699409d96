import { AwsError } from '../aws/index.ts';

/** The Cloud Map errors Wharf raises, by Cloud Map's codes: the one list the domain and the adapter throw from. */
export const DiscoveryErrors = {
  /** Bad input; the message names the field. */
  invalidInput: (message: string) => new AwsError('InvalidInput', message),
  namespaceNotFound: (id: string) => new AwsError('NamespaceNotFound', `Namespace not found: ${id}`),
  serviceNotFound: (id: string) => new AwsError('ServiceNotFound', `Service not found: ${id}`),
  instanceNotFound: (id: string) => new AwsError('InstanceNotFound', `Instance not found: ${id}`),
  operationNotFound: (id: string) => new AwsError('OperationNotFound', `Operation not found: ${id}`),
  namespaceAlreadyExists: (name: string, namespaceId: string, creatorRequestId: string | undefined) =>
    new AwsError('NamespaceAlreadyExists', `Namespace with name ${name} already exists.`, 400,
      { NamespaceId: namespaceId, ...(creatorRequestId !== undefined ? { CreatorRequestId: creatorRequestId } : {}) }),
  serviceAlreadyExists: (name: string, serviceId: string, serviceArn: string, creatorRequestId: string | undefined) =>
    new AwsError('ServiceAlreadyExists', `Service with name ${name} already exists.`, 400,
      { ServiceId: serviceId, ServiceArn: serviceArn, ...(creatorRequestId !== undefined ? { CreatorRequestId: creatorRequestId } : {}) }),
  resourceInUse: (message: string) => new AwsError('ResourceInUse', message),
  customHealthNotFound: (serviceId: string) =>
    new AwsError('CustomHealthNotFound', `Service ${serviceId} has no custom health check configuration (HealthCheckCustomConfig).`),
  resourceNotFound: (arn: string) => new AwsError('ResourceNotFoundException', `Resource not found: ${arn}`),
  tooManyTags: (arn: string, max: number) => new AwsError('TooManyTagsException', `A resource can have at most ${max} tags.`, 400, { ResourceName: arn }),
  serviceAttributesLimitExceeded: (max: number) =>
    new AwsError('ServiceAttributesLimitExceededException', `A service can have at most ${max} attributes.`),
  resourceLimitExceeded: (message: string) => new AwsError('ResourceLimitExceeded', message),
};
