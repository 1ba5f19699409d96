/**
 * A task's secrets, as the ECS agent resolves them before the task's containers are made:
 * container `secrets` become environment variables, `logConfiguration.secretOptions` become
 * log driver options, and `repositoryCredentials` become the registry login for an image. Each
 * comes from Secrets Manager (`valueFrom` a secret ARN, optionally
 * `:json-key:version-stage:version-id`) or Parameter Store (a parameter name or ARN), fetched
 * with the task's execution role (`SecretStores`). Failures read as ECS's stop reasons. The
 * values live only in memory and in the containers' own configuration.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';

/** Where one secret's value is. */
export type SecretReference =
  | { source: 'asm'; secretId: string; jsonKey?: string; versionStage?: string; versionId?: string }
  | { source: 'ssm'; name: string };

/** What fetches values, acting as the task's execution role. */
export interface SecretStores {
  /** A secret's SecretString at a stage or version (AWSCURRENT when neither is given). */
  getSecretValue(secretId: string, version: { versionStage?: string; versionId?: string }): Promise<string>;
  /** Parameters' values (SecureStrings decrypted), and the names that do not exist. */
  getParameters(names: readonly string[]): Promise<{ values: ReadonlyMap<string, string>; invalid: readonly string[] }>;
}

/** A container's resolved secrets: its environment variables and log driver options. */
export interface ContainerSecrets {
  environment: Record<string, string>;
  logOptions: Record<string, string>;
}

/** Why a task's secrets could not be had, worded as ECS words it after `ResourceInitializationError: `. */
export class SecretsUnavailable extends Error {}

/** ECS's words before every secrets failure. */
const PREFIX = 'unable to pull secrets or registry auth: execution resource retrieval failed';

/** Where `valueFrom` points. */
export function parseSecretReference(valueFrom: string): SecretReference {
  if (valueFrom.startsWith('arn:') && valueFrom.split(':')[2] === 'secretsmanager') {
    const parts = valueFrom.split(':');
    const [jsonKey, versionStage, versionId] = parts.slice(7).map((p) => p || undefined);
    return { source: 'asm', secretId: parts.slice(0, 7).join(':'), ...defined({ jsonKey, versionStage, versionId }) };
  }
  return { source: 'ssm', name: valueFrom };
}

/** SSM takes at most 10 names per GetParameters. */
const SSM_BATCH = 10;

/**
 * Resolves every secret of `containers` (`secrets`, `logConfiguration.secretOptions`):
 * parameters in batches, each secret version once. Throws SecretsUnavailable naming what failed.
 */
export async function resolveTaskSecrets(containers: readonly ContainerDefinition[], stores: SecretStores): Promise<Map<string, ContainerSecrets>> {
  const refs = containers.flatMap((c) => [...(c.secrets ?? []), ...(c.logConfiguration?.secretOptions ?? [])])
    .map((s) => parseSecretReference(s.valueFrom ?? ''));
  const parameters = await fetchParameters([...new Set(refs.flatMap((r) => (r.source === 'ssm' ? [r.name] : [])))], stores);
  const secrets = new Map<string, Promise<string>>();
  const valueOf = async (ref: SecretReference): Promise<string> => {
    if (ref.source === 'ssm') return parameters.get(ref.name)!;
    const key = JSON.stringify([ref.secretId, ref.versionStage, ref.versionId]);
    if (!secrets.has(key)) secrets.set(key, fetchSecret(ref.secretId, ref, stores));
    const text = await secrets.get(key)!;
    return ref.jsonKey === undefined ? text : jsonField(text, ref.jsonKey, ref.secretId);
  };
  const out = new Map<string, ContainerSecrets>();
  for (const c of containers) {
    const resolved: ContainerSecrets = { environment: {}, logOptions: {} };
    for (const s of c.secrets ?? []) resolved.environment[s.name ?? ''] = await valueOf(parseSecretReference(s.valueFrom ?? ''));
    for (const s of c.logConfiguration?.secretOptions ?? []) resolved.logOptions[s.name ?? ''] = await valueOf(parseSecretReference(s.valueFrom ?? ''));
    out.set(c.name ?? '', resolved);
  }
  return out;
}

/** The `{username, password}` a private registry's credentials secret holds. */
export async function resolveRegistryCredentials(credentialsParameter: string, stores: SecretStores): Promise<{ username: string; password: string }> {
  const ref = parseSecretReference(credentialsParameter);
  if (ref.source !== 'asm') throw new SecretsUnavailable(`${PREFIX}: repositoryCredentials must name a Secrets Manager secret: ${credentialsParameter}`);
  const text = await fetchSecret(ref.secretId, ref, stores);
  try {
    const { username, password } = JSON.parse(text) as { username?: unknown; password?: unknown };
    if (typeof username === 'string' && typeof password === 'string') return { username, password };
  } catch {
    // Not JSON: said below.
  }
  throw new SecretsUnavailable(`${PREFIX}: the secret ${ref.secretId} does not hold registry credentials (a JSON object with username and password)`);
}

async function fetchParameters(names: readonly string[], stores: SecretStores): Promise<Map<string, string>> {
  const values = new Map<string, string>();
  for (let i = 0; i < names.length; i += SSM_BATCH) {
    let got;
    try {
      got = await stores.getParameters(names.slice(i, i + SSM_BATCH));
    } catch (error) {
      throw new SecretsUnavailable(`${PREFIX}: unable to retrieve secrets from ssm: ${describe(error)}`);
    }
    if (got.invalid.length) throw new SecretsUnavailable(`${PREFIX}: unable to retrieve secrets from ssm: invalid parameters: ${got.invalid.join(', ')}`);
    for (const [name, value] of got.values) values.set(name, value);
  }
  return values;
}

async function fetchSecret(secretId: string, version: { versionStage?: string; versionId?: string }, stores: SecretStores): Promise<string> {
  try {
    return await stores.getSecretValue(secretId, version);
  } catch (error) {
    throw new SecretsUnavailable(`${PREFIX}: unable to retrieve secret from asm: failed to fetch secret ${secretId}: ${describe(error)}`);
  }
}

function jsonField(text: string, key: string, secretId: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new SecretsUnavailable(`${PREFIX}: unable to retrieve secret from asm: the secret ${secretId} is not a JSON object, so it has no key ${key}`);
  }
  const value = doc && typeof doc === 'object' && !Array.isArray(doc) ? (doc as Record<string, unknown>)[key] : undefined;
  if (value === undefined) throw new SecretsUnavailable(`${PREFIX}: unable to retrieve secret from asm: retrieved secret from Secrets Manager did not contain json key ${key}`);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** An SDK error as `Code: message` (never a value: AWS errors do not carry one). */
function describe(error: unknown): string {
  const e = error as { name?: unknown; message?: unknown };
  return typeof e.name === 'string' && e.name !== 'Error' ? `${e.name}: ${String(e.message)}` : String(e.message ?? error);
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
