/** The ECS task operations: RunTask, StartTask, StopTask, DescribeTasks, ListTasks. */
import type { DescribeTasksResponse, ListTasksResponse, StopTaskResponse } from '@aws-sdk/client-ecs';
import { describeByReferences, paginate } from '../../aws/index.ts';
import { transact } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, clusterNameOf, instanceIdOf, keys, requireActive, stageStopTask, type ClusterRecord, type EcsDeps, type Scope,
} from '../../ecs/index.ts';
import { clusterCondition, inClusterArn } from './authorization.ts';
import { checkInt, checkItems, checkString, need, present, scopeOf, type EcsOperationTable } from './common.ts';
import { runTask, runTaskAuthorization, startTask, startTaskAuthorization } from './run-task.ts';
import { requireTask, taskKey, toApiTask } from './task-view.ts';

/** The ACTIVE cluster a request names (ClusterNotFoundException otherwise), with the informers caught up to its read. */
async function readActiveCluster(deps: EcsDeps, scope: Scope, ref: string | undefined): Promise<ClusterRecord> {
  return requireActive(await deps.informers.catchUpReading<ClusterRecord>(keys.cluster(scope, clusterNameOf(ref, scope))));
}

/** The task operations, bound to their dependencies. */
export function taskOperations(deps: EcsDeps): EcsOperationTable {
  return {
    RunTask: { authorization: runTaskAuthorization(deps), handler: (input, ctx) => runTask(deps, input, ctx) },
    StartTask: { authorization: startTaskAuthorization(deps), handler: (input, ctx) => startTask(deps, input, ctx) },

    StopTask: {
      authorization: {
        resources: (i, ctx) => [i.task ? inClusterArn(ctx, 'task', i.cluster, i.task) : '*'],
        conditions: (i, ctx) => clusterCondition(ctx, i.cluster, i.task),
      },
      async handler(input, ctx): Promise<StopTaskResponse> {
        const scope = scopeOf(ctx);
        const clusterRef = input.cluster;
        const taskRef = present(input.task, 'task');
        const reason = checkString(input.reason, 'reason', { max: 255 });
        const task = await transact(deps.store, async (tx) => {
          await activeCluster(tx, scope, clusterRef);
          const t = await requireTask(tx, scope, clusterRef, taskRef);
          return stageStopTask(tx, t, { stopCode: 'UserInitiated', reason: reason ?? 'Task stopped by user' }, deps.clock.now());
        });
        return { task: toApiTask(task, true) };
      },
    },

    DescribeTasks: {
      authorization: {
        resources: (i, ctx) => (i.tasks ?? []).map((ref) => inClusterArn(ctx, 'task', i.cluster, ref)),
        conditions: (i, ctx) => clusterCondition(ctx, i.cluster, i.tasks?.[0]),
      },
      async handler(input, ctx): Promise<DescribeTasksResponse> {
        const scope = scopeOf(ctx);
        const clusterRef = input.cluster;
        const refs = checkItems(need(input.tasks, 'tasks'), 'tasks', { nonEmpty: true, max: 100 })!;
        const withTags = (input.include ?? []).includes('TAGS');
        // The cluster from the store, the tasks from the shared informer once it holds every write
        // made before that read (this replica's own included): one store read, not one per task.
        await readActiveCluster(deps, scope, clusterRef);
        const { found, failures } = await describeByReferences(refs, async (ref) => {
          let key: string | undefined;
          try {
            key = taskKey(scope, clusterRef, ref);
          } catch {
            key = undefined; // a malformed reference is reported as MISSING, as ECS does
          }
          const task = key === undefined ? undefined : deps.informers.tasks.get(key)?.value;
          return { arn: task?.arn ?? ref, value: task && task.clusterName === clusterNameOf(clusterRef, scope) ? task : undefined };
        });
        return { tasks: found.map((t) => toApiTask(t, withTags)), failures };
      },
    },

    ListTasks: {
      authorization: {
        resources: (i, ctx) => [i.containerInstance ? inClusterArn(ctx, 'container-instance', i.cluster, i.containerInstance) : '*'],
        conditions: (i, ctx) => clusterCondition(ctx, i.cluster),
      },
      async handler(input, ctx): Promise<ListTasksResponse> {
        const scope = scopeOf(ctx);
        const { cluster: clusterRef, containerInstance: instanceRef, family, startedBy, serviceName, launchType } = input;
        const desiredStatus = input.desiredStatus ?? 'RUNNING';
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 100 });
        const cluster = await readActiveCluster(deps, scope, clusterRef);
        const instanceId = instanceRef === undefined ? undefined : instanceIdOf(instanceRef, cluster.name);
        if (instanceRef !== undefined && !instanceId) throw EcsErrors.invalidParameter(`Invalid containerInstance: ${instanceRef}.`);
        const matches = deps.informers.tasksOfCluster(scope, cluster.name)
          .map((d) => d.value)
          .filter((t) =>
            (desiredStatus === 'STOPPED' ? t.desiredStatus === 'STOPPED'
              : desiredStatus === 'PENDING' ? t.desiredStatus === 'RUNNING' && t.lastStatus !== 'RUNNING'
              : t.desiredStatus === 'RUNNING') &&
            (instanceId === undefined || t.containerInstanceId === instanceId) &&
            (family === undefined || t.spec.family === family) &&
            (startedBy === undefined || t.startedBy === startedBy) &&
            (serviceName === undefined || t.group === `service:${serviceName}`) &&
            (launchType === undefined || t.launchType === launchType));
        const page = paginate(matches, (t) => t.id, input.nextToken, maxResults, EcsErrors.invalidParameter);
        return { taskArns: page.items.map((t) => t.arn), nextToken: page.nextToken };
      },
    },
  };
}
