/**
 * Tasks waiting in PROVISIONING for an instance of their Auto Scaling group capacity provider:
 * each is placed as soon as one of the provider's instances can take it (a new instance
 * registering, a task stopping), and one that waited `PROVISIONING_TIMEOUT_MS` is stopped.
 *
 *   tasks, instances (informers) ──change──▶ pass ──▶ per waiting task: placeWaitingTask (one transaction)
 *                                              └──▶ timer: again while any task waits
 */
import { KickedPasses } from '../passes.ts';
import { realTimers, type Timers } from '../timers.ts';
import { TASK_INDEX, isWaiting, keys, placeWaitingTask, stageStopTask, type EcsDeps, type TaskRecord } from '../../ecs/index.ts';
import { transact } from '../../state/index.ts';

/** How long a task may wait for capacity before it is stopped. */
export const PROVISIONING_TIMEOUT_MS = 30 * 60_000;

export interface ProvisioningControllerOptions {
  deps: EcsDeps;
  timers?: Timers;
  log?: (message: string) => void;
  /** How often waiting tasks are tried again when nothing changed. Default 5 s. */
  intervalMs?: number;
}

/** Places waiting tasks; runs on the leader. */
export class ProvisioningController {
  private readonly passes = new KickedPasses(() => this.pass(), (e) => this.o.log?.(`provisioning: ${String(e)}`));
  private cancel?: () => void;
  private readonly offs: (() => void)[] = [];

  constructor(private readonly o: ProvisioningControllerOptions) {}

  async start(): Promise<void> {
    const { informers } = this.o.deps;
    await informers.start();
    // A pass when a task starts waiting, and when an instance changes (registered, or room freed by a task that stopped).
    this.offs.push(informers.tasks.subscribe((change) => {
      if (change.type !== 'delete' && isWaiting(change.value) && (change.type === 'add' || !isWaiting(change.previous))) this.passes.kick();
    }), informers.instances.subscribe(() => this.passes.kick()));
    this.passes.kick();
  }

  async close(): Promise<void> {
    this.cancel?.();
    for (const off of this.offs) off();
    await this.passes.close();
  }

  /** One pass (after any in progress). */
  runOnce(): Promise<void> {
    return this.passes.run();
  }

  private async pass(): Promise<void> {
    const { deps } = this.o;
    const waiting = deps.informers.tasks.byIndex(TASK_INDEX.lastStatus, 'PROVISIONING').filter((d) => isWaiting(d.value));
    let still = 0;
    for (const { key, value: task } of waiting) {
      const at = scopeOfTaskKey(key);
      if (!at || this.passes.closed) continue;
      try {
        if (deps.clock.now() - task.createdAt >= PROVISIONING_TIMEOUT_MS) await this.expire(task);
        else if (!(await placeWaitingTask(deps, at, task.clusterName, task.id))) still++;
      } catch (error) {
        still++;
        this.o.log?.(`provisioning: task ${task.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    this.cancel?.();
    if (still && !this.passes.closed) this.cancel = (this.o.timers ?? realTimers).after(this.o.intervalMs ?? 5000, () => this.passes.kick());
  }

  private async expire(task: TaskRecord): Promise<void> {
    const { deps } = this.o;
    await transact(deps.store, async (tx) => {
      const current = await tx.get<TaskRecord>(taskKeyOf(task));
      if (current && isWaiting(current)) {
        await stageStopTask(tx, current, { stopCode: 'TaskFailedToStart', reason: `No instance of capacity provider ${current.capacityProviderName} could take the task within ${PROVISIONING_TIMEOUT_MS / 60_000} minutes.` }, deps.clock.now());
      }
    });
  }
}

/** The account and region of a task's key (`ecs/tasks/<account>/<region>/<cluster>/<id>`). */
function scopeOfTaskKey(key: string): { account: string; region: string } | undefined {
  const [, , account, region] = key.split('/');
  return account && region ? { account, region } : undefined;
}

/** A task's key, from its ARN's account and region. */
function taskKeyOf(task: TaskRecord): string {
  const [, , , region, account] = task.arn.split(':');
  return keys.task({ account: account!, region: region! }, task.clusterName, task.id);
}
