import { AwsError } from '../aws/index.ts';

/** The kinds of EC2 id the network domain serves, by the prefix they carry. */
export type IdKind = 'vpc' | 'subnet' | 'sg' | 'sgr' | 'eni';

/** EC2's Malformed code of each id kind (its capitalization is EC2's, not a pattern). */
const MALFORMED: Record<IdKind, string> = {
  vpc: 'InvalidVpcID.Malformed',
  subnet: 'InvalidSubnetID.Malformed',
  sg: 'InvalidGroupId.Malformed',
  sgr: 'InvalidSecurityGroupRuleId.Malformed',
  eni: 'InvalidNetworkInterfaceID.Malformed',
};

/**
 * The EC2 errors Wharf raises, by EC2's codes (HTTP 400 unless said): the one list the network
 * domain, the EC2 API adapter and ECS's awsvpc checks throw from.
 */
export const Ec2Errors = {
  invalidParameterValue: (message: string) => new AwsError('InvalidParameterValue', message),
  missingParameter: (message: string) => new AwsError('MissingParameter', message),
  invalidParameterCombination: (message: string) => new AwsError('InvalidParameterCombination', message),
  invalidVpcNotFound: (id: string) => new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`),
  invalidSubnetNotFound: (id: string) => new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`),
  invalidGroupNotFound: (id: string) => new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`),
  invalidNetworkInterfaceNotFound: (id: string) =>
    new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`),
  /** A group named (not by id) that the default VPC does not have. */
  invalidGroupNotFoundInDefaultVpc: (name: string, vpcId: string) =>
    new AwsError('InvalidGroup.NotFound', `The security group '${name}' does not exist in default VPC '${vpcId}'`),
  /** A rule that references a group of another VPC. */
  differentNetworks: () => new AwsError('InvalidGroup.NotFound', 'You have specified two resources that belong to different networks.'),
  invalidRuleNotFound: (id: string) => new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`),
  /** An id that is not of its kind's form (`vpc-` and 8 or 17 hex characters). */
  malformedId: (kind: IdKind, id: string) => new AwsError(MALFORMED[kind], `Invalid id: "${id}" (expecting "${kind}-...")`),
  /** A resource id of no kind Wharf's EC2 serves (CreateTags, DeleteTags). */
  invalidId: (id: string) => new AwsError('InvalidID', `The ID '${id}' is not valid`),
  /** A parameter that should be a CIDR block and is not one. */
  invalidCidr: (parameter: string, value: string) =>
    new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${parameter} is invalid. This is not a valid CIDR block.`),
  /** A rule's CIDR that does not parse. */
  malformedCidr: (value: string) => new AwsError('InvalidParameterValue', `CIDR block ${value} is malformed`),
  vpcRange: (cidr: string) => new AwsError('InvalidVpc.Range', `The CIDR '${cidr}' is invalid.`),
  subnetRange: (cidr: string) => new AwsError('InvalidSubnet.Range', `The CIDR '${cidr}' is invalid.`),
  subnetConflict: (cidr: string) => new AwsError('InvalidSubnet.Conflict', `The CIDR '${cidr}' conflicts with another subnet`),
  vpcDependencies: (id: string) => new AwsError('DependencyViolation', `The vpc '${id}' has dependencies and cannot be deleted.`),
  subnetDependencies: (id: string) => new AwsError('DependencyViolation', `The subnet '${id}' has dependencies and cannot be deleted.`),
  groupDependencies: (id: string) => new AwsError('DependencyViolation', `resource ${id} has a dependent object`),
  groupDuplicate: (name: string, vpcId: string) => new AwsError('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpcId}'`),
  cannotDeleteDefaultGroup: (id: string) => new AwsError('CannotDelete', `the specified group: "${id}" name: "default" cannot be deleted by a user`),
  /** `rule` as EC2 describes it: `peer: 0.0.0.0/0, TCP, from port: 22, to port: 22, ALLOW`. */
  permissionDuplicate: (rule: string) => new AwsError('InvalidPermission.Duplicate', `the specified rule "${rule}" already exists`),
  permissionNotFound: () => new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.'),
  /** A security group or VPC request that names no VPC, in a scope whose default VPC was deleted. */
  vpcIdNotSpecified: () => new AwsError('VPCIdNotSpecified', 'No default VPC for this user'),
  invalidFilter: (name: string) => new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`),
  invalidNextToken: (token: string) => new AwsError('InvalidNextToken', `The token '${token}' is invalid.`),
  rulesLimitExceeded: () => new AwsError('RulesPerSecurityGroupLimitExceeded', 'The maximum number of rules per security group has been reached.'),
  tagLimitExceeded: () => new AwsError('TagLimitExceeded', 'The maximum number of Tags for a resource has been reached.'),
  /** DryRun on a request that IAM allowed. */
  dryRun: () => new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412),
};
