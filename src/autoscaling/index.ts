/**
 * The EC2 Auto Scaling domain: Auto Scaling groups that keep a desired capacity of EC2 instances
 * launched from a launch template, their instances' lifecycle, scaling activities with AWS's
 * wording, tags, and the pure decisions (placement over zones, the termination policy, the
 * reconcile of a group) the Auto Scaling controller runs. Instances are reached only through
 * `InstancesPort` (ports.ts). The adapter (`services/autoscaling`) is its API.
 */
export {
  autoscalingKeys, countedInstances, groupArn, parseGroupKey,
  type ActivityRecord, type AsgInstance, type AsgTag, type CapacityChange, type GroupRecord, type LaunchTemplateSpec, type LifecycleState, type PendingLaunch, type Placement, type Scope,
} from './records.ts';
export { AutoScalingErrors } from './errors.ts';
export type { AutoScalingEnv } from './env.ts';
export type { InstancesPort, InstanceState, InstanceView, LaunchRequest, LaunchTemplateRef } from './ports.ts';
export {
  ACTIVITIES_KEPT, activityOrder, causeTime, healthCause, launchCause, listActivities, scaleInCause, stageActivity, stageActivityEnd, stageActivityTrim, userTerminateCause,
} from './activities.ts';
export { instancesToTerminate, placementsFor, planCapacity, type CapacityPlan } from './decide.ts';
export {
  MAX_GROUPS, MAX_TAGS, createGroup, deleteGroup, describeActivities, describeGroups, findInstance, getGroup, setDesiredCapacity, updateGroup,
  type CreateGroupRequest, type UpdateGroupRequest,
} from './groups.ts';
export { setInstanceProtection, terminateInstanceInGroup } from './instances.ts';
export { createOrUpdateTags, deleteTags, describeTags, groupMatches, type TagFilter, type TagInput, type TagView } from './tags.ts';
export { LAUNCH_RETRY_MS, launched, launchFailed, reconcileGroup, type ActivityEnd, type GroupStep } from './reconcile.ts';
export { autoscalingResourceInfo } from './resource-info.ts';
