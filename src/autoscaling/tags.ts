/**
 * A group's tags through the tag operations: CreateOrUpdateTags, DeleteTags, DescribeTags (with
 * AWS's filters auto-scaling-group, key, value and propagate-at-launch). A tag's ResourceId is
 * the group's name.
 */
import { transact } from '../state/index.ts';
import type { AutoScalingEnv } from './env.ts';
import { AutoScalingErrors } from './errors.ts';
import { describeGroups, MAX_TAGS } from './groups.ts';
import { autoscalingKeys, type AsgTag, type GroupRecord, type Scope } from './records.ts';

/** A tag as the tag operations name it. */
export interface TagInput {
  resourceId?: string;
  resourceType?: string;
  key: string;
  value?: string;
  propagateAtLaunch?: boolean;
}

/** A tag with its group, as DescribeTags lists it. */
export interface TagView extends AsgTag {
  groupName: string;
}

const notFound = (name: string) => AutoScalingErrors.validation(`AutoScalingGroup not found - AutoScaling Group ${name} not found`);

function byGroup(tags: readonly TagInput[]): Map<string, TagInput[]> {
  const out = new Map<string, TagInput[]>();
  for (const t of tags) {
    if (!t.resourceId) throw AutoScalingErrors.validation('ResourceId: a tag must name its Auto Scaling group.');
    if (t.resourceType !== undefined && t.resourceType !== 'auto-scaling-group') throw AutoScalingErrors.validation(`Invalid resource type: ${t.resourceType}`);
    out.set(t.resourceId, [...(out.get(t.resourceId) ?? []), t]);
  }
  return out;
}

/** CreateOrUpdateTags: a key already there takes the new value and PropagateAtLaunch. */
export async function createOrUpdateTags(env: Pick<AutoScalingEnv, 'store'>, scope: Scope, tags: readonly TagInput[]): Promise<void> {
  await transact(env.store, async (tx) => {
    for (const [name, list] of byGroup(tags)) {
      const key = autoscalingKeys.group(scope, name);
      const g = await tx.get<GroupRecord>(key);
      if (!g) throw notFound(name);
      const merged = new Map(g.tags.map((t) => [t.key, t]));
      for (const t of list) merged.set(t.key, { key: t.key, value: t.value ?? '', propagateAtLaunch: t.propagateAtLaunch ?? false });
      if (merged.size > MAX_TAGS) throw AutoScalingErrors.limitExceeded(`The number of tags exceeds the limit of ${MAX_TAGS}.`);
      tx.put(key, { ...g, tags: [...merged.values()] } satisfies GroupRecord);
    }
  });
}

/** DeleteTags: keys not there are ignored (a Value given must match). */
export async function deleteTags(env: Pick<AutoScalingEnv, 'store'>, scope: Scope, tags: readonly TagInput[]): Promise<void> {
  await transact(env.store, async (tx) => {
    for (const [name, list] of byGroup(tags)) {
      const key = autoscalingKeys.group(scope, name);
      const g = await tx.get<GroupRecord>(key);
      if (!g) throw notFound(name);
      const gone = (t: AsgTag) => list.some((x) => x.key === t.key && (x.value === undefined || x.value === t.value));
      tx.put(key, { ...g, tags: g.tags.filter((t) => !gone(t)) } satisfies GroupRecord);
    }
  });
}

/** A DescribeTags filter: its name and the values any of which a tag must match. */
export interface TagFilter {
  name: string;
  values: string[];
}

/** DescribeTags: every tag of the scope's groups that passes every filter, by group then key. */
export async function describeTags(env: Pick<AutoScalingEnv, 'store'>, scope: Scope, filters: readonly TagFilter[]): Promise<TagView[]> {
  for (const f of filters) {
    if (!['auto-scaling-group', 'key', 'value', 'propagate-at-launch'].includes(f.name)) throw AutoScalingErrors.validation(`Filter type ${f.name} is not correct. Allowed Filter types are: auto-scaling-group key value propagate-at-launch`);
  }
  const field = (t: TagView, name: string) => (name === 'auto-scaling-group' ? t.groupName : name === 'key' ? t.key : name === 'value' ? t.value : String(t.propagateAtLaunch));
  const all = (await describeGroups(env, scope)).flatMap((g) => g.tags.map((t) => ({ ...t, groupName: g.name })).sort((a, b) => (a.key < b.key ? -1 : 1)));
  return all.filter((t) => filters.every((f) => f.values.includes(field(t, f.name))));
}

/** Whether a group passes DescribeAutoScalingGroups' filters (`tag-key`, `tag-value`, `tag:<key>`). */
export function groupMatches(g: GroupRecord, filters: readonly TagFilter[]): boolean {
  return filters.every((f) => {
    if (f.name === 'tag-key') return g.tags.some((t) => f.values.includes(t.key));
    if (f.name === 'tag-value') return g.tags.some((t) => f.values.includes(t.value));
    if (f.name.startsWith('tag:')) return g.tags.some((t) => t.key === f.name.slice(4) && f.values.includes(t.value));
    throw AutoScalingErrors.validation(`Filter type ${f.name} is not correct. Allowed Filter types are: tag-key tag-value tag:<key>`);
  });
}
