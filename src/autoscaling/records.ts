/**
 * EC2 Auto Scaling's records as stored: groups (with their instances inside, so a group and its
 * instances change in one write) and scaling activities. Timestamps are epoch ms; the adapter
 * (`services/autoscaling`) turns records into the API's shapes.
 */

/** Every record belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A launch template as a group names it: by id or name, and a version (`$Default`, `$Latest` or a number). */
export interface LaunchTemplateSpec {
  launchTemplateId: string;
  launchTemplateName: string;
  version: string;
}

/** A tag of a group; PropagateAtLaunch tags go onto the instances it launches. */
export interface AsgTag {
  key: string;
  value: string;
  propagateAtLaunch: boolean;
}

/** Where a group launches: a subnet and its availability zone. */
export interface Placement {
  availabilityZone: string;
  subnetId: string;
}

/** The lifecycle states Wharf moves instances through (AWS's names). */
export type LifecycleState = 'Pending' | 'InService' | 'Terminating' | 'Terminated';

/** One instance of a group. */
export interface AsgInstance {
  instanceId: string;
  availabilityZone: string;
  subnetId: string;
  instanceType: string;
  lifecycleState: LifecycleState;
  healthStatus: 'Healthy' | 'Unhealthy';
  protectedFromScaleIn: boolean;
  launchTemplate: LaunchTemplateSpec;
  launchedAt: number;
  /** The activity that launches or terminates it now (completed when the instance runs or is gone). */
  activityId?: string;
  /** Why it is terminating: whether the group's desired capacity went down with it (TerminateInstanceInAutoScalingGroup). */
  decrement?: boolean;
}

/** A launch decided but not yet known to have happened: its client token makes the retry launch the same instance. */
export interface PendingLaunch {
  clientToken: string;
  availabilityZone: string;
  subnetId: string;
  /** The capacity the launch increases from and to, for the activity's cause. */
  from: number;
  to: number;
  decidedAt: number;
  /** The desired capacity change this launch answers (its activity's cause begins with it); none for a replacement. */
  change?: CapacityChange;
}

/** The last change of a group's desired capacity, which AWS's activity causes begin with. */
export interface CapacityChange {
  at: number;
  /** e.g. `a user request explicitly set group desired capacity changing the desired capacity from 1 to 2` */
  text: string;
}

/** An Auto Scaling group. */
export interface GroupRecord {
  name: string;
  arn: string;
  createdAt: number;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  launchTemplate: LaunchTemplateSpec;
  /** The subnets (VPCZoneIdentifier) the group was given, in order; empty when it was given zones only. */
  subnets: string[];
  /** Where it launches, one subnet each, in the order given. */
  placements: Placement[];
  availabilityZones: string[];
  defaultCooldown: number;
  healthCheckType: string;
  healthCheckGracePeriod: number;
  newInstancesProtectedFromScaleIn: boolean;
  terminationPolicies: string[];
  capacityRebalance: boolean;
  defaultInstanceWarmup?: number;
  maxInstanceLifetime?: number;
  serviceLinkedRoleArn: string;
  loadBalancerNames: string[];
  targetGroupArns: string[];
  context?: string;
  tags: AsgTag[];
  /** `Delete in progress` once a forced delete was asked; the controller terminates its instances, then deletes it. */
  status?: 'Delete in progress';
  instances: AsgInstance[];
  launching: PendingLaunch[];
  /** The last desired capacity change, until the launches or terminations that answer it are decided. */
  lastChange?: CapacityChange;
  /** After a launch failed, no launch before this time. */
  retryLaunchAt?: number;
  /** When the group's desired capacity last changed by a request. */
  lastScaledAt?: number;
}

/** What one scaling did, as DescribeScalingActivities lists it. */
export interface ActivityRecord {
  id: string;
  groupName: string;
  groupArn: string;
  description: string;
  cause: string;
  startTime: number;
  endTime?: number;
  statusCode: 'PendingSpotBidPlacement' | 'WaitingForSpotInstanceRequestId' | 'WaitingForSpotInstanceId' | 'WaitingForInstanceId' | 'PreInService' | 'InProgress'
    | 'WaitingForELBConnectionDraining' | 'MidLifecycleAction' | 'WaitingForInstanceWarmup' | 'Successful' | 'Failed' | 'Cancelled' | 'WaitingForConnectionDraining';
  statusMessage?: string;
  progress: number;
  details: Record<string, string>;
}

const seg = (s: string): string => encodeURIComponent(s);

/** The store's keys for Auto Scaling's records. */
export const autoscalingKeys = {
  allGroups: 'autoscaling/groups/',
  groups: (s: Scope) => `autoscaling/groups/${s.account}/${s.region}/`,
  group: (s: Scope, name: string) => `autoscaling/groups/${s.account}/${s.region}/${seg(name)}`,
  activities: (s: Scope, name: string) => `autoscaling/activities/${s.account}/${s.region}/${seg(name)}/`,
  allActivities: (s: Scope) => `autoscaling/activities/${s.account}/${s.region}/`,
  /** Keyed by start time (zero-padded) so a listing is in time order. */
  activity: (s: Scope, name: string, at: number, id: string) => `autoscaling/activities/${s.account}/${s.region}/${seg(name)}/${String(at).padStart(15, '0')}-${id}`,
};

/** The scope and group name of a group key (`autoscaling/groups/<account>/<region>/<name>`). */
export function parseGroupKey(key: string): { scope: Scope; name: string } | undefined {
  const [, , account, region, name] = key.split('/');
  return account && region && name ? { scope: { account, region }, name: decodeURIComponent(name) } : undefined;
}

/** The ARN AWS gives a group: its uuid and its name. */
export const groupArn = (s: Scope, uuid: string, name: string) => `arn:aws:autoscaling:${s.region}:${s.account}:autoScalingGroup:${uuid}:autoScalingGroupName/${name}`;

/** The instances that count toward a group's capacity: all but those leaving it. */
export const countedInstances = (g: GroupRecord): AsgInstance[] => g.instances.filter((i) => i.lifecycleState === 'Pending' || i.lifecycleState === 'InService');
