/**
 * How a launch's parameters come together, as EC2 merges them: a new template version from its
 * source version, and a RunInstances request over its launch template — the member the later
 * one gives wins whole; tags of one resource type merge key by key, the later one's value winning.
 */
import type { Ec2Tag } from '../network/index.ts';
import type { LaunchTemplateData } from './records.ts';

type TagSpecs = NonNullable<LaunchTemplateData['tagSpecifications']>;

/** `base`'s tag specifications with `over`'s merged in, per resource type. */
export function mergeTagSpecifications(base: TagSpecs | undefined, over: TagSpecs | undefined): TagSpecs | undefined {
  if (!base?.length) return over;
  if (!over?.length) return base;
  const byType = new Map<string | undefined, Map<string, string>>();
  for (const spec of [...base, ...over]) {
    const tags = byType.get(spec.resourceType) ?? new Map<string, string>();
    for (const t of spec.tags) tags.set(t.key, t.value);
    byType.set(spec.resourceType, tags);
  }
  return [...byType].map(([resourceType, tags]) => ({
    ...(resourceType !== undefined ? { resourceType } : {}),
    tags: [...tags].map(([key, value]): Ec2Tag => ({ key, value })),
  }));
}

/** `over` on top of `base`: each member `over` has replaces `base`'s, except tag specifications, which merge. */
export function mergeLaunchData(base: LaunchTemplateData, over: LaunchTemplateData): LaunchTemplateData {
  const merged: LaunchTemplateData = { ...base };
  for (const [key, value] of Object.entries(over) as [keyof LaunchTemplateData, unknown][]) {
    if (value !== undefined) (merged as Record<string, unknown>)[key] = value;
  }
  const tagSpecifications = mergeTagSpecifications(base.tagSpecifications, over.tagSpecifications);
  if (tagSpecifications) merged.tagSpecifications = tagSpecifications;
  // Interfaces carry the subnet and groups: given either way, the other way's are not kept.
  if (over.networkInterfaces?.length) {
    delete merged.securityGroupIds;
    delete merged.securityGroups;
  } else if (over.securityGroupIds?.length || over.securityGroups?.length) {
    merged.networkInterfaces = base.networkInterfaces?.map((n) => ({ ...n, groupIds: undefined }));
  }
  return merged;
}
