/**
 * The instances controller: converges each EC2 instance's host to the instance's state through
 * the hosts port, then records the state that follows. Level-triggered over an informer of the
 * instance records; a key is worked by one worker at a time; a host that fails to start is
 * tried again with backoff.
 *
 *   instance records (informer) ──key──▶ WorkQueue ──▶ re-read the record ──▶ host action ──▶ completeTransition
 *        ▲                                                    pending        start(spec)       → running
 *        └── resync every interval (hosts that died)          running        start if not up    (none)
 *                                                             stopping       stop(id, 'stop')  → stopped
 *                                                             shutting-down  stop(id, 'terminate') → terminated
 *                                                             terminated     forgotten an hour on
 *
 * Restart safety: every running instance whose host is not up in this process is started again
 * (the port re-adopts a host it finds), and a host whose instance is no longer recorded is
 * removed; without a hosts port, instances move through their states with no host at all.
 */
import type { Clock } from '../../common/index.ts';
import {
  TERMINATED_VISIBLE_MS, completeTransition, forgetInstance, hostSpec, instanceKeys, parseInstanceKey,
  type InstanceHostsPort, type InstanceRecord, type InstancesEnv,
} from '../../instances/index.ts';
import { decodeJson, getDoc, Informer } from '../../state/index.ts';
import { realTimers, type Timers } from '../timers.ts';
import { WorkQueue } from '../work-queue.ts';

export interface InstancesControllerOptions extends InstancesEnv {
  /** The hosts of instances; absent, instances reach running with no host. */
  hosts?: InstanceHostsPort;
  timers?: Timers;
  log?: (message: string) => void;
  /** How often every instance is looked at again even when nothing changed (a host that died). Default 30 s. */
  resyncMs?: number;
  /** First retry after a host failed to start or stop; doubles up to maxBackoffMs. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/** Runs EC2 instances' hosts. */
export class InstancesController {
  private readonly instances: Informer<InstanceRecord>;
  private readonly queue: WorkQueue;
  private off?: () => void;
  private cancel?: () => void;
  private closed = false;

  constructor(private readonly o: InstancesControllerOptions) {
    this.instances = new Informer<InstanceRecord>({ store: o.store, prefix: instanceKeys.allInstances, decode: decodeJson, onError: (e) => this.log(String(e)) });
    this.queue = new WorkQueue({
      work: (key) => this.work(key), log: (m) => this.log(m), baseBackoffMs: o.baseBackoffMs ?? 500, maxBackoffMs: o.maxBackoffMs ?? 30_000,
    });
  }

  /** Starts following instances: each is looked at at once (running ones re-adopted), and on every change. */
  async start(): Promise<void> {
    await this.instances.start();
    this.off = this.instances.subscribe((change) => this.queue.add(change.key));
    this.resync();
  }

  /** Stops; resolves once the keys in progress are done. */
  async close(): Promise<void> {
    this.closed = true;
    this.cancel?.();
    this.off?.();
    this.instances.close();
    await this.queue.close();
  }

  /** Resolves when no instance is being worked (timers aside): for tests. */
  async idle(): Promise<void> {
    await this.instances.flushed();
    await this.queue.idle();
  }

  private resync(): void {
    if (this.closed) return;
    const known = new Set<string>();
    for (const doc of this.instances.list()) {
      known.add(doc.value.instanceId);
      this.queue.add(doc.key);
    }
    // A host with no instance behind it (its record gone: a reset, a restore) is removed.
    for (const id of this.o.hosts?.running() ?? []) {
      if (!known.has(id)) this.o.hosts!.stop(id, 'terminate').catch((error: unknown) => this.log(`${id}: ${String(error)}`));
    }
    this.cancel = (this.o.timers ?? realTimers).after(this.o.resyncMs ?? 30_000, () => this.resync());
  }

  private log(message: string): void {
    this.o.log?.(`instances: ${message}`);
  }

  /** Converges one instance; returns when it wants to be looked at again. */
  private async work(key: string): Promise<number | undefined> {
    const at = parseInstanceKey(key);
    if (!at) return undefined;
    // The store, not the informer: the record as it is now.
    const doc = await getDoc<InstanceRecord>(this.o.store, key);
    if (!doc) return undefined;
    const { scope } = at;
    const instance = doc.value;
    const hosts = this.o.hosts;
    const up = () => hosts?.running().includes(instance.instanceId) ?? false;
    switch (instance.state) {
      case 'pending':
        await hosts?.start(hostSpec(scope, instance));
        break;
      case 'running':
        if (hosts && !up()) await hosts.start(hostSpec(scope, instance));
        return undefined;
      case 'stopping':
        await hosts?.stop(instance.instanceId, 'stop');
        break;
      case 'shutting-down':
        await hosts?.stop(instance.instanceId, 'terminate');
        break;
      case 'stopped':
        if (up()) await hosts!.stop(instance.instanceId, 'stop');
        return undefined;
      case 'terminated':
        if (up()) await hosts!.stop(instance.instanceId, 'terminate');
        return this.expire(scope, doc.value, doc.modRevision, this.o.clock);
    }
    // A record changed in between is looked at again through the informer's change.
    await completeTransition(this.o, scope, doc);
    return undefined;
  }

  /** Forgets a terminated instance once it is no longer shown; until then, looks again (at most a minute on, the clock being injected). */
  private async expire(scope: { account: string; region: string }, instance: InstanceRecord, modRevision: number, clock: Clock): Promise<number | undefined> {
    const now = clock.now();
    const left = (instance.terminatedAt ?? now) + TERMINATED_VISIBLE_MS - now;
    if (left > 0) return Math.min(left, 60_000);
    await forgetInstance(this.o.store, scope, { key: instanceKeys.instance(scope, instance.instanceId), value: instance, modRevision }, now);
    return undefined;
  }
}
