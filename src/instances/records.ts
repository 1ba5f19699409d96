/**
 * The instance and launch template documents as stored in the key-value store, and where they
 * are stored (per account and region, kind first, as the network's). Records are not API shapes:
 * timestamps are epoch ms; the EC2 adapter turns them into the API's.
 */
import type { Ec2Tag } from '../network/index.ts';
import type { InstanceStateName, StateReasonRecord } from './states.ts';

/** The IAM instance profile an instance runs with, resolved when it was launched. */
export interface InstanceProfileRef {
  arn: string;
  id: string;
  /** The profile's role, whose credentials the host's agent uses. */
  roleArn?: string;
}

/** An instance: a Wharf host with its instance type's resources, in a subnet. */
export interface InstanceRecord {
  instanceId: string;
  reservationId: string;
  ownerId: string;
  imageId: string;
  instanceType: string;
  keyName?: string;
  state: InstanceStateName;
  /** EC2's StateTransitionReason: `User initiated (2026-01-02 03:04:05 GMT)`, or empty. */
  stateTransitionReason: string;
  stateReason?: StateReasonRecord;
  launchTime: number;
  /** Index of the instance in its launch (AmiLaunchIndex). */
  amiLaunchIndex: number;
  availabilityZone: string;
  subnetId: string;
  vpcId: string;
  privateIpAddress: string;
  /** The primary interface that holds the address (made by the network domain). */
  networkInterfaceId: string;
  macAddress: string;
  groups: { groupId: string; groupName: string }[];
  /** The user data as given: base64. */
  userData?: string;
  iamInstanceProfile?: InstanceProfileRef;
  launchTemplate?: { id: string; name: string; version: string };
  clientToken?: string;
  tags: Ec2Tag[];
  /** When it reached `terminated`: it stays visible about an hour after. */
  terminatedAt?: number;
}

/** A launch template: its versions are stored apart. */
export interface LaunchTemplateRecord {
  launchTemplateId: string;
  launchTemplateName: string;
  createdAt: number;
  createdBy: string;
  defaultVersion: number;
  latestVersion: number;
  tags: Ec2Tag[];
}

/** A network interface of a launch template or a launch request (only device index 0 is acted on). */
export interface InterfaceSpec {
  deviceIndex?: number;
  subnetId?: string;
  groupIds?: string[];
  privateIpAddress?: string;
  associatePublicIpAddress?: boolean;
  deleteOnTermination?: boolean;
  description?: string;
}

/** What a launch template version says of the instances launched from it (the members Wharf acts on). */
export interface LaunchTemplateData {
  imageId?: string;
  instanceType?: string;
  keyName?: string;
  userData?: string;
  securityGroupIds?: string[];
  securityGroups?: string[];
  iamInstanceProfile?: { arn?: string; name?: string };
  networkInterfaces?: InterfaceSpec[];
  placement?: { availabilityZone?: string };
  tagSpecifications?: { resourceType?: string; tags: Ec2Tag[] }[];
}

/** One version of a launch template. */
export interface LaunchTemplateVersionRecord {
  launchTemplateId: string;
  versionNumber: number;
  versionDescription?: string;
  createdAt: number;
  createdBy: string;
  data: LaunchTemplateData;
}

/** Where each record lives. */
export const instanceKeys = {
  allInstances: 'instances/instances/',
  instances: (s: { account: string; region: string }) => `instances/instances/${s.account}/${s.region}/`,
  instance: (s: { account: string; region: string }, id: string) => `instances/instances/${s.account}/${s.region}/${id}`,
  /** A RunInstances ClientToken → the reservation it made. */
  clientToken: (s: { account: string; region: string }, token: string) => `instances/client-tokens/${s.account}/${s.region}/${encodeURIComponent(token)}`,
  templates: (s: { account: string; region: string }) => `instances/launch-templates/${s.account}/${s.region}/`,
  template: (s: { account: string; region: string }, id: string) => `instances/launch-templates/${s.account}/${s.region}/${id}`,
  /** A template's name → its id: the guard that names are unique. */
  templateName: (s: { account: string; region: string }, name: string) => `instances/launch-template-names/${s.account}/${s.region}/${name}`,
  versions: (s: { account: string; region: string }, id: string) => `instances/launch-template-versions/${s.account}/${s.region}/${id}/`,
  version: (s: { account: string; region: string }, id: string, n: number) =>
    `instances/launch-template-versions/${s.account}/${s.region}/${id}/${String(n).padStart(10, '0')}`,
};

/** The account and region of an instance key, with the instance id. */
export function parseInstanceKey(key: string): { scope: { account: string; region: string }; instanceId: string } | undefined {
  const [account, region, instanceId] = key.slice(instanceKeys.allInstances.length).split('/');
  return account && region && instanceId ? { scope: { account, region }, instanceId } : undefined;
}

/** EC2's id forms of this part: a prefix and 17 lowercase hex characters. */
export const instanceId = (hex32: string): string => `i-${hex32.slice(0, 17)}`;
export const reservationId = (hex32: string): string => `r-${hex32.slice(15, 32)}`;
export const launchTemplateId = (hex32: string): string => `lt-${hex32.slice(0, 17)}`;

/** True for an instance id (`i-` and 8 or 17 hex characters). */
export const isInstanceId = (id: string): boolean => /^i-[0-9a-f]{8}([0-9a-f]{9})?$/.test(id);
/** True for a launch template id. */
export const isLaunchTemplateId = (id: string): boolean => /^lt-[0-9a-f]{17}$/.test(id);
