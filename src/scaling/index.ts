/**
 * The Application Auto Scaling domain, for ECS services' desiredCount: scalable targets,
 * target tracking and step scaling policies (a target tracking policy's CloudWatch alarms are
 * made in the metrics domain and owned by it), scheduled actions, scaling activities, and the
 * pure decisions the scaling controller (controllers/scaling) runs. The adapter
 * (`services/application-autoscaling`) is its API.
 */
export {
  ECS_DIMENSION, ECS_NAMESPACE, parseResourceId, scalingArns, scalingKeys, scopeOfTargetKey,
  type ActivityRecord, type PolicyMetric, type PolicyRecord, type ScalableTargetRecord, type ScalingTag, type ScheduledActionRecord, type Scope,
  type StepRecord, type StepScalingRecord, type SuspendedState, type TargetTrackingRecord,
} from './records.ts';
export { ScalingErrors } from './errors.ts';
export type { ScalingEnv, ServicesPort } from './env.ts';
export { listActivities, scaleTo } from './activities.ts';
export {
  adjusted, clamp, combineDecisions, dueScheduledTime, scheduledBounds, stepDecision, stepFor, targetTrackingDecision, type AlarmReading, type PolicyDecision, type ScalingDecision,
} from './decide.ts';
export {
  MAX_TAGS, clampInto, describeTargets, deregisterTarget, getTarget, registerTarget, tagTarget, targetTags, untagTarget, type RegisterRequest,
} from './targets.ts';
export { DEFAULT_COOLDOWN, PREDEFINED, deletePolicy, describePolicies, markScaled, predefinedMetric, putPolicy, type PutPolicyRequest } from './policies.ts';
export { deleteScheduledAction, describeScheduledActions, fireScheduledAction, putScheduledAction, type PutActionRequest } from './scheduled.ts';
