/**
 * EC2 instances that Wharf provides: each a host (a Wharf agent with the instance type's
 * resources) that joins the ECS cluster its user data names. Here: their records, the state
 * machine, the instance types, launch templates and what the EC2 API does with them. The EC2
 * adapter (`services/ec2`) is its API; the instances controller starts and stops the hosts
 * through the hosts port. Nothing here reads a request or shapes a response.
 */
export type { InstanceHostSpec, InstanceHostsPort } from './ports.ts';
export type { InstancesEnv } from './env.ts';
export { InstanceErrors } from './errors.ts';
export {
  instanceKeys, isInstanceId, isLaunchTemplateId, parseInstanceKey,
  type InstanceProfileRef, type InstanceRecord, type InterfaceSpec, type LaunchTemplateData, type LaunchTemplateRecord,
  type LaunchTemplateVersionRecord,
} from './records.ts';
export {
  STATE_CODES, TERMINATED_VISIBLE_MS, completion, gmt, reasonsOfRequest, requestOutcome, visibleAt,
  type InstanceRequest, type InstanceStateName, type RequestOutcome, type StateReasonRecord,
} from './states.ts';
export { INSTANCE_TYPES, describeInstanceTypes, instanceType, type DescribeInstanceTypesRequest, type InstanceTypeInfo } from './instance-types.ts';
export { mergeLaunchData, mergeTagSpecifications } from './launch-data.ts';
export {
  createLaunchTemplate, createLaunchTemplateVersion, deleteLaunchTemplate, findLaunchTemplate, deleteLaunchTemplateVersions, describeLaunchTemplateVersions,
  describeLaunchTemplates, modifyLaunchTemplate, versionNumber,
  type CreateTemplateRequest, type CreateVersionRequest, type DescribeTemplatesRequest, type DescribeVersionsRequest, type TemplateRef,
  type TemplateVersion, type VersionNotDeleted,
} from './launch-templates.ts';
export { MAX_INSTANCES_PER_LAUNCH, MAX_USER_DATA_BYTES, runInstances, type InstanceProfilesPort, type Reservation, type RunInstancesRequest } from './run.ts';
export {
  changeInstances, clusterOfUserData, completeTransition, describeInstanceStatus, describeInstances, forgetInstance, getInstance, hostSpec,
  instanceTagRows, listingKey, retagInstance,
  type DescribeInstancesRequest, type DescribeStatusRequest, type StateChange,
} from './instances.ts';
