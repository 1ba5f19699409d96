/** The EC2 errors of instances and launch templates, by EC2's codes (HTTP 400): the one list this part and the EC2 adapter throw from. */
import { AwsError } from '../aws/index.ts';

const list = (ids: readonly string[]) => ids.join(', ');

export const InstanceErrors = {
  instanceNotFound: (ids: readonly string[]) => new AwsError('InvalidInstanceID.NotFound', ids.length === 1
    ? `The instance ID '${ids[0]}' does not exist`
    : `The instance IDs '${list(ids)}' do not exist`),
  malformedInstanceId: (id: string) => new AwsError('InvalidInstanceID.Malformed', `Invalid id: "${id}"`),
  cannotStart: (id: string) => new AwsError('IncorrectInstanceState', `The instance '${id}' is not in a state from which it can be started.`),
  cannotStop: (id: string) => new AwsError('IncorrectInstanceState', `This instance '${id}' is not in a state from which it can be stopped.`),
  invalidInstanceType: (names: readonly string[]) => new AwsError('InvalidInstanceType', `The following supplied instance types do not exist: [${list(names)}]`),
  /** RunInstances with a type Wharf does not offer. */
  unsupportedInstanceType: (name: string) => new AwsError('InvalidParameterValue', `Invalid value '${name}' for InstanceType.`),
  malformedImageId: (id: string) => new AwsError('InvalidAMIID.Malformed', `Invalid id: "${id}" (expecting "ami-...")`),
  invalidParameterValue: (message: string) => new AwsError('InvalidParameterValue', message),
  invalidParameter: (message: string) => new AwsError('InvalidParameter', message),
  missingParameter: (name: string) => new AwsError('MissingParameter', `The request must contain the parameter ${name}`),
  invalidParameterCombination: (message: string) => new AwsError('InvalidParameterCombination', message),
  invalidUserData: () => new AwsError('InvalidUserData.Malformed', 'Invalid BASE64 encoding of user data.'),
  invalidInstanceProfile: (parameter: string, value: string) =>
    new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${parameter} is invalid. Invalid IAM Instance Profile ${parameter.endsWith('arn') ? 'ARN' : 'name'}`),
  noDefaultSubnet: (vpcId: string) => new AwsError('MissingInput', `No subnets found for the default VPC '${vpcId}'. Please specify a subnet.`),
  groupNameNotFound: (name: string, vpcId: string) => new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist in VPC '${vpcId}'`),
  insufficientAddresses: (subnetId: string) => new AwsError('InsufficientFreeAddressesInSubnet',
    `There are not enough free addresses in subnet '${subnetId}' to satisfy the requested number of instances.`),
  addressInUse: (ip: string) => new AwsError('InvalidIPAddress.InUse', `Address ${ip} is in use.`),
  instanceLimit: (asked: number, limit: number) => new AwsError('InstanceLimitExceeded',
    `You have requested more instances (${asked}) than your current instance limit of ${limit} allows for the specified instance type.`),
  idempotentMismatch: () => new AwsError('IdempotentParameterMismatch', 'Arguments on this idempotent request are inconsistent with arguments used in previous request(s).'),
  invalidAttribute: (name: string) => new AwsError('InvalidParameterValue', `Value (${name}) for parameter attribute is invalid. Unknown attribute.`),
  // Launch templates.
  templateNameNotFound: () => new AwsError('InvalidLaunchTemplateName.NotFoundException', 'At least one of the launch templates specified in the request does not exist.'),
  templateIdNotFound: (id: string) => new AwsError('InvalidLaunchTemplateId.NotFound', `The specified launch template, with template ID ${id}, does not exist.`),
  templateIdMalformed: (id: string) => new AwsError('InvalidLaunchTemplateId.Malformed', `The specified ID for the launch template '${id}' is malformed.`),
  templateNameExists: () => new AwsError('InvalidLaunchTemplateName.AlreadyExistsException', 'Launch template name already in use.'),
  versionNotFound: (version: string, id: string) =>
    new AwsError('InvalidLaunchTemplateId.VersionNotFound', `Could not find launch template version ${version} for launch template ${id}.`),
  templateIdOrName: () => new AwsError('MissingParameter', 'The request must include either a launch template ID or a launch template name.'),
  templateIdAndName: () => new AwsError('InvalidParameterCombination', 'You can specify either a launch template ID or a launch template name, but not both.'),
};
