import type { Scorer, StrategyPlugin } from '../plugin.ts';
import type { PlacementSnapshot } from '../snapshot.ts';

const ATTRIBUTE = 'attribute:';

/**
 * `spread` on `instanceId` (or `host`, the same) or `attribute:<name>`: the instance, or the
 * attribute value, with the fewest tasks of the request's group first. An attribute's count
 * is over every instance with that value (instances without the attribute share one bucket),
 * and the values compete only through instances that can take the task.
 */
export const spread: StrategyPlugin = {
  validate(s, path) {
    const f = s.field;
    if (f === undefined || f === '') return `${path}.field is required for a spread strategy: instanceId, host or attribute:<name>.`;
    if (f === 'instanceId' || f === 'host') return undefined;
    if (f.startsWith(ATTRIBUTE) && f.length > ATTRIBUTE.length) return undefined;
    return `${path}.field must be instanceId, host or attribute:<name> for a spread strategy. Received: ${f}.`;
  },
  scorer(s, snapshot, identity) {
    const field = s.field!;
    if (field === 'instanceId' || field === 'host') return { keys: snapshot.groupCount, index: identity };
    return byAttribute(snapshot, field.slice(ATTRIBUTE.length));
  },
};

/** One bucket per attribute value, keyed by the group's task count over the bucket's instances. */
function byAttribute(snapshot: PlacementSnapshot, name: string): Scorer {
  const values = snapshot.attribute(name);
  const buckets = new Map<string | undefined, number>();
  const index = snapshot.scratch ? snapshot.scratch.int32(snapshot.size) : new Int32Array(snapshot.size);
  for (let i = 0; i < snapshot.size; i++) {
    let b = buckets.get(values[i]);
    if (b === undefined) buckets.set(values[i], (b = buckets.size));
    index[i] = b;
  }
  const keys = new Float64Array(buckets.size);
  for (let i = 0; i < snapshot.size; i++) keys[index[i]] += snapshot.groupCount[i];
  return {
    keys,
    index,
    shared: true,
    placed(i) {
      keys[index[i]] += 1;
    },
  };
}
