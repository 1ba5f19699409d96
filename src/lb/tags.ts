/**
 * Tags on every ELBv2 resource (load balancers, target groups, listeners, rules), kept on the
 * resource's own record: AddTags, RemoveTags and DescribeTags over ARNs of any of the kinds.
 */
import { transact, type Store, type Tx } from '../state/index.ts';
import { MAX_TAGS } from './catalog.ts';
import { LbErrors } from './errors.ts';
import { keys, parseLbArn, type LbTag, type Scope } from './records.ts';

/** The record key of the resource an ARN names in `scope`, or the kind's not-found error. */
export function recordKeyOf(scope: Scope, arn: string): string {
  const p = parseLbArn(arn);
  if (!p || p.scope.account !== scope.account || p.scope.region !== scope.region) throw LbErrors.loadBalancerNotFound();
  switch (p.kind) {
    case 'loadbalancer': return keys.loadBalancer(scope, p.id);
    case 'targetgroup': return keys.targetGroup(scope, p.id);
    case 'listener': return keys.listener(scope, p.loadBalancerId, p.id);
    default: return keys.rule(scope, p.listenerId, p.id);
  }
}

/** The not-found error of the kind an ARN names. */
export function notFoundFor(arn: string) {
  switch (parseLbArn(arn)?.kind) {
    case 'targetgroup': return LbErrors.targetGroupNotFound();
    case 'listener': return LbErrors.listenerNotFound();
    case 'listener-rule': return LbErrors.ruleNotFound();
    default: return LbErrors.loadBalancerNotFound();
  }
}

/** Checks a request's tags: no key twice, keys not `aws:`. */
export function checkTags(tags: readonly LbTag[]): void {
  const seen = new Set<string>();
  for (const t of tags) {
    if (seen.has(t.key)) throw LbErrors.duplicateTagKeys(t.key);
    seen.add(t.key);
    if (t.key.toLowerCase().startsWith('aws:')) throw LbErrors.validation(`Tag key '${t.key}' cannot begin with 'aws:'`);
  }
  if (tags.length > MAX_TAGS) throw LbErrors.tooManyTags();
}

/** `current` with `added` put over it (a key given again takes the new value), within the limit. */
export function mergeTags(current: readonly LbTag[], added: readonly LbTag[]): LbTag[] {
  const merged = new Map(current.map((t) => [t.key, t.value]));
  for (const t of added) merged.set(t.key, t.value);
  if (merged.size > MAX_TAGS) throw LbErrors.tooManyTags();
  return [...merged].map(([key, value]) => ({ key, value }));
}

async function change(tx: Tx, scope: Scope, arn: string, fn: (tags: LbTag[]) => LbTag[]): Promise<void> {
  const key = recordKeyOf(scope, arn);
  const record = await tx.get<{ arn: string; tags: LbTag[] }>(key);
  if (!record || record.arn !== arn) throw notFoundFor(arn);
  tx.put(key, { ...record, tags: fn(record.tags) });
}

/** AddTags: every resource found, or none changed. */
export async function addTags(store: Store, scope: Scope, arns: string[], tags: LbTag[]): Promise<void> {
  checkTags(tags);
  await transact(store, async (tx) => {
    for (const arn of arns) await change(tx, scope, arn, (current) => mergeTags(current, tags));
  });
}

/** RemoveTags. */
export async function removeTags(store: Store, scope: Scope, arns: string[], tagKeys: string[]): Promise<void> {
  await transact(store, async (tx) => {
    for (const arn of arns) await change(tx, scope, arn, (current) => current.filter((t) => !tagKeys.includes(t.key)));
  });
}

/** DescribeTags: each resource's tags, in the order asked. */
export async function describeTags(store: Store, scope: Scope, arns: string[]): Promise<{ arn: string; tags: LbTag[] }[]> {
  const tx = { get: async <T>(key: string) => { const kv = await store.get(key); return kv ? (JSON.parse(kv.value) as T) : undefined; } };
  const out: { arn: string; tags: LbTag[] }[] = [];
  for (const arn of arns) {
    const record = await tx.get<{ arn: string; tags: LbTag[] }>(recordKeyOf(scope, arn));
    if (!record || record.arn !== arn) throw notFoundFor(arn);
    out.push({ arn, tags: record.tags });
  }
  return out;
}
