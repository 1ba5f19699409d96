/**
 * ECS services behind load balancers: what a service's `loadBalancers` must be (checked as ECS
 * checks them at CreateService and UpdateService), which target each of its tasks is in each
 * target group, and the record that says which targets ECS registered for a task — so that the
 * service controller, level-triggered, can always tell what to register, what to deregister and
 * when a deregistered task has drained. Target groups themselves are the load balancing
 * domain's: ECS reaches them through the `TargetsPort` the control plane gives it.
 */
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import type { Tx } from '../state/index.ts';
import { EcsErrors } from './errors.ts';
import { parseArn, type ContainerInstanceRecord, type Scope, type TaskDefinitionRecord, type TaskRecord } from './records.ts';

/** A target group as ECS needs to know it. */
export interface TargetGroupInfo {
  arn: string;
  targetType: 'instance' | 'ip';
  /** The load balancers whose listeners or rules forward to it (none: ECS refuses it). */
  loadBalancerArns: string[];
}

/** One target in a target group: an instance id or an IP address, and its port. */
export interface ServiceTarget {
  targetGroupArn: string;
  id: string;
  port: number;
}

/**
 * What the data plane last said of a target ECS registered: `initial` until its first health
 * check after registration; `description` says why it is unhealthy (`Request timed out`).
 */
export interface TargetHealth {
  state: 'initial' | 'healthy' | 'unhealthy';
  description?: string;
}

/**
 * How ECS reaches target groups (the control plane implements it over the load balancing
 * domain): reads and registrations staged in ECS's own transaction, and the target health the
 * data plane writes, read from memory (outside the transaction: health changes all the time and
 * must not make ECS's commits conflict).
 */
export interface TargetsPort {
  /** The target group named by `arn`, read through `tx`; undefined when there is none. */
  group(tx: Tx, scope: Scope, arn: string): Promise<TargetGroupInfo | undefined>;
  /**
   * Registers targets of one group (registering one again is harmless); resolves to why the
   * load balancer refused them (the group deleted, too many targets), undefined when it did not.
   */
  register(tx: Tx, now: number, scope: Scope, targetGroupArn: string, targets: { id: string; port: number }[]): Promise<string | undefined>;
  /** Deregisters targets of one group (those no longer registered, or of a group deleted, are skipped); resolves to when they have drained. */
  deregister(tx: Tx, now: number, scope: Scope, targetGroupArn: string, targets: { id: string; port: number }[]): Promise<number>;
  /** Each target's health, registered at `registeredAt` (a health record older than that is `initial`). */
  health(scope: Scope, targets: (ServiceTarget & { registeredAt: number })[]): Promise<TargetHealth[]>;
  /**
   * Points a listener rule's forward (or a listener's default forward, given its ARN) at these
   * target groups with these weights, staged in `tx`; nothing is written when it already does.
   * Resolves to why the load balancer refused (the rule gone), undefined when it did not.
   */
  shiftTraffic(tx: Tx, scope: Scope, ruleArn: string, weights: { targetGroupArn: string; weight: number }[]): Promise<string | undefined>;
  /** Calls `listener` with a target group's ARN whenever the health of one of its targets changes. */
  subscribe(listener: (targetGroupArn: string) => void): () => void;
}

/**
 * The targets ECS registered for one service task, kept until they are deregistered and drained:
 * the controller registers a RUNNING task's targets and writes this in the same transaction, and
 * deregisters them (setting `drainingUntil`) before the task may stop.
 */
export interface TaskTargetsRecord {
  taskArn: string;
  taskId: string;
  serviceName: string;
  targets: ServiceTarget[];
  registeredAt: number;
  /** Set when deregistered: the task stays DEACTIVATING until then. */
  drainingUntil?: number;
}

/** Where the task-targets records live: per service, so a pass reads its service's alone. */
export const taskTargetsKeys = {
  ofService: (s: Scope, cluster: string, service: string) => `ecs/task-targets/${s.account}/${s.region}/${cluster}/${service}/`,
  ofTask: (s: Scope, cluster: string, service: string, taskId: string) => `ecs/task-targets/${s.account}/${s.region}/${cluster}/${service}/${taskId}`,
};

/** The service a task belongs to, from its group (`service:<name>`); undefined for a standalone task. */
export const serviceNameOfTask = (task: Pick<TaskRecord, 'group'>): string | undefined =>
  task.group.startsWith('service:') ? task.group.slice('service:'.length) : undefined;

/** The task-targets record of a task, read through `tx` (its absence is read too: a registration racing a stop conflicts). */
export async function taskTargetsOf(tx: Tx, task: TaskRecord): Promise<TaskTargetsRecord | undefined> {
  const service = serviceNameOfTask(task);
  if (!service) return undefined;
  return tx.get<TaskTargetsRecord>(taskTargetsKeys.ofTask(parseArn(task.arn)!, task.clusterName, service, task.id));
}

/** ECS's words when the load balancer settings are wrong. */
export const loadBalancerMessages = {
  classic: (name: string) => `The load balancer ${name} does not exist.`,
  noTargetGroup: 'Target Group Arn can not be blank.',
  noContainerName: 'Container Name can not be blank.',
  noContainerPort: 'Container Port can not be blank.',
  unknownGroup: 'Unable to assume role and validate the specified targetGroupArn. Please verify that the ECS service role being passed has the proper permissions.',
  noLoadBalancer: (arn: string) => `The target group with targetGroupArn ${arn} does not have an associated load balancer.`,
  noContainer: (name: string) => `The container ${name} does not exist in the task definition.`,
  noPort: (name: string, port: number) => `The container ${name} did not have a container port ${port} defined.`,
  targetType: (arn: string, type: string, mode: string) =>
    `The provided target group ${arn} has target type ${type}, which is incompatible with the ${mode} network mode specified in the task definition.`,
  duplicate: (arn: string) => `The target group ${arn} is specified more than once for the same container and port.`,
  tooMany: 'A service can have at most 5 load balancer target groups.',
};

/** ECS's quota of target groups per service. */
export const MAX_SERVICE_TARGET_GROUPS = 5;

/**
 * Checks a service's `loadBalancers` against its task definition and the target groups, as
 * CreateService and UpdateService do: each names an existing target group that a load balancer
 * uses, whose target type suits the network mode (`ip` for awsvpc, `instance` otherwise), and a
 * container of the task definition with that containerPort in its portMappings.
 */
export async function checkServiceLoadBalancers(
  tx: Tx, targets: TargetsPort, scope: Scope, loadBalancers: readonly LoadBalancer[], td: TaskDefinitionRecord,
): Promise<void> {
  if (loadBalancers.length > MAX_SERVICE_TARGET_GROUPS) throw EcsErrors.invalidParameter(loadBalancerMessages.tooMany);
  const mode = td.networkMode ?? 'bridge';
  const seen = new Set<string>();
  for (const lb of loadBalancers) {
    if (lb.loadBalancerName !== undefined) throw EcsErrors.invalidParameter(loadBalancerMessages.classic(lb.loadBalancerName));
    if (!lb.targetGroupArn) throw EcsErrors.invalidParameter(loadBalancerMessages.noTargetGroup);
    if (!lb.containerName) throw EcsErrors.invalidParameter(loadBalancerMessages.noContainerName);
    if (lb.containerPort === undefined) throw EcsErrors.invalidParameter(loadBalancerMessages.noContainerPort);
    // Blue/green: the alternate target group is checked as the primary one is.
    for (const arn of [lb.targetGroupArn, ...(lb.advancedConfiguration?.alternateTargetGroupArn ? [lb.advancedConfiguration.alternateTargetGroupArn] : [])]) {
      const group = await targets.group(tx, scope, arn);
      if (!group) throw EcsErrors.invalidParameter(loadBalancerMessages.unknownGroup);
      if (group.loadBalancerArns.length === 0) throw EcsErrors.invalidParameter(loadBalancerMessages.noLoadBalancer(arn));
      const wanted = mode === 'awsvpc' ? 'ip' : 'instance';
      if (group.targetType !== wanted) throw EcsErrors.invalidParameter(loadBalancerMessages.targetType(arn, group.targetType, mode));
    }
    if (lb.advancedConfiguration?.alternateTargetGroupArn === lb.targetGroupArn) {
      throw EcsErrors.invalidParameter('The alternate target group must be different from the target group (advancedConfiguration.alternateTargetGroupArn).');
    }
    const container = td.containerDefinitions?.find((c) => c.name === lb.containerName);
    if (!container) throw EcsErrors.invalidParameter(loadBalancerMessages.noContainer(lb.containerName));
    if (!(container.portMappings ?? []).some((p) => p.containerPort === lb.containerPort)) {
      throw EcsErrors.invalidParameter(loadBalancerMessages.noPort(lb.containerName, lb.containerPort));
    }
    const key = `${lb.targetGroupArn} ${lb.containerName} ${lb.containerPort}`;
    if (seen.has(key)) throw EcsErrors.invalidParameter(loadBalancerMessages.duplicate(lb.targetGroupArn));
    seen.add(key);
  }
}

/**
 * The targets a running task is in, one per load balancer of its deployment: awsvpc — its
 * interface's private IPv4 address and the containerPort; bridge — its instance's EC2 instance
 * id and the host port the agent bound for the containerPort (its network bindings); host — the
 * instance and the containerPort itself. Undefined while something it needs is not known yet
 * (the agent has not reported the binding, the instance is gone).
 */
export function targetsOfTask(
  task: Pick<TaskRecord, 'spec' | 'containers' | 'eni'>, instance: Pick<ContainerInstanceRecord, 'ec2InstanceId'> | undefined,
  loadBalancers: readonly LoadBalancer[],
): ServiceTarget[] | undefined {
  const out: ServiceTarget[] = [];
  for (const lb of loadBalancers) {
    if (!lb.targetGroupArn || !lb.containerName || lb.containerPort === undefined) continue;
    const mode = task.spec.networkMode;
    if (mode === 'awsvpc') {
      if (!task.eni?.privateIPv4Address) return undefined;
      out.push({ targetGroupArn: lb.targetGroupArn, id: task.eni.privateIPv4Address, port: lb.containerPort });
      continue;
    }
    if (!instance) return undefined;
    let port: number | undefined;
    if (mode === 'host') port = lb.containerPort;
    else {
      const container = task.containers.find((c) => c.name === lb.containerName);
      port = container?.networkBindings.find((b) => b.containerPort === lb.containerPort && (b.protocol ?? 'tcp') === 'tcp')?.hostPort;
    }
    if (port === undefined) return undefined;
    out.push({ targetGroupArn: lb.targetGroupArn, id: instance.ec2InstanceId, port });
  }
  return out;
}
