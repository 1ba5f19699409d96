import { AwsError } from '../aws/index.ts';

/** The EFS errors Wharf raises, by EFS's codes (the model sets each one's status): the one list the domain and the adapter throw from. */
export const EfsErrors = {
  badRequest: (message: string) => new AwsError('BadRequest', message, 400),
  fileSystemNotFound: (id: string) => new AwsError('FileSystemNotFound', `File system '${id}' does not exist.`, 404),
  accessPointNotFound: (id: string) => new AwsError('AccessPointNotFound', `Access point '${id}' does not exist.`, 404),
  mountTargetNotFound: (id: string) => new AwsError('MountTargetNotFound', `Mount target '${id}' does not exist.`, 404),
  fileSystemAlreadyExists: (token: string, fileSystemId: string) =>
    new AwsError('FileSystemAlreadyExists', `File system '${fileSystemId}' already exists with creation token '${token}'`, 409, { FileSystemId: fileSystemId }),
  accessPointAlreadyExists: (token: string, accessPointId: string) =>
    new AwsError('AccessPointAlreadyExists', `Access point '${accessPointId}' already exists with client token '${token}'`, 409, { AccessPointId: accessPointId }),
  fileSystemInUse: (id: string) => new AwsError('FileSystemInUse', `File system '${id}' has mount targets and cannot be deleted.`, 409),
  incorrectLifeCycleState: (id: string, state: string) =>
    new AwsError('IncorrectFileSystemLifeCycleState', `File system '${id}' is in life cycle state '${state}', not 'available'.`, 409),
  mountTargetConflict: (message: string) => new AwsError('MountTargetConflict', message, 409),
  subnetNotFound: (id: string) => new AwsError('SubnetNotFound', `The subnet ID '${id}' does not exist`, 400),
  securityGroupNotFound: (id: string) => new AwsError('SecurityGroupNotFound', `The security group '${id}' does not exist in the subnet's VPC`, 400),
  securityGroupLimitExceeded: () => new AwsError('SecurityGroupLimitExceeded', 'A mount target can have at most 5 security groups.', 400),
  ipAddressInUse: (ip: string) => new AwsError('IpAddressInUse', `The IP address ${ip} is already in use in the subnet.`, 409),
  noFreeAddresses: (subnetId: string) => new AwsError('NoFreeAddressesInSubnet', `Subnet '${subnetId}' has no free IP addresses.`, 409),
  availabilityZonesMismatch: (message: string) => new AwsError('AvailabilityZonesMismatch', message, 400),
  unsupportedAvailabilityZone: (zone: string) => new AwsError('UnsupportedAvailabilityZone', `Availability Zone '${zone}' is not supported.`, 400),
  policyNotFound: (id: string) => new AwsError('PolicyNotFound', `File system '${id}' has no policy.`, 404),
  invalidPolicy: (message: string) => new AwsError('InvalidPolicyException', message, 400),
};
