/**
 * What the deployment engine needs of ECS and of the load balancers, as ports: task sets of an
 * ECS service with the CODE_DEPLOY deployment controller (create the replacement, make it
 * primary, delete one), and the forward actions of listeners (which target groups, at what
 * weights). The control plane implements them over the ECS and ELBv2 domains; tests over fakes.
 * A port call that cannot be done throws an AwsError; the engine fails the deployment with its message.
 */
import type { Tx } from '../state/index.ts';
import type { AlarmState } from './alarms.ts';
import type { EcsAppSpec, Scope } from './records.ts';

/** A task set as the engine sees it. */
export interface TaskSetView {
  id: string;
  status: 'PRIMARY' | 'ACTIVE' | 'DRAINING';
  externalId?: string;
  taskDefinition: string;
  desiredCount: number;
  pendingCount: number;
  runningCount: number;
  /** The target group its tasks are registered in, if any. */
  targetGroupArn?: string;
  /** Its tasks all run and are healthy (ECS's STEADY_STATE). */
  steady: boolean;
}

/** An ECS service deployed by CodeDeploy. */
export interface ServiceView {
  arn: string;
  deploymentController: string;
  taskSets: TaskSetView[];
}

/** What the engine asks of ECS. */
export interface TaskSetsPort {
  /** The service, or undefined when the cluster or service is not there. */
  service(scope: Scope, cluster: string, service: string): Promise<ServiceView | undefined>;
  /**
   * Creates the replacement task set at 100 % scale, its tasks registered in `targetGroupArn`
   * under the AppSpec's container and port; a task set with this `externalId` already there is returned instead.
   */
  createTaskSet(scope: Scope, cluster: string, service: string, spec: { externalId: string; targetGroupArn: string; appSpec: EcsAppSpec }): Promise<TaskSetView>;
  /** Makes the task set the service's PRIMARY one. */
  makePrimary(scope: Scope, cluster: string, service: string, taskSetId: string): Promise<void>;
  /** Deletes the task set (its tasks stop); one already gone is no error. */
  deleteTaskSet(scope: Scope, cluster: string, service: string, taskSetId: string): Promise<void>;
}

/** A target group and its weight in a forward action. */
export interface ForwardWeight {
  targetGroupArn: string;
  weight: number;
}

/** What the engine asks of the load balancers. */
export interface TrafficPort {
  /** The ARN of the target group named `name`, or undefined. */
  targetGroupArn(scope: Scope, name: string): Promise<string | undefined>;
  /** The listener's default forward action's groups and weights, or undefined when it has no listener or no forward. */
  forwards(scope: Scope, listenerArn: string): Promise<ForwardWeight[] | undefined>;
  /** Rewrites the listener's default forward action to these groups and weights (nothing when it already forwards so). */
  forward(scope: Scope, listenerArn: string, weights: ForwardWeight[]): Promise<void>;
}

/**
 * How the engine reads CloudWatch alarms (ECS's deployment alarms port serves): states read
 * through the engine's transaction, and a call whenever one changes so a deployment stops at once.
 */
export interface AlarmStatesPort {
  /** The alarms of these names in `scope` that exist. */
  read(tx: Tx, scope: Scope, names: readonly string[]): Promise<AlarmState[]>;
  /** Calls `listener` when an alarm's state changes (or it comes or goes); returns the unsubscribe. */
  subscribe(listener: (scope: Scope, name: string) => void): () => void;
}
