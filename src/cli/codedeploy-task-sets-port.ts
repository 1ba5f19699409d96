/**
 * How CodeDeploy's deployment engine drives an ECS service's task sets: the ECS domain's own
 * task set writes (`stageCreateTaskSet`, `stagePrimaryTaskSet`, `stageDeleteTaskSet`) in one
 * transaction each, on the service as read through it, so the service controller then runs and
 * retires the tasks as it does for CreateTaskSet; counts from the ECS informers' tasks.
 */
import type { CapacityProviderStrategyItem, NetworkConfiguration } from '@aws-sdk/client-ecs';
import type { EcsAppSpec, Scope, ServiceView, TaskSetView, TaskSetsPort } from '../codedeploy/index.ts';
import {
  EcsErrors, computedDesiredCount, serviceKeys, stageCreateTaskSet, stageDeleteTaskSet, stagePrimaryTaskSet,
  type EcsDeps, type ServiceRecord, type TaskSetRecord,
} from '../ecs/index.ts';
import { transact, type Tx } from '../state/index.ts';

const PENDING = new Set(['PROVISIONING', 'PENDING', 'ACTIVATING']);

/** The task sets port over the ECS domain. */
export function codeDeployTaskSetsPort(deps: EcsDeps): TaskSetsPort {
  const read = async (tx: Tx, scope: Scope, cluster: string, name: string): Promise<ServiceRecord> => {
    const service = await tx.get<ServiceRecord>(serviceKeys.service(scope, cluster, name));
    if (!service || service.status !== 'ACTIVE') throw EcsErrors.serviceNotFound();
    return service;
  };
  const view = (scope: Scope, service: ServiceRecord, ts: TaskSetRecord): TaskSetView => {
    const tasks = deps.informers.tasksOfService(scope, service.clusterName, service.name).map((d) => d.value).filter((t) => t.startedBy === ts.id);
    return {
      id: ts.id, status: ts.status, ...(ts.externalId !== undefined ? { externalId: ts.externalId } : {}), taskDefinition: ts.taskDefinition,
      desiredCount: ts.status === 'DRAINING' ? 0 : computedDesiredCount(service, ts),
      pendingCount: tasks.filter((t) => PENDING.has(t.lastStatus)).length,
      runningCount: tasks.filter((t) => t.lastStatus === 'RUNNING').length,
      ...(ts.loadBalancers[0]?.targetGroupArn ? { targetGroupArn: ts.loadBalancers[0].targetGroupArn } : {}),
      steady: ts.stabilityStatus === 'STEADY_STATE',
    };
  };
  return {
    async service(scope, cluster, name): Promise<ServiceView | undefined> {
      const service = await transact(deps.store, (tx) => tx.get<ServiceRecord>(serviceKeys.service(scope, cluster, name)));
      if (!service || service.status !== 'ACTIVE') return undefined;
      return { arn: service.arn, deploymentController: service.deploymentController.type, taskSets: (service.taskSets ?? []).map((t) => view(scope, service, t)) };
    },
    async createTaskSet(scope, cluster, name, spec) {
      return transact(deps.store, async (tx) => {
        const service = await read(tx, scope, cluster, name);
        const again = (service.taskSets ?? []).find((t) => t.externalId === spec.externalId);
        if (again) return view(scope, service, again);
        const primary = (service.taskSets ?? []).find((t) => t.status === 'PRIMARY');
        const { taskSet, service: after } = await stageCreateTaskSet(tx, deps, service, {
          ...taskSetSpec(spec.appSpec, primary),
          loadBalancers: [{ targetGroupArn: spec.targetGroupArn, containerName: spec.appSpec.containerName, containerPort: spec.appSpec.containerPort }],
          scale: 100, externalId: spec.externalId, clientToken: spec.externalId,
        });
        return view(scope, after, taskSet);
      });
    },
    async makePrimary(scope, cluster, name, taskSetId) {
      await transact(deps.store, async (tx) => {
        await stagePrimaryTaskSet(tx, deps, await read(tx, scope, cluster, name), taskSetId);
      });
    },
    async deleteTaskSet(scope, cluster, name, taskSetId) {
      await transact(deps.store, async (tx) => {
        const service = await read(tx, scope, cluster, name);
        if (!(service.taskSets ?? []).some((t) => t.id === taskSetId)) return;
        await stageDeleteTaskSet(tx, deps, service, taskSetId, true);
      });
    },
  };
}

/** The replacement's launch settings: the AppSpec's, else the PRIMARY task set's. */
function taskSetSpec(a: EcsAppSpec, primary: TaskSetRecord | undefined) {
  const network: NetworkConfiguration | undefined = a.networkConfiguration
    ? { awsvpcConfiguration: { subnets: a.networkConfiguration.subnets, securityGroups: a.networkConfiguration.securityGroups, assignPublicIp: a.networkConfiguration.assignPublicIp } }
    : primary?.networkConfiguration;
  const strategy: CapacityProviderStrategyItem[] | undefined = a.capacityProviderStrategy ?? primary?.capacityProviderStrategy;
  const fargate = strategy?.find((s) => s.capacityProvider === 'FARGATE' || s.capacityProvider === 'FARGATE_SPOT')?.capacityProvider;
  return {
    taskDefinition: a.taskDefinition,
    serviceRegistries: primary?.serviceRegistries ?? [],
    ...(network ? { networkConfiguration: network } : {}),
    ...(strategy ? { capacityProviderStrategy: strategy } : {}),
    launchType: fargate ? 'FARGATE' as const : a.capacityProviderStrategy ? 'EC2' as const : (primary?.launchType ?? 'EC2'),
    ...(fargate ? { capacityProviderName: fargate } : !a.capacityProviderStrategy && primary?.capacityProviderName ? { capacityProviderName: primary.capacityProviderName } : {}),
    ...(a.platformVersion ?? primary?.platformVersion ? { platformVersion: a.platformVersion ?? primary?.platformVersion } : {}),
  };
}
