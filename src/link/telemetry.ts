/**
 * An agent's telemetry turned into `AWS/ECS` datapoints: the samples of containers of tasks on the
 * link's own instances (others are ignored), summed per task, with those instances' reservations,
 * grouped by the account and region they belong to. Nothing of it is stored but as metrics.
 */
import type { ContainerSample } from '../common/index.ts';
import { utilizationDatapoints, type EcsDatapoint, type EcsInformers, type Scope, type TaskUse } from '../ecs/index.ts';
import { scopeOfArn } from './registration.ts';

/** Where the datapoints go (CloudWatch's `AWS/ECS` namespace of `scope`). */
export type TelemetrySink = (scope: Scope, datapoints: EcsDatapoint[]) => void;

/** The datapoints of one telemetry message from a link holding `instanceKeys` (instance id → store key), by scope. */
export function telemetryDatapoints(
  informers: EcsInformers, instanceKeys: ReadonlyMap<string, string>, samples: readonly ContainerSample[], now: number,
): { scope: Scope; datapoints: EcsDatapoint[] }[] {
  // The link's own tasks, by ARN, once per message.
  const tasks = new Map([...instanceKeys.keys()].flatMap((id) => informers.tasksOn(id).map((d) => [d.value.arn, d.value] as const)));
  const uses = new Map<string, TaskUse>();
  for (const s of samples) {
    let use = uses.get(s.taskArn);
    if (!use) {
      const task = tasks.get(s.taskArn);
      if (!task) continue;
      uses.set(s.taskArn, (use = { task, cpuUnits: 0, memoryMiB: 0 }));
    }
    use.cpuUnits += s.cpuUnits;
    use.memoryMiB += s.memoryMiB;
  }
  const byScope = new Map<string, { scope: Scope; uses: TaskUse[]; instances: NonNullable<ReturnType<typeof informers.instances.get>>['value'][] }>();
  const entry = (scope: Scope) => {
    const key = `${scope.account}/${scope.region}`;
    let e = byScope.get(key);
    if (!e) byScope.set(key, (e = { scope, uses: [], instances: [] }));
    return e;
  };
  for (const key of instanceKeys.values()) {
    const instance = informers.instances.get(key)?.value;
    const scope = instance && scopeOfArn(instance.arn);
    if (instance && scope) entry(scope).instances.push(instance);
  }
  for (const use of uses.values()) {
    const scope = scopeOfArn(use.task.arn);
    if (scope) entry(scope).uses.push(use);
  }
  return [...byScope.values()].map((e) => ({ scope: e.scope, datapoints: utilizationDatapoints(e.uses, e.instances, now) }));
}
