/** Small pieces every ECS action file shares: scope, field reading, enum lists, tags, dates. */
import type { Tag } from '@aws-sdk/client-ecs';
import { Fields, type InvalidError, type JsonRequestContext as RequestContext } from '../../aws/index.ts';
import { EcsErrors, type Scope } from '../../ecs/index.ts';

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): Scope => ({ account: ctx.account, region: ctx.region });

/** Reads a request body as ECS does: wrong types are SerializationException, bad values InvalidParameterException. */
export const ecsFields = (input: unknown): Fields => Fields.of(input, EcsErrors.invalidParameter);

/**
 * Reads a list member whose values must come from `allowed` (DescribeClusters' `include` and the
 * like): the first other value is an error naming its index, InvalidParameterException unless
 * the action answers bad input with another (RegisterTaskDefinition: ClientException).
 */
export function readEnumList<T extends string>(
  f: Fields,
  member: string,
  allowed: readonly T[],
  invalid: InvalidError = EcsErrors.invalidParameter,
): T[] | undefined {
  return f.strings(member)?.map((s, i) => {
    if (!allowed.includes(s as T)) throw invalid(`${f.at(member)}[${i}] must be one of: ${allowed.join(', ')}. Received: ${s}.`);
    return s as T;
  });
}

/** Reads and checks a `tags` member: at most 50, key 1–128 and value 0–256 characters, no `aws:` keys. */
export function readTags(fields: Fields, name = 'tags'): Tag[] | undefined {
  const list = fields.objects(name, { maxItems: 50 });
  if (!list) return undefined;
  const seen = new Set<string>();
  return list.map((tag) => {
    const key = tag.string('key', { required: true, max: 128 });
    const value = tag.string('value', { max: 256 }) ?? '';
    if (key.toLowerCase().startsWith('aws:')) throw EcsErrors.invalidParameter(`${tag.at('key')}: tag keys beginning with aws: are reserved.`);
    if (seen.has(key)) throw EcsErrors.invalidParameter(`Duplicate tag key: ${key}.`);
    seen.add(key);
    return { key, value };
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
