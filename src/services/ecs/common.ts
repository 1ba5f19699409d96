/**
 * Small pieces every ECS operation file shares: the operation table's type, scope, the checks
 * ECS makes that its model does not carry (lengths, ranges and patterns of members the model
 * leaves unconstrained, item limits, empty strings), tags, dates. Types, required members and
 * enums are the model's, checked by the platform before any handler runs.
 */
import type { Tag } from '@aws-sdk/client-ecs';
import type { AwsError, EcsOperations, OperationSpec } from '../../aws/index.ts';
import { EcsErrors, type Scope } from '../../ecs/index.ts';

/** Some of ECS's operations, as one file of the adapter implements them. */
export type EcsOperationTable = { [K in keyof EcsOperations]?: OperationSpec<EcsOperations[K]['input'], EcsOperations[K]['output']> };

/** Builds the error for a value outside ECS's rules: InvalidParameterException, or ClientException for task definitions. */
export type Invalid = (message: string) => AwsError;

/** The account and region a request acts in. */
export const scopeOf = (ctx: { account: string; region: string }): Scope => ({ account: ctx.account, region: ctx.region });

/**
 * A required string member: present once the model's validation passed, but ECS also refuses
 * it empty, as it did before the model checked presence.
 */
export function present(value: string | undefined, member: string, invalid: Invalid = EcsErrors.invalidParameter): string {
  if (value === undefined || value === '') throw invalid(`${member} can not be null or empty.`);
  return value;
}

/** A required list or structure member (present once the model's validation passed). */
export function need<T>(value: T | undefined, member: string, invalid: Invalid = EcsErrors.invalidParameter): T {
  if (value === undefined || value === null) throw invalid(`${member} can not be null.`);
  return value;
}

/** What ECS allows of a string the model leaves unconstrained. */
export interface StringRule {
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Says in words what `pattern` allows, for the message. */
  patternText?: string;
}

/** Checks an optional string member against `rule`; messages name it by `path`. */
export function checkString(value: string | undefined, path: string, rule: StringRule, invalid: Invalid = EcsErrors.invalidParameter): string | undefined {
  if (value === undefined) return undefined;
  if (rule.min !== undefined && value.length < rule.min) throw invalid(`${path} must be at least ${rule.min} characters long.`);
  if (rule.max !== undefined && value.length > rule.max) throw invalid(`${path} must be at most ${rule.max} characters long.`);
  if (rule.pattern && !rule.pattern.test(value)) throw invalid(`${path} is invalid${rule.patternText ? `: ${rule.patternText}` : '.'}`);
  return value;
}

/** Checks an optional integer member against ECS's range for it. */
export function checkInt(value: number | undefined, path: string, range: { min?: number; max?: number }, invalid: Invalid = EcsErrors.invalidParameter): number | undefined {
  if (value === undefined) return undefined;
  if (range.min !== undefined && value < range.min) throw invalid(`${path} must be greater than or equal to ${range.min}.`);
  if (range.max !== undefined && value > range.max) throw invalid(`${path} must be less than or equal to ${range.max}.`);
  return value;
}

/** Checks an optional list member: at most `max` items, and not empty when `nonEmpty`. */
export function checkItems<T>(list: T[] | undefined, path: string, rule: { max?: number; nonEmpty?: boolean }, invalid: Invalid = EcsErrors.invalidParameter): T[] | undefined {
  if (list === undefined) return undefined;
  if (rule.nonEmpty && list.length === 0) throw invalid(`${path} can not be empty.`);
  if (rule.max !== undefined && list.length > rule.max) throw invalid(`${path} can have at most ${rule.max} members.`);
  return list;
}

/** Checks every string of a list member against `rule` (empty strings refused when `rule.min` says). */
export function checkStrings(list: string[] | undefined, path: string, rule: StringRule & { max?: number; maxItems?: number; nonEmpty?: boolean }, invalid: Invalid = EcsErrors.invalidParameter): string[] | undefined {
  checkItems(list, path, { max: rule.maxItems, nonEmpty: rule.nonEmpty }, invalid);
  list?.forEach((s, i) => {
    if (s === '' && (rule.min ?? 0) > 0) throw invalid(`${path}[${i}] can not be null or empty.`);
    checkString(s, `${path}[${i}]`, rule, invalid);
  });
  return list;
}

/**
 * Checks a `tags` member beyond what the model says (at most 50, key 1–128 and value 0–256
 * characters of the allowed set): a key is given, no `aws:` keys, no key twice. Returns the
 * tags as stored, an absent value as ''.
 */
export function checkTags(tags: Tag[] | undefined, path = 'tags'): Tag[] | undefined {
  if (!tags) return undefined;
  const seen = new Set<string>();
  return tags.map((tag, i) => {
    const key = present(tag.key, `${path}[${i}].key`);
    if (key.toLowerCase().startsWith('aws:')) throw EcsErrors.invalidParameter(`${path}[${i}].key: tag keys beginning with aws: are reserved.`);
    if (seen.has(key)) throw EcsErrors.invalidParameter(`Duplicate tag key: ${key}.`);
    seen.add(key);
    return { key, value: tag.value ?? '' };
  });
}

/** Applies TagResource semantics: new keys added, existing keys overwritten. */
export function mergeTags(existing: Tag[], added: Tag[]): Tag[] {
  const byKey = new Map(existing.map((t) => [t.key, t]));
  for (const t of added) byKey.set(t.key, t);
  const merged = [...byKey.values()];
  if (merged.length > 50) throw EcsErrors.invalidParameter('A resource can have at most 50 tags.');
  return merged;
}

/** Epoch ms → the Date the SDK shapes use (the endpoint writes it as epoch seconds). */
export const toDate = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));
