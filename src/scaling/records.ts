/**
 * Application Auto Scaling's records as stored: scalable targets (an ECS service's
 * desiredCount between a minimum and a maximum), scaling policies (target tracking and step),
 * scheduled actions and scaling activities. Timestamps are epoch ms; the adapter
 * (`services/application-autoscaling`) turns records into the API's shapes.
 */

/** Every record belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** The one namespace and dimension Wharf scales: an ECS service's desiredCount. */
export const ECS_NAMESPACE = 'ecs';
export const ECS_DIMENSION = 'ecs:service:DesiredCount';

/** A tag on a scalable target. */
export interface ScalingTag {
  key: string;
  value: string;
}

/** Which kinds of scaling are held. */
export interface SuspendedState {
  dynamicScalingInSuspended: boolean;
  dynamicScalingOutSuspended: boolean;
  scheduledScalingSuspended: boolean;
}

/** A registered ECS service: `service/<cluster>/<service>`, its capacity bounds. */
export interface ScalableTargetRecord {
  arn: string;
  resourceId: string;
  clusterName: string;
  serviceName: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  suspended: SuspendedState;
  createdAt: number;
  tags: ScalingTag[];
}

/** A metric a policy reads: one metric with its statistic, or metric math. */
export interface PolicyMetric {
  namespace?: string;
  metricName?: string;
  dimensions?: { name: string; value: string }[];
  statistic?: string;
  unit?: string;
  /** Metric math queries (CustomizedMetricSpecification.Metrics), as the alarm's `metrics`. */
  queries?: { id: string; expression?: string; label?: string; returnData?: boolean; metricStat?: { namespace: string; metricName: string; dimensions: { name: string; value: string }[]; stat: string; unit?: string } }[];
}

/** A target tracking configuration. */
export interface TargetTrackingRecord {
  targetValue: number;
  /** The predefined metric's type and resource label, or undefined for a customized one. */
  predefined?: { type: string; resourceLabel?: string };
  metric: PolicyMetric;
  scaleOutCooldown: number;
  scaleInCooldown: number;
  disableScaleIn: boolean;
  /** The raw configuration, shown back as given. */
  shown: Record<string, unknown>;
}

/** One step: a range of the breach (metric minus threshold) and the adjustment it makes. */
export interface StepRecord {
  lower?: number;
  upper?: number;
  adjustment: number;
}

/** A step scaling configuration. */
export interface StepScalingRecord {
  adjustmentType: 'ChangeInCapacity' | 'PercentChangeInCapacity' | 'ExactCapacity';
  steps: StepRecord[];
  minAdjustmentMagnitude?: number;
  cooldown: number;
  metricAggregationType: 'Average' | 'Minimum' | 'Maximum';
}

/** A scaling policy of a scalable target. */
export interface PolicyRecord {
  arn: string;
  name: string;
  resourceId: string;
  policyType: 'TargetTrackingScaling' | 'StepScaling';
  targetTracking?: TargetTrackingRecord;
  stepScaling?: StepScalingRecord;
  /** The alarms a target tracking policy created and owns (deleted with it). */
  alarms: { name: string; arn: string; kind: 'high' | 'low' }[];
  createdAt: number;
  /** When this policy last scaled out / in (its cooldowns run from these). */
  lastScaleOutAt?: number;
  lastScaleInAt?: number;
}

/** A scheduled action: new bounds at a time. */
export interface ScheduledActionRecord {
  arn: string;
  name: string;
  resourceId: string;
  schedule: string;
  timezone?: string;
  startTime?: number;
  endTime?: number;
  minCapacity?: number;
  maxCapacity?: number;
  createdAt: number;
  /** The last due time it fired for (so a pass run twice fires it once). */
  lastFiredFor?: number;
}

/** What one scaling did, as DescribeScalingActivities lists it. */
export interface ActivityRecord {
  id: string;
  resourceId: string;
  description: string;
  cause: string;
  startTime: number;
  endTime?: number;
  statusCode: 'Pending' | 'InProgress' | 'Successful' | 'Overridden' | 'Unfulfilled' | 'Failed';
  statusMessage?: string;
}

/** `service/<cluster>/<service>` → its parts, or undefined when malformed. */
export function parseResourceId(resourceId: string): { clusterName: string; serviceName: string } | undefined {
  const m = /^service\/([^/]+)\/([^/]+)$/.exec(resourceId);
  return m ? { clusterName: m[1]!, serviceName: m[2]! } : undefined;
}

const seg = (s: string): string => encodeURIComponent(s);

/** The store's keys for Application Auto Scaling's records. */
export const scalingKeys = {
  allTargets: 'scaling/targets/',
  targets: (s: Scope) => `scaling/targets/${s.account}/${s.region}/`,
  target: (s: Scope, resourceId: string) => `scaling/targets/${s.account}/${s.region}/${seg(resourceId)}`,
  policies: (s: Scope, resourceId: string) => `scaling/policies/${s.account}/${s.region}/${seg(resourceId)}/`,
  allPolicies: (s: Scope) => `scaling/policies/${s.account}/${s.region}/`,
  policy: (s: Scope, resourceId: string, name: string) => `scaling/policies/${s.account}/${s.region}/${seg(resourceId)}/${seg(name)}`,
  actions: (s: Scope, resourceId: string) => `scaling/scheduled/${s.account}/${s.region}/${seg(resourceId)}/`,
  allActions: (s: Scope) => `scaling/scheduled/${s.account}/${s.region}/`,
  action: (s: Scope, resourceId: string, name: string) => `scaling/scheduled/${s.account}/${s.region}/${seg(resourceId)}/${seg(name)}`,
  activities: (s: Scope, resourceId: string) => `scaling/activities/${s.account}/${s.region}/${seg(resourceId)}/`,
  allActivities: (s: Scope) => `scaling/activities/${s.account}/${s.region}/`,
  /** Keyed by start time (zero-padded) so a listing is in time order. */
  activity: (s: Scope, resourceId: string, at: number, id: string) => `scaling/activities/${s.account}/${s.region}/${seg(resourceId)}/${String(at).padStart(15, '0')}-${id}`,
};

/** A scope from a target key (`scaling/targets/<account>/<region>/<id>`). */
export function scopeOfTargetKey(key: string): Scope | undefined {
  const [, , account, region] = key.split('/');
  return account && region ? { account, region } : undefined;
}

/** The ARNs Application Auto Scaling gives its resources. */
export const scalingArns = {
  target: (s: Scope, id: string) => `arn:aws:application-autoscaling:${s.region}:${s.account}:scalable-target/${id}`,
  policy: (s: Scope, uuid: string, resourceId: string, name: string) =>
    `arn:aws:autoscaling:${s.region}:${s.account}:scalingPolicy:${uuid}:resource/ecs/${resourceId}:policyName/${name}`,
  action: (s: Scope, uuid: string, resourceId: string, name: string) =>
    `arn:aws:autoscaling:${s.region}:${s.account}:scheduledAction:${uuid}:resource/ecs/${resourceId}:scheduledActionName/${name}`,
};
