/**
 * Tags on IAM entities, with IAM's rules: at most 50; user and role tag keys are compared
 * without case (a new `department` replaces `Department`), other resources' keys with case;
 * `aws:` keys are reserved. Pure functions over stored tag lists.
 */
import { IamErrors } from './errors.ts';
import type { TagRecord } from './records.ts';

/** The most tags an IAM resource may carry. */
export const MAX_TAGS = 50;

/** Which resources compare tag keys without case. */
export type TagCase = 'insensitive' | 'sensitive';

const same = (a: string, b: string, mode: TagCase) => (mode === 'insensitive' ? a.toLowerCase() === b.toLowerCase() : a === b);

/** Checks tags a request adds: no reserved keys, no key twice. */
export function checkNewTags(tags: readonly TagRecord[], mode: TagCase): void {
  for (const [i, tag] of tags.entries()) {
    if (tag.key.toLowerCase().startsWith('aws:')) {
      throw IamErrors.invalidInput("User-defined tag keys can't start with 'aws:'. This prefix is reserved for AWS internal use.");
    }
    if (tags.slice(0, i).some((other) => same(other.key, tag.key, mode))) {
      throw IamErrors.invalidInput('Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    }
  }
}

/**
 * `existing` with `added` applied: a tag whose key is already there replaces its value (and,
 * where keys ignore case, its spelling); new keys are appended. More than 50 is LimitExceeded.
 */
export function mergeTags(existing: readonly TagRecord[], added: readonly TagRecord[], mode: TagCase, quota: string): TagRecord[] {
  checkNewTags(added, mode);
  const out = existing.map((t) => ({ ...t }));
  for (const tag of added) {
    const at = out.findIndex((t) => same(t.key, tag.key, mode));
    if (at >= 0) out[at] = { key: tag.key, value: tag.value };
    else out.push({ key: tag.key, value: tag.value });
  }
  if (out.length > MAX_TAGS) throw IamErrors.quota(quota, MAX_TAGS);
  return out;
}

/** `existing` without the named keys (absent keys are ignored, as IAM does). */
export function removeTags(existing: readonly TagRecord[], keys: readonly string[], mode: TagCase): TagRecord[] {
  return existing.filter((t) => !keys.some((k) => same(k, t.key, mode)));
}

/** Tags as a map, for principal tag condition keys. */
export function tagMap(tags: readonly TagRecord[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) out[t.key] = t.value;
  return out;
}
