/**
 * What every taggable AWS API shares about tags in IAM: a request that carries tags offers the
 * condition keys `aws:RequestTag/<key>` and `aws:TagKeys`; an untag request offers `aws:TagKeys`.
 * The APIs spell a tag two ways (ECS: `key`/`value`; ECR, IAM, EC2: `Key`/`Value`); both are read.
 */
import type { ConditionValues } from './operation.ts';

/** A tag as any AWS API's request carries it. */
export type RequestTag = { key?: string; value?: string } | { Key?: string; Value?: string };

const keyOf = (t: RequestTag): string | undefined => ('Key' in t ? t.Key : 'key' in t ? t.key : undefined);
const valueOf = (t: RequestTag): string => ('Value' in t ? t.Value : 'value' in t ? t.value : undefined) ?? '';

/** `aws:RequestTag/<key>` for each tag of the request, and `aws:TagKeys`; nothing when it carries none. */
export function requestTagConditions(tags: readonly RequestTag[] | undefined): ConditionValues {
  if (!tags?.length) return {};
  const out: ConditionValues = {};
  const keys: string[] = [];
  for (const t of tags) {
    const key = keyOf(t);
    if (key === undefined) continue;
    keys.push(key);
    out[`aws:RequestTag/${key}`] = valueOf(t);
  }
  out['aws:TagKeys'] = keys;
  return out;
}

/** `aws:TagKeys` of an untag request. */
export function tagKeyConditions(tagKeys: readonly string[] | undefined): ConditionValues {
  return tagKeys?.length ? { 'aws:TagKeys': [...tagKeys] } : {};
}
