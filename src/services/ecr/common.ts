/**
 * Small pieces every ECR action file shares: the scope and registry a request acts in, input
 * readers that answer bad values with ECR's own InvalidParameterException wording, repository
 * lookup, tags, and the API shape of a stored repository.
 */
import type { Repository, Tag } from '@aws-sdk/client-ecr';
import { Fields, type JsonRequestContext as RequestContext } from '../../aws/index.ts';
import { registryKeys, type RegistryScope, type RepositoryRecord } from '../../registry/index.ts';
import { getDoc, transact, type Store } from '../../state/index.ts';
import { EcrErrors } from './errors.ts';

/** The account and region a request acts in: its registry's records live under this scope. */
export const scopeOf = (ctx: RequestContext): RegistryScope => ({ account: ctx.account, region: ctx.region });

/** Reads a request body as ECR does: wrong JSON types are SerializationException, bad values InvalidParameterException. */
export const ecrFields = (input: unknown): Fields => Fields.of(input, EcrErrors.invalidParameter);

/** ECR's repository name rule, as the API reference states it (lowercase, `/` namespaces). */
export const REPOSITORY_NAME_PATTERN = '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*';
const REPOSITORY_NAME = new RegExp(`^${REPOSITORY_NAME_PATTERN}$`);
const REGISTRY_ID = /^[0-9]{12}$/;

/** Checks a repository name against ECR's length (2–256) and pattern, with ECR's message naming `member`. */
export function checkRepositoryName(name: string, member = 'repositoryName'): string {
  if (name.length < 2) throw EcrErrors.constraint(member, 'Member must have length greater than or equal to 2');
  if (name.length > 256) throw EcrErrors.constraint(member, 'Member must have length less than or equal to 256');
  if (!REPOSITORY_NAME.test(name)) throw EcrErrors.constraint(member, `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`);
  return name;
}

/** The required `repositoryName` member, checked. */
export function readRepositoryName(f: Fields): string {
  return checkRepositoryName(f.string('repositoryName', { required: true }), f.at('repositoryName'));
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

/** Reads the optional `registryId` member (12 digits). */
export function readRegistry(f: Fields, ctx: RequestContext): Registry {
  const scope = scopeOf(ctx);
  const id = f.string('registryId');
  if (id !== undefined && !REGISTRY_ID.test(id)) throw EcrErrors.constraint(f.at('registryId'), "must satisfy regular expression '[0-9]{12}'");
  return { scope, registryId: id ?? scope.account, own: id === undefined || id === scope.account };
}

/** Anything repository records can be read through: a transaction (whose reads guard its commit) or the store. */
export interface Reader {
  get<T>(key: string): Promise<T | undefined>;
}

/** Reads straight from the store, for actions that only read. */
export const storeReader = (store: Store): Reader => ({
  get: async <T>(key: string) => (await getDoc<T>(store, key))?.value,
});

/** The repository a request names, or RepositoryNotFoundException in ECR's words. */
export async function findRepository(reader: Reader, registry: Registry, name: string): Promise<RepositoryRecord> {
  const repo = registry.own ? await reader.get<RepositoryRecord>(registryKeys.repository(registry.scope, name)) : undefined;
  if (!repo) throw EcrErrors.repositoryNotFound(name, registry.registryId);
  return repo;
}

/** Reads `maxResults` (1–1000, as every ECR list action allows). */
export function readMaxResults(f: Fields): number | undefined {
  const n = f.int('maxResults');
  if (n !== undefined && n < 1) throw EcrErrors.constraint(f.at('maxResults'), 'Member must have value greater than or equal to 1');
  if (n !== undefined && n > 1000) throw EcrErrors.constraint(f.at('maxResults'), 'Member must have value less than or equal to 1000');
  return n;
}

/** Fails with ECR's wording when a list member has fewer than `min` or more than `max` entries. */
export function checkCount(member: string, count: number, min: number, max: number): void {
  if (count < min) throw EcrErrors.constraint(member, `Member must have length greater than or equal to ${min}`);
  if (count > max) throw EcrErrors.constraint(member, `Member must have length less than or equal to ${max}`);
}

/** At most this many tags on one repository (TooManyTagsException beyond). */
export const MAX_TAGS = 50;

/**
 * Reads a `tags` member: `{Key, Value}` pairs, key 1–128 and value 0–256 characters, no `aws:`
 * keys, no key twice; more than 50 is TooManyTagsException.
 */
export function readTags(f: Fields, member = 'tags'): Tag[] | undefined {
  const list = f.objects(member);
  if (!list) return undefined;
  if (list.length > MAX_TAGS) throw EcrErrors.tooManyTags();
  const seen = new Set<string>();
  return list.map((tag) => {
    const Key = tag.string('Key', { required: true });
    const Value = tag.string('Value');
    if (Value === undefined) throw EcrErrors.invalidParameter(`${tag.at('Value')} can not be null.`);
    if (Key.length > 128) {
      throw EcrErrors.invalidTagParameter(`${tag.at('Key')} is invalid: tag keys can have a maximum character length of 128 characters.`);
    }
    if (Value.length > 256) {
      throw EcrErrors.invalidTagParameter(`${tag.at('Value')} is invalid: tag values can have a maximum length of 256 characters.`);
    }
    if (Key.toLowerCase().startsWith('aws:')) throw EcrErrors.invalidTagParameter(`${tag.at('Key')}: tag keys beginning with aws: are reserved.`);
    if (seen.has(Key)) throw EcrErrors.invalidTagParameter(`${f.at(member)}: duplicate tag key ${Key}.`);
    seen.add(Key);
    return { Key, Value };
  });
}

/** TagResource semantics: new keys are added, existing keys get the new value; more than 50 in all is TooManyTagsException. */
export function mergeTags(existing: RepositoryRecord['tags'], added: Tag[]): RepositoryRecord['tags'] {
  const byKey = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) byKey.set(t.Key!, t.Value!);
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
