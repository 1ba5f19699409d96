/** The ECS task actions: RunTask, StartTask, StopTask, DescribeTasks, ListTasks. */
import type { DescribeTasksResponse, Failure, ListTasksResponse, StopTaskResponse } from '@aws-sdk/client-ecs';
import { paginate, type ActionHandler } from '../../aws/index.ts';
import { listDocs, transact } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, clusterNameOf, instanceIdOf, keys, stageStopTask, type EcsDeps, type TaskRecord,
} from '../../ecs/index.ts';
import { ecsFields, scopeOf } from './common.ts';
import { runTask, startTask } from './run-task.ts';
import { requireTask, taskKey, toApiTask } from './task-view.ts';

/** The task actions, bound to their dependencies. */
export function taskActions(deps: EcsDeps): Record<string, ActionHandler> {
  return {
    RunTask: (input, ctx) => runTask(deps, input, ctx),
    StartTask: (input, ctx) => startTask(deps, input, ctx),

    async StopTask(input, ctx): Promise<StopTaskResponse> {
      const scope = scopeOf(ctx);
      const f = ecsFields(input);
      const clusterRef = f.string('cluster');
      const taskRef = f.string('task', { required: true });
      const reason = f.string('reason', { max: 255 });
      const task = await transact(deps.store, async (tx) => {
        await activeCluster(tx, scope, clusterRef);
        const t = await requireTask(tx, scope, clusterRef, taskRef);
        return stageStopTask(tx, t, { stopCode: 'UserInitiated', reason: reason ?? 'Task stopped by user' }, deps.clock.now());
      });
      return { task: toApiTask(task, true) };
    },

    async DescribeTasks(input, ctx): Promise<DescribeTasksResponse> {
      const scope = scopeOf(ctx);
      const f = ecsFields(input);
      const clusterRef = f.string('cluster');
      const refs = f.strings('tasks', { required: true, maxItems: 100 })!;
      const withTags = (f.strings('include') ?? []).includes('TAGS');
      f.strings('include')?.forEach((v) => {
        if (v !== 'TAGS') throw EcsErrors.invalidParameter(`include must be one of: TAGS. Received: ${v}.`);
      });
      return transact(deps.store, async (tx) => {
        await activeCluster(tx, scope, clusterRef);
        const tasks: TaskRecord[] = [];
        const failures: Failure[] = [];
        for (const ref of refs) {
          let key: string | undefined;
          try {
            key = taskKey(scope, clusterRef, ref);
          } catch {
            key = undefined; // a malformed reference is reported as MISSING, as ECS does
          }
          const task = key === undefined ? undefined : await tx.get<TaskRecord>(key);
          if (task && task.clusterName === clusterNameOf(clusterRef, scope)) tasks.push(task);
          else failures.push({ arn: ref, reason: 'MISSING' });
        }
        return { tasks: tasks.map((t) => toApiTask(t, withTags)), failures };
      });
    },

    async ListTasks(input, ctx): Promise<ListTasksResponse> {
      const scope = scopeOf(ctx);
      const f = ecsFields(input);
      const clusterRef = f.string('cluster');
      const instanceRef = f.string('containerInstance');
      const family = f.string('family');
      const startedBy = f.string('startedBy');
      const serviceName = f.string('serviceName');
      const desiredStatus = f.enum('desiredStatus', ['RUNNING', 'PENDING', 'STOPPED'] as const) ?? 'RUNNING';
      const launchType = f.enum('launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
      const maxResults = f.int('maxResults', { min: 1, max: 100 });
      const nextToken = f.string('nextToken');
      const cluster = await transact(deps.store, (tx) => activeCluster(tx, scope, clusterRef));
      const instanceId = instanceRef === undefined ? undefined : instanceIdOf(instanceRef, cluster.name);
      if (instanceRef !== undefined && !instanceId) throw EcsErrors.invalidParameter(`Invalid containerInstance: ${instanceRef}.`);
      const docs = await listDocs<TaskRecord>(deps.store, keys.tasks(scope, cluster.name));
      const matches = docs
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
      const page = paginate(matches, (t) => t.id, nextToken, maxResults, EcsErrors.invalidParameter);
      return { taskArns: page.items.map((t) => t.arn), nextToken: page.nextToken };
    },
  };
}
