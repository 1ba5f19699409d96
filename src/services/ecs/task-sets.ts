/**
 * The ECS task set operations: CreateTaskSet, DescribeTaskSets, UpdateTaskSet,
 * UpdateServicePrimaryTaskSet, DeleteTaskSet. They read the request, find the service, and call
 * the ECS domain's task set writes (src/ecs/task-sets.ts), which the service controller then
 * acts on. Writes are for EXTERNAL services only, as in ECS; DescribeTaskSets also shows a
 * CODE_DEPLOY service's.
 */
import type {
  CreateTaskSetResponse, DeleteTaskSetResponse, DescribeTaskSetsResponse, Failure, UpdateServicePrimaryTaskSetResponse, UpdateTaskSetResponse,
} from '@aws-sdk/client-ecs';
import type { RequestContext } from '../../aws/index.ts';
import { listDocs, transact } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, keys, stageCreateTaskSet, stageDeleteTaskSet, stagePrimaryTaskSet, stageTaskSetScale, serviceKeys, taskSetMessages,
  usesTaskSets, type EcsDeps, type Scope, type ServiceRecord, type TaskRecord,
} from '../../ecs/index.ts';
import { capacityProviders, clusterCondition, inClusterArn, tagConditions, taskDefinitionArnOf } from './authorization.ts';
import { checkString, checkStrings, checkTags, present, scopeOf, type EcsOperationTable } from './common.ts';
import { readLaunchType } from './launch-type.ts';
import { activeService, serviceTarget } from './services.ts';
import { readLoadBalancers, readNetworkConfiguration, readServiceRegistries } from './service-validate.ts';
import { tasksByDeployment, toApiTaskSet, toApiTaskSets } from './service-view.ts';

const invalid = EcsErrors.invalidParameter;

/** The service a request names, as IAM sees it (task set actions authorize on their service). */
const serviceNamed = (i: { cluster?: string; service?: string }, ctx: RequestContext) => [i.service ? inClusterArn(ctx, 'service', i.cluster, i.service) : '*'];
const inCluster = (i: { cluster?: string; service?: string }, ctx: RequestContext) => clusterCondition(ctx, i.cluster, i.service);

/** A `scale` member: PERCENT, 0–100 (100 when left out). */
function readScale(scale: { value?: number; unit?: string } | undefined, required = false): number {
  if (!scale) {
    if (required) throw invalid('scale can not be null.');
    return 100;
  }
  if (scale.unit !== undefined && scale.unit !== 'PERCENT') throw invalid('scale.unit must be PERCENT.');
  const value = scale.value ?? 0;
  if (!Number.isFinite(value) || value < 0 || value > 100) throw invalid('scale.value must be between 0 and 100.');
  return value;
}

/** The service's tasks (any tasks of its cluster), read outside a transaction, for counting. */
async function tasksOf(deps: EcsDeps, scope: Scope, service: ServiceRecord): Promise<TaskRecord[]> {
  return (await listDocs<TaskRecord>(deps.store, keys.tasks(scope, service.clusterName))).map((d) => d.value);
}

/** The task set operations, bound to their dependencies. */
export function taskSetOperations(deps: EcsDeps): EcsOperationTable {
  /** A task set just written as the API shows it. */
  const shown = async (scope: Scope, service: ServiceRecord, id: string, withTags: boolean) => {
    const ts = service.taskSets!.find((t) => t.id === id)!;
    return toApiTaskSet(ts, service, tasksByDeployment(service, await tasksOf(deps, scope, service)), withTags);
  };

  return {
    CreateTaskSet: {
      authorization: {
        resources: serviceNamed,
        conditions: async (i, ctx) => ({
          ...tagConditions(i.tags), ...inCluster(i, ctx),
          'ecs:task-definition': i.taskDefinition ? await taskDefinitionArnOf(deps.store, ctx, i.taskDefinition) : undefined,
          'ecs:capacity-provider': capacityProviders(i.capacityProviderStrategy),
        }),
      },
      async handler(input, ctx): Promise<CreateTaskSetResponse> {
        const scope = scopeOf(ctx);
        const serviceRef = present(input.service, 'service');
        const taskDefinition = present(input.taskDefinition, 'taskDefinition');
        const launch = readLaunchType(input);
        const spec = {
          taskDefinition,
          loadBalancers: readLoadBalancers(input.loadBalancers),
          serviceRegistries: readServiceRegistries(input.serviceRegistries),
          networkConfiguration: readNetworkConfiguration(input.networkConfiguration),
          launchType: launch.launchType,
          capacityProviderStrategy: input.capacityProviderStrategy?.map((s) => ({ ...s })),
          capacityProviderName: launch.capacityProviderName,
          platformVersion: launch.platformVersion,
          scale: readScale(input.scale),
          externalId: checkString(input.externalId, 'externalId', { max: 255 }),
          tags: checkTags(input.tags),
          clientToken: checkString(input.clientToken, 'clientToken', { min: 1, max: 36 }),
        };
        const write = await transact(deps.store, async (tx) => {
          const service = await activeService(tx, scope, serviceRef, input.cluster);
          return stageCreateTaskSet(tx, deps, service, spec, { externalOnly: true });
        });
        return { taskSet: await shown(scope, write.service, write.taskSet.id, true) };
      },
    },

    DescribeTaskSets: {
      authorization: { resources: serviceNamed, conditions: inCluster },
      async handler(input, ctx): Promise<DescribeTaskSetsResponse> {
        const scope = scopeOf(ctx);
        const serviceRef = present(input.service, 'service');
        const refs = checkStrings(input.taskSets, 'taskSets', { min: 1 });
        const withTags = (input.include ?? []).includes('TAGS');
        const service = await transact(deps.store, async (tx) => {
          const target = serviceTarget(scope, serviceRef, input.cluster);
          const cluster = await activeCluster(tx, scope, target?.cluster ?? input.cluster);
          const found = target && (await tx.get<ServiceRecord>(serviceKeys.service(scope, cluster.name, target.name)));
          if (!found) throw EcsErrors.serviceNotFound();
          if (found.status !== 'ACTIVE') throw EcsErrors.serviceNotActive();
          if (!usesTaskSets(found)) throw invalid(taskSetMessages.notExternal);
          return found;
        });
        const all = toApiTaskSets(service, await tasksOf(deps, scope, service), withTags);
        if (refs === undefined) return { taskSets: all, failures: [] };
        const failures: Failure[] = [];
        const taskSets = [];
        for (const ref of refs) {
          const ts = all.find((t) => t.id === ref || t.taskSetArn === ref);
          if (ts) taskSets.push(ts);
          else failures.push({ arn: ref, reason: 'MISSING' });
        }
        return { taskSets, failures };
      },
    },

    UpdateTaskSet: {
      authorization: { resources: serviceNamed, conditions: inCluster },
      async handler(input, ctx): Promise<UpdateTaskSetResponse> {
        const scope = scopeOf(ctx);
        const serviceRef = present(input.service, 'service');
        const taskSetRef = present(input.taskSet, 'taskSet');
        const scale = readScale(input.scale, true);
        const write = await transact(deps.store, async (tx) => {
          const service = await activeService(tx, scope, serviceRef, input.cluster);
          return stageTaskSetScale(tx, deps, service, taskSetRef, scale, { externalOnly: true });
        });
        return { taskSet: await shown(scope, write.service, write.taskSet.id, true) };
      },
    },

    UpdateServicePrimaryTaskSet: {
      authorization: { resources: serviceNamed, conditions: inCluster },
      async handler(input, ctx): Promise<UpdateServicePrimaryTaskSetResponse> {
        const scope = scopeOf(ctx);
        const serviceRef = present(input.service, 'service');
        const taskSetRef = present(input.primaryTaskSet, 'primaryTaskSet');
        const write = await transact(deps.store, async (tx) => {
          const service = await activeService(tx, scope, serviceRef, input.cluster);
          return stagePrimaryTaskSet(tx, deps, service, taskSetRef, { externalOnly: true });
        });
        return { taskSet: await shown(scope, write.service, write.taskSet.id, true) };
      },
    },

    DeleteTaskSet: {
      authorization: { resources: serviceNamed, conditions: inCluster },
      async handler(input, ctx): Promise<DeleteTaskSetResponse> {
        const scope = scopeOf(ctx);
        const serviceRef = present(input.service, 'service');
        const taskSetRef = present(input.taskSet, 'taskSet');
        const write = await transact(deps.store, async (tx) => {
          const service = await activeService(tx, scope, serviceRef, input.cluster);
          return stageDeleteTaskSet(tx, deps, service, taskSetRef, input.force ?? false, { externalOnly: true });
        });
        return { taskSet: await shown(scope, write.service, write.taskSet.id, true) };
      },
    },
  };
}
