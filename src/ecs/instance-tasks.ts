/**
 * Which tasks are placed on each container instance and not yet STOPPED: an in-memory index
 * the agent link keeps so that an agent's complete task set costs a few point reads of its own
 * tasks, not a scan of every task in its cluster. The store stays the truth: the index is
 * built from it at start and fed by its watch, and it holds only task keys (the link reads
 * each task's current document when it sends it).
 *
 *   store.watch(ecs/tasks/) ──▶ update(key, instanceId, modRevision) ─┐
 *   listDocs(ecs/tasks/) once at start ──▶ (older than a watched change? skipped) ─┤
 *                                                                      ▼
 *                          instanceId ──▶ { task keys }     `revision`: every task change up
 *                                                            to it is reflected
 */
import type { Store, WatchEvent } from '../state/index.ts';
import type { TaskRecord } from './records.ts';

interface InstanceTasks {
  instanceId: string;
  tasks: Set<string>;
}

/** The non-STOPPED tasks of every container instance, by store key. */
export class InstanceTaskIndex {
  private readonly byInstance = new Map<string, InstanceTasks>();
  /** Each indexed task's entry (one string per instance, not one per task). */
  private readonly setOf = new Map<string, InstanceTasks>();
  /** While the initial listing runs: the revision of the latest watched change per key. */
  private watchedDuringBuild: Map<string, number> | undefined = new Map();
  private latestEvent = 0;
  private builtAt = 0;
  /** Resolves once the initial listing is in; reads before that wait for it. */
  readonly ready: Promise<void>;

  /**
   * `prefix` is where the task documents live; the owner must pass every watch event under it
   * to `onEvent` (from a watch registered before this constructor runs).
   */
  constructor(private readonly store: Store, private readonly prefix: string) {
    this.ready = this.build();
    this.ready.catch(() => undefined); // reported to whoever awaits it
  }

  /** Every task change with a revision up to this one is reflected in the index. */
  get revision(): number {
    return Math.max(this.latestEvent, this.builtAt);
  }

  /** Store keys of the tasks on `instanceId` that are not STOPPED. */
  tasksOn(instanceId: string): string[] {
    return [...(this.byInstance.get(instanceId)?.tasks ?? [])];
  }

  /** How many tasks are indexed (for figures). */
  get size(): number {
    return this.setOf.size;
  }

  /** Applies one watched change; `task` is the decoded document of a put (undefined for a delete). */
  onEvent(event: WatchEvent, task: TaskRecord | undefined): void {
    const revision = event.kv.modRevision;
    this.latestEvent = Math.max(this.latestEvent, revision);
    this.watchedDuringBuild?.set(event.kv.key, revision);
    this.set(event.kv.key, placedOn(task));
  }

  private async build(): Promise<void> {
    const startedAt = await this.store.revision();
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.store.range(this.prefix, { startAfter, limit: 1000 });
      for (const kv of page.kvs) {
        const watched = this.watchedDuringBuild?.get(kv.key);
        if (watched !== undefined && watched >= kv.modRevision) continue;
        this.set(kv.key, placedOn(JSON.parse(kv.value) as TaskRecord));
      }
      if (!page.more || page.kvs.length === 0) break;
      startAfter = page.kvs[page.kvs.length - 1].key;
    }
    this.watchedDuringBuild = undefined;
    this.builtAt = startedAt;
  }

  private set(key: string, instanceId: string | undefined): void {
    const before = this.setOf.get(key);
    const after = instanceId === undefined ? undefined : this.byInstance.get(instanceId);
    if (before !== undefined && before === after) return;
    if (before !== undefined) {
      before.tasks.delete(key);
      if (before.tasks.size === 0) this.byInstance.delete(before.instanceId);
      this.setOf.delete(key);
    }
    if (instanceId === undefined) return;
    let set = after;
    if (!set) {
      set = { instanceId, tasks: new Set() };
      this.byInstance.set(instanceId, set);
    }
    set.tasks.add(key);
    this.setOf.set(key, set);
  }
}

/** The instance a task occupies, or undefined when it is unplaced or STOPPED. */
function placedOn(task: TaskRecord | undefined): string | undefined {
  return task && task.lastStatus !== 'STOPPED' ? task.containerInstanceId : undefined;
}
