import { AwsError } from '../aws/index.ts';

/**
 * The ELBv2 errors Wharf raises, by ELBv2's codes and statuses (all the caller's fault, 400,
 * as the model has them): the one list the domain and the adapter throw from.
 */
export const LbErrors = {
  validation: (message: string) => new AwsError('ValidationError', message, 400),
  invalidConfiguration: (message: string) => new AwsError('InvalidConfigurationRequest', message, 400),
  loadBalancerNotFound: (names?: string[]) =>
    new AwsError('LoadBalancerNotFound', names?.length ? `Load balancers '[${names.join(', ')}]' not found` : 'One or more load balancers not found', 400),
  duplicateLoadBalancerName: () => new AwsError('DuplicateLoadBalancerName', 'A load balancer with the same name already exists', 400),
  targetGroupNotFound: (names?: string[]) =>
    new AwsError('TargetGroupNotFound', names?.length ? `Target groups '[${names.join(', ')}]' not found` : 'One or more target groups not found', 400),
  duplicateTargetGroupName: () => new AwsError('DuplicateTargetGroupName', 'A target group with the same name already exists', 400),
  listenerNotFound: () => new AwsError('ListenerNotFound', 'One or more listeners not found', 400),
  duplicateListener: () => new AwsError('DuplicateListener', 'A listener already exists on this port for this load balancer', 400),
  ruleNotFound: () => new AwsError('RuleNotFound', 'One or more rules not found', 400),
  priorityInUse: (priority: number) => new AwsError('PriorityInUse', `Priority '${priority}' is currently in use`, 400),
  resourceInUse: (message: string) => new AwsError('ResourceInUse', message, 400),
  operationNotPermitted: (message: string) => new AwsError('OperationNotPermitted', message, 400),
  invalidTarget: (message: string) => new AwsError('InvalidTarget', message, 400),
  tooManyTargets: () => new AwsError('TooManyTargets', 'You have reached the limit on the number of targets per target group', 400),
  tooManyLoadBalancers: () => new AwsError('TooManyLoadBalancers', 'You have reached the limit on the number of load balancers for your account', 400),
  tooManyTargetGroups: () => new AwsError('TooManyTargetGroups', 'You have reached the limit on the number of target groups for your account', 400),
  tooManyListeners: () => new AwsError('TooManyListeners', 'You have reached the limit on the number of listeners per load balancer', 400),
  tooManyRules: () => new AwsError('TooManyRules', 'You have reached the limit on the number of rules per load balancer', 400),
  tooManyActions: () => new AwsError('TooManyActions', 'You have reached the limit on the number of actions per rule', 400),
  tooManyCertificates: () => new AwsError('TooManyCertificates', 'You have reached the limit on the number of certificates per load balancer', 400),
  tooManyTags: () => new AwsError('TooManyTags', 'You have reached the limit on the number of tags for this resource', 400),
  duplicateTagKeys: (key: string) => new AwsError('DuplicateTagKeys', `Tag key '${key}' is duplicated`, 400),
  certificateNotFound: (arn: string) => new AwsError('CertificateNotFound', `Certificate '${arn}' not found`, 400),
  sslPolicyNotFound: (name: string) => new AwsError('SSLPolicyNotFound', `SSL policy '${name}' not found`, 400),
  alpnPolicyNotFound: (name: string) => new AwsError('ALPNPolicyNotFound', `ALPN policy '${name}' is not supported`, 400),
  subnetNotFound: (id: string) => new AwsError('SubnetNotFound', `The subnet ID '${id}' is not valid`, 400),
  invalidSubnet: (message: string) => new AwsError('InvalidSubnet', message, 400),
  invalidSecurityGroup: (id: string) => new AwsError('InvalidSecurityGroup', `One or more security groups are invalid: '${id}'`, 400),
  incompatibleProtocols: (message: string) => new AwsError('IncompatibleProtocols', message, 400),
  unsupportedProtocol: (message: string) => new AwsError('UnsupportedProtocol', message, 400),
  invalidAction: (message: string) => new AwsError('InvalidLoadBalancerAction', message, 400),
  targetGroupAssociationLimit: (arn: string) =>
    new AwsError('TargetGroupAssociationLimit', `The following target groups cannot be associated with more than one load balancer: ${arn}`, 400),
  availabilityZoneNotSupported: (zone: string) => new AwsError('AvailabilityZoneNotSupported', `Availability Zone '${zone}' is not supported`, 400),
};
