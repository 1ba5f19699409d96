/**
 * The rules an event is matched against, read once per change rather than once per event: every
 * write to a bus's rules also rewrites the bus's `rules-changed` key, so a transaction that reads
 * that key's revision (and is guarded on it) knows whether the rules it cached at that revision
 * are still the bus's rules. A rule written on any replica changes the revision, so the cache is
 * exact across replicas; a rule written while an event is being matched makes its transaction
 * retry on the new rules. Kept per store, bounded, patterns parsed once.
 */
import type { Store, Tx } from '../state/index.ts';
import { parsePattern, type Pattern } from './pattern.ts';
import { keys, type RuleRecord, type Scope } from './records.ts';

/** An ENABLED rule with an event pattern, its pattern parsed. */
export interface MatchingRule {
  rule: RuleRecord;
  pattern: Pattern;
}

interface Cached {
  revision: number;
  rules: readonly MatchingRule[];
}

/** The most buses whose rules one store's cache holds; past it the cache starts over. */
const MAX_BUSES = 10_000;

const caches = new WeakMap<Store, Map<string, Cached>>();

/** The bus's ENABLED pattern rules as of `tx`, which is guarded on their being current. */
export async function matchingRules(tx: Tx, scope: Scope, busName: string): Promise<readonly MatchingRule[]> {
  const revision = await tx.revisionOf(keys.rulesChanged(scope, busName));
  let cache = caches.get(tx.store);
  if (!cache) caches.set(tx.store, (cache = new Map()));
  const id = keys.rules(scope, busName);
  const hit = cache.get(id);
  if (hit && revision > 0 && hit.revision === revision) return hit.rules;
  const rules = (await tx.list<RuleRecord>(id))
    .filter((r) => r.state === 'ENABLED' && r.eventPattern !== undefined)
    .map((rule) => ({ rule, pattern: parsePattern(rule.eventPattern!) }));
  // A bus whose rules were never written since this key existed (0), or are written by this very transaction (-1), is not cached.
  if (revision > 0) {
    if (cache.size >= MAX_BUSES) cache.clear();
    cache.set(id, { revision, rules });
  }
  return rules;
}
