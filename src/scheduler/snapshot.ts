import type { QuerySubject } from './query/index.ts';
import { SubjectView } from './query-subject.ts';
import type { Scratch } from './scratch.ts';
import type { InstanceSnapshot, PlaceRequest } from './types.ts';

/**
 * The working snapshot of one placement: what each instance has left and how many tasks of
 * the request's group it runs, updated as each task of the request is placed, so a count of
 * ten spreads and packs as ten single placements would. Flat typed arrays indexed like the
 * snapshot, filled once per request; strategies read them directly as their keys.
 */
export class PlacementSnapshot {
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
  private readonly view = new SubjectView();

  constructor(
    readonly instances: readonly InstanceSnapshot[],
    readonly request: PlaceRequest,
    readonly scratch?: Scratch,
  ) {
    const n = (this.size = instances.length);
    this.cpu = scratch ? scratch.float64(n) : new Float64Array(n);
    this.memory = scratch ? scratch.float64(n) : new Float64Array(n);
    this.gpus = scratch ? scratch.float64(n) : new Float64Array(n);
    this.enis = scratch ? scratch.float64(n) : new Float64Array(n);
    this.groupCount = scratch ? scratch.float64(n).fill(0) : new Float64Array(n);
    this.placed = scratch ? scratch.int32(n).fill(0) : new Int32Array(n);
    const group = request.group;
    for (let i = 0; i < n; i++) {
      const s = instances[i];
      const r = s.remaining;
      this.cpu[i] = r.cpu;
      this.memory[i] = r.memory;
      this.gpus[i] = r.gpus === undefined ? 0 : r.gpus.length;
      this.enis[i] = r.enis === undefined ? Infinity : r.enis;
      const groups = s.taskGroups;
      if (groups !== undefined && groups.size > 0) this.groupCount[i] = groups.get(group) ?? 0;
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
      const values = new Array<string | undefined>(this.size);
      for (let i = 0; i < this.size; i++) {
        const list = this.instances[i].attributes;
        let value: string | undefined;
        for (let k = 0; k < list.length; k++) {
          if (list[k].name === name) {
            value = list[k].value;
            break;
          }
        }
        values[i] = value;
      }
      this.columns.set(name, (column = values));
    }
    return column;
  }

  /**
   * Instance `i` as the cluster query language sees it, with the tasks placed so far. The
   * subject is a view re-pointed on every call: use it before asking for another.
   */
  subject(i: number): QuerySubject {
    return this.view.at(this.instances[i], this.placed[i] > 0 ? this.request.group : undefined);
  }
}
