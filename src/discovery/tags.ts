/**
 * Tags on namespaces and services (TagResource, UntagResource, ListTagsForResource), by ARN.
 * A resource that is not there is ResourceNotFoundException, as Cloud Map's tag operations say.
 */
import { getDoc, transact, type Store, type Tx } from '../state/index.ts';
import { DiscoveryErrors } from './errors.ts';
import type { DiscoveryEnv } from './operations.ts';
import { keys, parseDiscoveryArn, type DiscoveryTag, type NamespaceRecord, type Scope, type ServiceRecord } from './records.ts';

/** Tags one resource may carry (Cloud Map's quota). */
export const MAX_TAGS = 50;

/** Refuses tags Cloud Map refuses: keys beginning with `aws:`, and more than 50 on `resource` (a name or ARN). */
export function checkTags(tags: readonly DiscoveryTag[], resource?: string): void {
  if (resource !== undefined && new Set(tags.map((t) => t.key)).size > MAX_TAGS) throw DiscoveryErrors.tooManyTags(resource, MAX_TAGS);
  const reserved = tags.find((t) => t.key.toLowerCase().startsWith('aws:'));
  if (reserved) throw DiscoveryErrors.invalidInput(`Tags: the key ${reserved.key} is reserved: keys beginning with aws: are for AWS use.`);
}

/** The record an ARN names and its key, read through `tx`. */
async function findTagged(tx: Tx, scope: Scope, arn: string): Promise<{ key: string; record: NamespaceRecord | ServiceRecord }> {
  const parsed = parseDiscoveryArn(arn);
  if (!parsed) throw DiscoveryErrors.invalidInput(`ResourceARN: ${arn} is not a Cloud Map namespace or service ARN.`);
  if (parsed.scope.account !== scope.account || parsed.scope.region !== scope.region) throw DiscoveryErrors.resourceNotFound(arn);
  const key = parsed.kind === 'namespace' ? keys.namespace(scope, parsed.id) : keys.service(scope, parsed.id);
  const record = await tx.get<NamespaceRecord | ServiceRecord>(key);
  if (!record) throw DiscoveryErrors.resourceNotFound(arn);
  return { key, record };
}

/** TagResource: a key already there takes the new value. */
export async function tagResource(env: DiscoveryEnv, scope: Scope, arn: string, tags: readonly DiscoveryTag[]): Promise<void> {
  checkTags(tags);
  await transact(env.store, async (tx) => {
    const { key, record } = await findTagged(tx, scope, arn);
    const byKey = new Map(record.tags.map((t) => [t.key, t]));
    for (const t of tags) byKey.set(t.key, t);
    if (byKey.size > MAX_TAGS) throw DiscoveryErrors.tooManyTags(arn, MAX_TAGS);
    tx.put(key, { ...record, tags: [...byKey.values()] });
  });
}

/** UntagResource: keys not there are ignored. */
export async function untagResource(env: DiscoveryEnv, scope: Scope, arn: string, tagKeys: readonly string[]): Promise<void> {
  await transact(env.store, async (tx) => {
    const { key, record } = await findTagged(tx, scope, arn);
    tx.put(key, { ...record, tags: record.tags.filter((t) => !tagKeys.includes(t.key)) });
  });
}

/** ListTagsForResource. */
export async function listTags(env: DiscoveryEnv, scope: Scope, arn: string): Promise<DiscoveryTag[]> {
  return transact(env.store, async (tx) => (await findTagged(tx, scope, arn)).record.tags);
}

/** What IAM reads of a namespace or service it authorizes on: its tags (aws:ResourceTag) and account. */
export interface DiscoveryResourceInfo {
  tags: Record<string, string>;
  account: string;
}

/** IAM's lookup of a Cloud Map ARN's tags; undefined for an ARN that is not Cloud Map's. */
export function discoveryResourceInfo(store: Store): (arn: string) => Promise<DiscoveryResourceInfo | undefined> {
  return async (arn) => {
    const parsed = parseDiscoveryArn(arn);
    if (!parsed) return undefined;
    const key = parsed.kind === 'namespace' ? keys.namespace(parsed.scope, parsed.id) : keys.service(parsed.scope, parsed.id);
    const record = (await getDoc<NamespaceRecord | ServiceRecord>(store, key))?.value;
    return { tags: Object.fromEntries((record?.tags ?? []).map((t) => [t.key, t.value])), account: parsed.scope.account };
  };
}
