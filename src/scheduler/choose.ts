/**
 * Choosing the instance for each task of a request: the candidates with the best strategy
 * keys (compared in order, lower first), one of them uniformly at random. One pass over the
 * candidates finds the ties; when every scorer's keys change only for the instance a task
 * lands on (binpack, spread on instanceId), the ties stay the best until they run out, so
 * later tasks of the request need no pass at all.
 */
import type { Scorer } from './plugin.ts';
import type { Scratch } from './scratch.ts';
import type { Rng } from './types.ts';

export class Chooser {
  private readonly depth: number;
  private readonly keys: Float64Array[];
  private readonly index: Int32Array[];
  private readonly best: Float64Array;
  private readonly local: boolean;
  private readonly ties: Int32Array;
  /** Where each instance is in `ties`, while `tieGen` matches `gen`. */
  private readonly tieAt: Int32Array;
  private readonly tieGen: Int32Array;
  private gen = 0;
  private tied = 0;
  /** Whether `ties` holds exactly the candidates with the best keys. */
  private valid = false;

  constructor(
    scorers: readonly Scorer[],
    private readonly candidates: Int32Array,
    private readonly rng: Rng,
    scratch: Scratch,
  ) {
    const n = candidates.length;
    this.depth = scorers.length;
    this.keys = scorers.map((s) => s.keys);
    this.index = scorers.map((s) => s.index);
    this.best = new Float64Array(this.depth);
    this.local = scorers.every((s) => !s.shared);
    this.ties = scratch.int32(n);
    this.tieAt = scratch.int32(n);
    this.tieGen = scratch.int32(n).fill(0);
  }

  /** The instance for the next task, among the first `count` candidates. */
  choose(count: number): number {
    if (this.depth === 0) return this.candidates[this.pick(count)];
    if (!this.valid) {
      this.tied = this.depth === 1 ? this.scan1(count) : this.depth === 2 ? this.scan2(count) : this.scan(count);
      this.valid = true;
      const gen = ++this.gen;
      for (let k = 0; k < this.tied; k++) {
        this.tieAt[this.ties[k]] = k;
        this.tieGen[this.ties[k]] = gen;
      }
    }
    return this.tied === 1 ? this.ties[0] : this.ties[this.pick(this.tied)];
  }

  /** After a task was placed on `i` (the last choice): `stays` says whether `i` can take another. */
  placed(i: number, stays: boolean): void {
    if (!this.valid) return;
    if (!this.local) {
      this.valid = false;
      return;
    }
    if (stays) {
      const cmp = this.compare(i);
      if (cmp === 0) return;
      if (cmp < 0) {
        for (let s = 0; s < this.depth; s++) this.best[s] = this.keys[s][this.index[s][i]];
        this.ties[0] = i;
        this.tied = 1;
        this.tieAt[i] = 0;
        this.tieGen[i] = ++this.gen;
        return;
      }
    }
    if (this.tieGen[i] === this.gen) {
      const at = this.tieAt[i];
      const last = this.ties[--this.tied];
      this.ties[at] = last;
      this.tieAt[last] = at;
      this.tieGen[i] = 0;
    }
    if (this.tied === 0) this.valid = false;
  }

  private pick(n: number): number {
    return Math.min(n - 1, Math.floor(this.rng() * n));
  }

  /** Instance `i`'s keys against the best: negative if better. */
  private compare(i: number): number {
    for (let s = 0; s < this.depth; s++) {
      const d = this.keys[s][this.index[s][i]] - this.best[s];
      if (d !== 0) return d;
    }
    return 0;
  }

  private scan1(count: number): number {
    const { candidates, ties } = this;
    const keys = this.keys[0];
    const index = this.index[0];
    let tied = 0;
    let best = Infinity;
    for (let c = 0; c < count; c++) {
      const i = candidates[c];
      const key = keys[index[i]];
      if (key < best || tied === 0) {
        best = key;
        ties[0] = i;
        tied = 1;
      } else if (key === best) ties[tied++] = i;
    }
    this.best[0] = best;
    return tied;
  }

  private scan2(count: number): number {
    const { candidates, ties } = this;
    const [keys0, keys1] = this.keys;
    const [index0, index1] = this.index;
    let tied = 0;
    let best0 = Infinity;
    let best1 = Infinity;
    for (let c = 0; c < count; c++) {
      const i = candidates[c];
      const key0 = keys0[index0[i]];
      if (key0 > best0 && tied > 0) continue;
      const key1 = keys1[index1[i]];
      if (key0 < best0 || key1 < best1 || tied === 0) {
        best0 = key0;
        best1 = key1;
        ties[0] = i;
        tied = 1;
      } else if (key1 === best1) ties[tied++] = i;
    }
    this.best[0] = best0;
    this.best[1] = best1;
    return tied;
  }

  private scan(count: number): number {
    const { candidates, ties, keys, index, best, depth } = this;
    let tied = 0;
    for (let c = 0; c < count; c++) {
      const i = candidates[c];
      let s = 0;
      if (tied > 0) {
        let key = 0;
        for (; s < depth; s++) {
          key = keys[s][index[s][i]];
          if (key !== best[s]) break;
        }
        if (s === depth) {
          ties[tied++] = i;
          continue;
        }
        if (key > best[s]) continue;
      }
      for (; s < depth; s++) best[s] = keys[s][index[s][i]];
      ties[0] = i;
      tied = 1;
    }
    return tied;
  }
}
