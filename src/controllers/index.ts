/**
 * Controllers: level-triggered reconcile loops over the store (DESIGN.md rule 2). Each is a
 * pure `reconcile(desired, observed, now) → actions` inside a thin shell that watches, queues
 * keys and applies a plan in one transaction. See README.md.
 */
export { ServiceController, type ServiceControllerOptions } from './service/controller.ts';
export type { ReconcileSettings } from './service/reconcile.ts';
export { WorkQueue } from './work-queue.ts';
export { LifecycleController, DEFAULT_LIFECYCLE_INTERVAL_MS, type LifecycleControllerOptions, type LifecycleDeletion, type LifecycleRunResult } from './lifecycle/controller.ts';
export {
  TaskRetentionController, type RetentionPassResult, type TaskRetentionControllerOptions,
} from './retention/controller.ts';
export { DEFAULT_TASK_RETENTION_MS } from './retention/expiry.ts';
export { AlarmController, type AlarmActionsPort, type AlarmControllerOptions } from './alarms/controller.ts';
export { realTimers, type Timers } from './timers.ts';
export { runWhileLeader, type Leadership, type StartControllers } from './leadership.ts';
export { EventsController, type EventsControllerOptions } from './events/controller.ts';
export { CodeDeployController, type CodeDeployControllerOptions } from './codedeploy/controller.ts';
export { ScalingController, type ScalingControllerOptions } from './scaling/controller.ts';
export { PROVISIONING_TIMEOUT_MS, ProvisioningController, type ProvisioningControllerOptions } from './capacity/provisioning.ts';
export { AutoScalingController, type AutoScalingControllerOptions } from './autoscaling/controller.ts';
export { ManagedScalingController, managedPolicyName, type ManagedScalingControllerOptions } from './capacity/managed-scaling.ts';
export { InstancesController, type InstancesControllerOptions } from './instances/controller.ts';
