import type { Clock, Ids } from '../common/index.ts';
import type { Place, Rng } from '../scheduler/index.ts';
import type { Store, Tx } from '../state/index.ts';
import type { EfsPort } from './efs-volumes.ts';
import type { ContainerInstanceRecord } from './records.ts';
import type { ServiceChange } from './service-events.ts';
import type { EcsInformers } from './informers.ts';
import type { TaskRolesPort } from './task-roles.ts';
import type { TargetsPort } from './load-balancers.ts';
import type { RegistriesPort } from './service-registries.ts';
import type { AlarmsPort } from './deployment-alarms.ts';
import type { AutoScalingGroupsPort } from './asg-providers.ts';

/**
 * What ECS's domain works with, and so the ECS API adapter and the service controller too: the
 * store, time, ids and randomness, placement, and the control plane's shared informers.
 */
export interface EcsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  place: Place;
  /** Placement's random source (ties, the random strategy): seeded in tests so placements replay. */
  rng: Rng;
  /** Tasks, container instances and services, decoded and indexed in memory: launches place against the instances. */
  informers: EcsInformers;
  /** EFS file systems and access points, for tasks with EFS volumes; absent, such tasks are refused. */
  efs?: EfsPort;
  /** Whether ECS may assume the roles a task names; absent, they are not checked at launch. */
  roles?: TaskRolesPort;
  /** Target groups, for services with load balancers; absent, their `loadBalancers` are neither checked nor registered. */
  targets?: TargetsPort;
  /** Cloud Map services, for services with service registries; absent, their `serviceRegistries` are not acted on. */
  registries?: RegistriesPort;
  /** CloudWatch alarms, for deployments with deployment alarms; absent, their `alarms` are not watched. */
  alarms?: AlarmsPort;
  /** EC2 Auto Scaling groups, for capacity providers; absent, CreateCapacityProvider finds no group. */
  autoScalingGroups?: AutoScalingGroupsPort;
  /** Told of each change to an instance or a service, in the transaction that makes it (ECS's events on EventBridge). */
  changes?: EcsChangeHooks;
}

/**
 * What follows from a change to ECS's records, staged through the same transaction, so it is
 * committed with the change or not at all. The control plane wires them to EventBridge.
 */
export interface EcsChangeHooks {
  /** A container instance was written: registered, its agent (dis)connected, its status or its remaining resources changed. */
  instanceChanged?: (tx: Tx, instance: ContainerInstanceRecord, now: number) => Promise<void>;
  /** A service was written. */
  serviceChanged?: (tx: Tx, change: ServiceChange, now: number) => Promise<void>;
}
