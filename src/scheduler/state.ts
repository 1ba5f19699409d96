import type { QuerySubject } from './query/index.ts';
import type { InstanceSnapshot, PlaceRequest } from './types.ts';

/**
 * The working snapshot of one placement: what each instance has left and how many tasks of
 * the request's group it runs, updated as each task of the request is placed, so a count of
 * ten spreads and packs as ten single placements would. Flat typed arrays indexed like the
 * snapshot, filled once per request; strategies read them directly as their keys.
 */
export class PlacementState {
  readonly size: number;
  /** Remaining CPU units. */
  readonly cpu: Float64Array;
  /** Remaining memory MiB. */
  readonly memory: Float64Array;
  /** Free GPUs. */
  readonly gpus: Float64Array;
  /** Free ENI attachment points; Infinity where the instance reports no limit. */
  readonly enis: Float64Array;
  /** Tasks of the request's group on each instance: the snapshot's plus those placed so far. */
  readonly groupCount: Float64Array;
  /** Tasks this request has placed on each instance. */
  readonly placed: Int32Array;
  private readonly columns = new Map<string, readonly (string | undefined)[]>();
  private readonly attributeMaps: (ReadonlyMap<string, string | undefined> | undefined)[] = [];

  constructor(
    readonly instances: readonly InstanceSnapshot[],
    readonly request: PlaceRequest,
  ) {
    const n = (this.size = instances.length);
    this.cpu = new Float64Array(n);
    this.memory = new Float64Array(n);
    this.gpus = new Float64Array(n);
    this.enis = new Float64Array(n);
    this.groupCount = new Float64Array(n);
    this.placed = new Int32Array(n);
    const group = request.group;
    for (let i = 0; i < n; i++) {
      const s = instances[i];
      const r = s.remaining;
      this.cpu[i] = r.cpu;
      this.memory[i] = r.memory;
      this.gpus[i] = r.gpus ? r.gpus.length : 0;
      this.enis[i] = r.enis ?? Infinity;
      this.groupCount[i] = s.taskGroups?.get(group) ?? 0;
    }
  }

  /** Charges one task of the request to instance `i`. */
  charge(i: number): void {
    const d = this.request.demand;
    this.cpu[i] -= d.cpu;
    this.memory[i] -= d.memory;
    this.gpus[i] -= d.gpus ?? 0;
    this.enis[i] -= d.enis ?? 0;
    this.groupCount[i] += 1;
    this.placed[i] += 1;
  }

  /** The value of attribute `name` on every instance (undefined where absent or valueless). */
  attribute(name: string): readonly (string | undefined)[] {
    let column = this.columns.get(name);
    if (!column) {
      column = this.instances.map((s) => s.attributes.find((a) => a.name === name)?.value);
      this.columns.set(name, column);
    }
    return column;
  }

  /** Instance `i` as the cluster query language sees it, with the tasks placed so far. */
  subject(i: number): QuerySubject {
    const s = this.instances[i];
    let attributes = this.attributeMaps[i];
    if (!attributes) attributes = this.attributeMaps[i] = new Map(s.attributes.map((a) => [a.name, a.value]));
    const taskGroups = new Set<string>();
    for (const [group, count] of s.taskGroups ?? []) if (count > 0) taskGroups.add(group);
    if (this.placed[i] > 0) taskGroups.add(this.request.group);
    return {
      attributes,
      ec2InstanceId: s.ec2InstanceId ?? '',
      taskGroups,
      agentConnected: s.agentConnected,
      agentVersion: s.agentVersion,
      registeredAt: s.registeredAt,
      runningTasksCount: s.runningTasksCount,
    };
  }
}
