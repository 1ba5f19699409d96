/** Small pieces every ECS action file shares: scope, cluster lookup, enum lists, tags. */
import type { Tag } from '@aws-sdk/client-ecs';
import type { RequestContext } from '../../api/types.ts';
import { Fields, type InvalidError } from '../../api/fields.ts';
import type { Tx } from '../../state/transact.ts';
import { EcsErrors } from './errors.ts';
import { keys, parseArn, type ClusterRecord, type Scope } from './records.ts';

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): Scope => ({ account: ctx.account, region: ctx.region });

/** Reads a request body as ECS does: wrong types are SerializationException, bad values InvalidParameterException. */
export const ecsFields = (input: unknown): Fields => Fields.of(input, EcsErrors.invalidParameter);

/** The cluster name a `cluster` member names: a short name or a cluster ARN; `default` when absent. */
export function clusterNameOf(ref: string | undefined, scope: Scope): string {
  if (ref === undefined || ref === '') return 'default';
  if (!ref.startsWith('arn:')) return ref;
  const arn = parseArn(ref);
  if (!arn || arn.resourceType !== 'cluster' || arn.resource.length !== 1) throw EcsErrors.invalidParameter(`Invalid cluster ARN: ${ref}.`);
  if (arn.account !== scope.account || arn.region !== scope.region) throw EcsErrors.clusterNotFound();
  return arn.resource[0];
}

/** The ACTIVE cluster a request names (read through the transaction), or ClusterNotFoundException. */
export async function activeCluster(tx: Tx, scope: Scope, ref: string | undefined): Promise<ClusterRecord> {
  const cluster = await tx.get<ClusterRecord>(keys.cluster(scope, clusterNameOf(ref, scope)));
  if (!cluster || cluster.status !== 'ACTIVE') throw EcsErrors.clusterNotFound();
  return cluster;
}

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
