/**
 * What IAM needs to know of an ECS resource to evaluate `aws:ResourceTag/*`: the tags of the
 * cluster, task definition, service, task or container instance an ARN names, and its account.
 * The identity authority asks this for every ECS ARN it authorizes (see `IamAuthority`'s
 * `resourceInfo`), so the read is one key, never a scan — and for tasks, container instances
 * and services, the shared informers' copy (no store round trip per ARN: a DescribeTasks of
 * 100 tasks would otherwise read the store 100 times before its handler runs).
 */
import type { Tag } from '@aws-sdk/client-ecs';
import { getDoc, type Store } from '../state/index.ts';
import type { EcsInformers } from './informers.ts';
import { keys, parseArn, type ParsedArn, type Scope } from './records.ts';
import { serviceKeys } from './service-records.ts';

/** The store key of the record an ECS ARN names, for the resource types that carry tags. */
function keyOf(arn: ParsedArn): string | undefined {
  const scope: Scope = { account: arn.account, region: arn.region };
  const [first, second] = arn.resource;
  switch (arn.resourceType) {
    case 'cluster':
      return arn.resource.length === 1 ? keys.cluster(scope, first) : undefined;
    case 'task-definition': {
      const m = arn.resource.length === 1 ? /^([A-Za-z0-9_-]{1,255}):([1-9][0-9]{0,9})$/.exec(first) : null;
      return m ? keys.taskDefinition(scope, m[1], Number(m[2])) : undefined;
    }
    case 'service':
      return arn.resource.length === 2 ? serviceKeys.service(scope, first, second) : undefined;
    case 'task':
      return arn.resource.length === 2 ? keys.task(scope, first, second) : undefined;
    case 'container-instance':
      return arn.resource.length === 2 ? keys.instance(scope, first, second) : undefined;
    default:
      return undefined;
  }
}

/**
 * A resource-info provider for ECS ARNs: the resource's tags (`{ team: 'web' }`) and account,
 * or undefined for an ARN that is not ECS's, names no record (short task ARNs, resources not
 * created yet), or names nothing taggable.
 */
export function ecsResourceInfo(
  store: Store, informers?: EcsInformers,
): (arn: string) => Promise<{ tags: Record<string, string>; account: string } | undefined> {
  /** The record at `key`: from an informer holding its prefix once synced, else from the store. */
  const read = async (key: string): Promise<{ tags?: Tag[] } | undefined> => {
    const held = informers && [informers.tasks, informers.instances, informers.services].find((i) => i.hasSynced && key.startsWith(i.prefix));
    if (held) return held.get(key)?.value as { tags?: Tag[] } | undefined;
    return (await getDoc<{ tags?: Tag[] }>(store, key))?.value;
  };
  return async (text) => {
    const arn = parseArn(text);
    const key = arn && keyOf(arn);
    if (!arn || !key) return undefined;
    const record = await read(key);
    if (!record) return undefined;
    const tags: Record<string, string> = {};
    for (const t of record.tags ?? []) if (t.key !== undefined) tags[t.key] = t.value ?? '';
    return { tags, account: arn.account };
  };
}
