/**
 * Small pieces every ECR operation file shares: the operation table's type, the scope and
 * registry a request acts in, the repository ARN IAM authorizes it on, repository lookup, the
 * cross-field tag rules the model cannot state, and the API shape of a stored repository.
 * Lengths, patterns, enums and required members are the model's (checked before a handler runs).
 */
import type { Repository, Tag } from '@aws-sdk/client-ecr';
import type { EcrOperations, OperationSpec, RequestContext } from '../../aws/index.ts';
import { registryArns, registryKeys, type RegistryScope, type RepositoryRecord } from '../../registry/index.ts';
import { getDoc, transact, type Store } from '../../state/index.ts';
import { EcrErrors } from './errors.ts';

/** Some of ECR's operations, as one file of the adapter implements them. */
export type EcrOperationTable = { [K in keyof EcrOperations]?: OperationSpec<EcrOperations[K]['input'], EcrOperations[K]['output']> };

/** The account and region a request acts in: its registry's records live under this scope. */
export const scopeOf = (ctx: Pick<RequestContext, 'account' | 'region'>): RegistryScope => ({ account: ctx.account, region: ctx.region });

/** ECR's repository name rule, as the API reference and ECR's own messages state it. */
export const REPOSITORY_NAME_PATTERN = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';
const REPOSITORY_NAME = new RegExp(`^${REPOSITORY_NAME_PATTERN}$`);

/** True for a name ECR accepts (2–256 characters of its pattern): what a repository ARN may name. */
export const isRepositoryName = (name: string): boolean => name.length >= 2 && name.length <= 256 && REPOSITORY_NAME.test(name);

/** A member the model requires: present once validation passed (the pipeline validates before any handler runs). */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw EcrErrors.constraint(member, 'Member must not be null');
  return value;
}

/**
 * The registry a request names with `registryId` (the caller's own when absent). Wharf serves
 * one registry per account and never shows another account's records, so a foreign registry
 * is answered as ECR answers a registry holding nothing the caller can see.
 */
export interface Registry {
  /** The caller's account and region: where its records live. */
  scope: RegistryScope;
  /** The registry id the request named, or the caller's account. */
  registryId: string;
  /** True when `registryId` is the caller's own account. */
  own: boolean;
}

/** The registry of a request's optional `registryId`. */
export function registryOf(registryId: string | undefined, ctx: RequestContext): Registry {
  const scope = scopeOf(ctx);
  return { scope, registryId: registryId ?? scope.account, own: registryId === undefined || registryId === scope.account };
}

/**
 * The ARN IAM authorizes a repository operation on: the repository in the registry the request
 * names (its `registryId`, else the caller's). The input is not yet validated: without a name
 * the request is authorized on `*` (and then refused by validation).
 */
export function repositoryResource(input: { registryId?: string; repositoryName?: string }, ctx: RequestContext): string[] {
  if (!input.repositoryName) return ['*'];
  return [registryArns.repository({ account: input.registryId ?? ctx.account, region: ctx.region }, input.repositoryName)];
}

/** The repository a request names with `registryId` and `repositoryName` (which the model requires): its registry, and its name. */
export function repositoryNamed(i: { registryId?: string; repositoryName?: string }, ctx: RequestContext): { registry: Registry; name: string } {
  return { registry: registryOf(i.registryId, ctx), name: need(i.repositoryName, 'repositoryName') };
}

/** Anything repository records can be read through: a transaction (whose reads guard its commit) or the store. */
export interface Reader {
  get<T>(key: string): Promise<T | undefined>;
}

/** Reads straight from the store, for operations that only read. */
export const storeReader = (store: Store): Reader => ({
  get: async <T>(key: string) => (await getDoc<T>(store, key))?.value,
});

/** The repository a request names, or RepositoryNotFoundException in ECR's words. */
export async function findRepository(reader: Reader, registry: Registry, name: string): Promise<RepositoryRecord> {
  const repo = registry.own ? await reader.get<RepositoryRecord>(registryKeys.repository(registry.scope, name)) : undefined;
  if (!repo) throw EcrErrors.repositoryNotFound(name, registry.registryId);
  return repo;
}

/** At most this many tags on one repository (TooManyTagsException beyond). */
export const MAX_TAGS = 50;

/**
 * ECR's rules for the tags a request adds, beyond the model (which only requires Key and
 * Value): keys up to 128 and values up to 256 characters, no `aws:` keys, no key twice, at most
 * 50 (TooManyTagsException).
 */
export function checkTags(tags: readonly Tag[], member = 'tags'): { Key: string; Value: string }[] {
  if (tags.length > MAX_TAGS) throw EcrErrors.tooManyTags();
  const seen = new Set<string>();
  return tags.map((tag, i) => {
    const Key = tag.Key ?? '';
    const Value = tag.Value ?? '';
    if (Key.length > 128) throw EcrErrors.invalidTagParameter(`${member}[${i}].Key is invalid: tag keys can have a maximum character length of 128 characters.`);
    if (Value.length > 256) throw EcrErrors.invalidTagParameter(`${member}[${i}].Value is invalid: tag values can have a maximum length of 256 characters.`);
    if (Key.toLowerCase().startsWith('aws:')) throw EcrErrors.invalidTagParameter(`${member}[${i}].Key: tag keys beginning with aws: are reserved.`);
    if (seen.has(Key)) throw EcrErrors.invalidTagParameter(`${member}: duplicate tag key ${Key}.`);
    seen.add(Key);
    return { Key, Value };
  });
}

/** TagResource semantics: new keys are added, existing keys get the new value; more than 50 in all is TooManyTagsException. */
export function mergeTags(existing: RepositoryRecord['tags'], added: RepositoryRecord['tags']): RepositoryRecord['tags'] {
  const byKey = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) byKey.set(t.Key, t.Value);
  if (byKey.size > MAX_TAGS) throw EcrErrors.tooManyTags();
  return [...byKey].map(([Key, Value]) => ({ Key, Value }));
}

/**
 * A stored repository as the API shows it. The URI is built from the registry's current host,
 * not the one stored at creation, so it stays right when the registry moves.
 */
export function toApiRepository(record: RepositoryRecord, registryHost: string): Repository {
  return {
    repositoryArn: record.arn,
    registryId: record.registryId,
    repositoryName: record.name,
    repositoryUri: `${registryHost}/${record.name}`,
    createdAt: new Date(record.createdAt),
    imageTagMutability: record.imageTagMutability,
    imageScanningConfiguration: { ...record.imageScanningConfiguration },
    encryptionConfiguration: { ...record.encryptionConfiguration },
  };
}

/** Epoch ms → the Date the SDK shapes use (the endpoint writes it as epoch seconds). */
export const toDate = (ms: number | undefined): Date | undefined => (ms === undefined ? undefined : new Date(ms));

/**
 * Read-modify-write of one repository in a transaction: `change` returns the new record, or
 * the same object to write nothing. Returns the record as it stands afterwards.
 */
export async function updateRepository(
  store: Store,
  registry: Registry,
  name: string,
  change: (repo: RepositoryRecord) => RepositoryRecord,
): Promise<RepositoryRecord> {
  return transact(store, async (tx) => {
    const repo = await findRepository(tx, registry, name);
    const updated = change(repo);
    if (updated !== repo) tx.put(registryKeys.repository(registry.scope, name), updated);
    return updated;
  });
}
