/**
 * Task retention's pure core: which STOPPED tasks have been visible long enough to go. ECS
 * shows a stopped task for at least an hour and then forgets it; Wharf does the same, so
 * DescribeTasks, ListTasks and every read of a cluster's tasks stay bounded by what ran lately.
 *
 * A STOPPED task expires `retentionMs` after it stopped (`stoppedAt`; else `executionStoppedAt`;
 * else when it was last seen to change). Nothing else is keyed to a STOPPED task: its instance
 * got its resources and task-group count back when it stopped, a deployment's running and
 * pending counts are read from live tasks, and its history record keeps its own fields.
 *
 * The service reconciler is the one reader of STOPPED tasks, for its PRIMARY deployment only,
 * so those stay past their hour while it still reads them:
 *  - the circuit breaker counts the deployment's failures while its rollout is IN_PROGRESS and
 *    not yet past its healthy-task check: all its STOPPED tasks stay until then (at most
 *    KEEP_WHILE_COUNTING_MAX, twice the largest threshold);
 *  - the throttle walks the deployment's tasks newest first until one that started: the
 *    STOPPED tasks on that walk stay, up to THROTTLE_SATURATION failures (beyond which it
 *    waits no longer) and at most KEEP_FOR_THROTTLE_MAX tasks.
 * Once the deployment is no longer PRIMARY (or its rollout ended, or a newer task started)
 * they expire like any other.
 */
import { serviceIndexOf, type ServiceRecord, type TaskRecord } from '../../ecs/index.ts';
import type { Doc } from '../../state/index.ts';
import { THROTTLE_SATURATION } from '../service/reconcile.ts';

/** ECS keeps a stopped task visible for about an hour. */
export const DEFAULT_TASK_RETENTION_MS = 60 * 60_000;

/** The most STOPPED tasks of one PRIMARY deployment kept past their time for the throttle. */
export const KEEP_FOR_THROTTLE_MAX = 100;

/** The most STOPPED tasks of one PRIMARY deployment kept while its circuit breaker counts (twice its largest threshold). */
export const KEEP_WHILE_COUNTING_MAX = 400;

/** What one retention decision looks at. */
export interface RetentionInput {
  /** Every STOPPED task (as the tasks informer holds them). */
  stopped: readonly Doc<TaskRecord>[];
  /** The service a service-index value (`account/region/cluster/name`) names, if it is stored. */
  serviceOf: (service: string) => ServiceRecord | undefined;
  /** Every task (STOPPED or not) of the service a service-index value names. */
  serviceTasks: (service: string) => readonly Doc<TaskRecord>[];
  now: number;
  retentionMs: number;
  /** When a task without stoppedAt or executionStoppedAt was last seen to change. */
  lastChangedAt: (doc: Doc<TaskRecord>) => number;
}

/** When a STOPPED task stopped, as far as its record (or, failing that, its last change) says. */
export function stoppedTime(doc: Doc<TaskRecord>, lastChangedAt: (doc: Doc<TaskRecord>) => number): number {
  return doc.value.stoppedAt ?? doc.value.executionStoppedAt ?? lastChangedAt(doc);
}

/** The STOPPED tasks to delete now, oldest first. */
export function expiredTasks(input: RetentionInput): Doc<TaskRecord>[] {
  const { now, retentionMs } = input;
  const expired: { doc: Doc<TaskRecord>; at: number }[] = [];
  const primaries = new Map<string, PrimaryDeployment>();
  for (const doc of input.stopped) {
    if (doc.value.lastStatus !== 'STOPPED') continue;
    const at = stoppedTime(doc, input.lastChangedAt);
    if (now - at <= retentionMs) continue;
    expired.push({ doc, at });
    const primary = primaryOf(doc, input);
    if (primary) primaries.set(primary.key, primary);
  }
  if (expired.length === 0) return [];
  const kept = new Set<string>();
  for (const primary of primaries.values()) keepFor(primary, input, kept);
  return expired.filter((e) => !kept.has(e.doc.key)).sort((a, b) => a.at - b.at || compare(a.doc.key, b.doc.key)).map((e) => e.doc);
}

/** A service's PRIMARY deployment, as retention needs it. */
interface PrimaryDeployment {
  /** `service|deployment id`. */
  key: string;
  service: string;
  id: string;
  /** Whether the circuit breaker still counts its failures. */
  counting: boolean;
}

/** The PRIMARY deployment of the task's service, when the task is one of its. */
function primaryOf(doc: Doc<TaskRecord>, input: RetentionInput): PrimaryDeployment | undefined {
  const service = serviceIndexOf(doc.value, doc.key);
  if (service === undefined) return undefined;
  const d = input.serviceOf(service)?.deployments[0];
  if (d?.status !== 'PRIMARY' || d.id !== doc.value.startedBy) return undefined;
  return { key: `${service}|${d.id}`, service, id: d.id, counting: d.rolloutState === 'IN_PROGRESS' && !d.circuitBreakerComplete };
}

/** Adds to `kept` the STOPPED tasks of `primary` that the circuit breaker or the throttle still reads. */
function keepFor(primary: PrimaryDeployment, input: RetentionInput, kept: Set<string>): void {
  const tasks = input.serviceTasks(primary.service).filter((d) => d.value.startedBy === primary.id);
  tasks.sort((a, b) => b.value.createdAt - a.value.createdAt);
  if (primary.counting) {
    let held = 0;
    for (const doc of tasks) if (doc.value.lastStatus === 'STOPPED' && held++ < KEEP_WHILE_COUNTING_MAX) kept.add(doc.key);
  }
  // The throttle's walk (reconcile.ts, throttleOf).
  let failures = 0;
  let held = 0;
  for (const doc of tasks) {
    const t = doc.value;
    if (t.lastStatus !== 'STOPPED') {
      if (t.startedAt !== undefined) break;
      continue;
    }
    if (held++ >= KEEP_FOR_THROTTLE_MAX) break;
    kept.add(doc.key);
    if (t.startedAt !== undefined) break;
    if (t.stopCode !== 'UserInitiated' && t.stopCode !== 'ServiceSchedulerInitiated' && ++failures >= THROTTLE_SATURATION) break;
  }
}

const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
