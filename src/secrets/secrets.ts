/**
 * What Secrets Manager does with secrets, over the store: every write one transaction guarded
 * on the records it read. Values are sealed before they are written and opened only for
 * GetSecretValue. A secret whose deletion date has passed is gone: it is no longer found, and
 * its name may be taken again (its records are cleared then).
 */
import type { Clock, Ids, Sealer } from '../common/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { SecretsErrors } from './errors.ts';
import { arnSuffix, keys, partialArn, sealContext, secretArn, type Scope, type SecretRecord, type SecretTag, type ValueRecord } from './records.ts';
import { candidatesFor, matchesFilters, type SecretFilter } from './select.ts';
import { AWSCURRENT, addVersion, moveStage, versionWithStage, type VersionChange } from './stages.ts';

/** What the secrets domain runs on. */
export interface SecretsEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
  sealer: Sealer;
}

/** A secret's value: a string or bytes. */
export interface SecretValue {
  kind: 'string' | 'binary';
  data: Buffer;
}

const DAY = 86_400_000;

/** Whether the secret's deletion has taken effect. */
const gone = (r: SecretRecord, now: number) => r.deletionDate !== undefined && r.deletionDate <= now;

/** The live secret `secretId` names, read through `tx` (so the write is guarded on it). */
async function find(tx: Tx, scope: Scope, secretId: string, now: number): Promise<SecretRecord> {
  for (const c of candidatesFor(scope, secretId)) {
    const record = await tx.get<SecretRecord>(keys.secret(scope, c.name));
    if (record && c.matches(record) && !gone(record, now)) return record;
  }
  throw SecretsErrors.notFound();
}

/** As `find`, refusing a secret scheduled for deletion. */
async function findActive(tx: Tx, scope: Scope, secretId: string, now: number): Promise<SecretRecord> {
  const record = await find(tx, scope, secretId, now);
  if (record.deletedAt !== undefined) throw SecretsErrors.markedForDeletion();
  return record;
}

/** A read-only lookup (a transaction that writes nothing commits nothing). */
const read = <R>(store: Store, body: (tx: Tx) => Promise<R>): Promise<R> => transact(store, body);

/** The secret's value record of `versionId`, opened. */
function open(env: SecretsEnv, record: SecretRecord, versionId: string, stored: ValueRecord): SecretValue {
  return { kind: stored.kind, data: env.sealer.open(stored.sealed, sealContext(record.arn, versionId)) };
}

const sameValue = (a: SecretValue, b: SecretValue) => a.kind === b.kind && a.data.equals(b.data);

/** Exactly one of SecretString and SecretBinary. */
export function oneValue(string: string | undefined, binary: Uint8Array | undefined): SecretValue | undefined {
  if (string !== undefined && binary !== undefined) {
    throw SecretsErrors.invalidParameter("You can't specify both a binary secret value and a string secret value in the same secret.");
  }
  if (string !== undefined) return { kind: 'string', data: Buffer.from(string, 'utf8') };
  if (binary !== undefined) return { kind: 'binary', data: Buffer.from(binary) };
  return undefined;
}

/** Writes a new version's value and the version change, dropping the values of pruned versions. */
function writeVersion(env: SecretsEnv, tx: Tx, scope: Scope, record: SecretRecord, versionId: string, value: SecretValue, change: VersionChange): void {
  tx.put<ValueRecord>(keys.value(scope, record.arn, versionId), { kind: value.kind, sealed: env.sealer.seal(value.data, sealContext(record.arn, versionId)) });
  for (const id of change.dropped) tx.delete(keys.value(scope, record.arn, id));
}

/** If the version `token` exists: the same value is a retry (true), another one is refused. */
async function isRetry(env: SecretsEnv, tx: Tx, scope: Scope, record: SecretRecord, token: string, value: SecretValue | undefined): Promise<boolean> {
  if (!record.versions.some((v) => v.versionId === token)) return false;
  const stored = await tx.get<ValueRecord>(keys.value(scope, record.arn, token));
  if (value && stored && sameValue(open(env, record, token, stored), value)) return true;
  throw SecretsErrors.versionExists();
}

/** What CreateSecret asks for. */
export interface CreateSecretRequest {
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: SecretTag[];
  value?: SecretValue;
  token?: string;
}

/** CreateSecret: the secret, with its first version when a value is given. A retry with the same token and value answers as the first did. */
export async function createSecret(env: SecretsEnv, scope: Scope, req: CreateSecretRequest): Promise<{ record: SecretRecord; versionId?: string }> {
  if (!/^[A-Za-z0-9/_+=.@-]+$/.test(req.name)) {
    throw SecretsErrors.validation('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
  }
  const now = env.clock.now();
  const suffix = arnSuffix(env.ids.hex32());
  const versionId = req.value ? req.token ?? env.ids.uuid() : undefined;
  return transact(env.store, async (tx) => {
    const existing = await tx.get<SecretRecord>(keys.secret(scope, req.name));
    if (existing && !gone(existing, now)) {
      if (req.token && (await isRetry(env, tx, scope, existing, req.token, req.value).catch(() => false))) {
        return { record: existing, versionId: req.token };
      }
      if (existing.deletedAt !== undefined) throw SecretsErrors.scheduledName();
      throw SecretsErrors.exists(req.name);
    }
    if (existing) clearValues(tx, scope, existing);
    const record: SecretRecord = {
      arn: secretArn(scope, req.name, suffix), name: req.name, tags: req.tags, versions: [], createdAt: now, lastChangedAt: now,
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.kmsKeyId !== undefined ? { kmsKeyId: req.kmsKeyId } : {}),
    };
    if (req.value && versionId) {
      const change = addVersion([], versionId, now);
      record.versions = change.versions;
      writeVersion(env, tx, scope, record, versionId, req.value, change);
    }
    tx.put(keys.secret(scope, req.name), record);
    return { record, versionId };
  });
}

/** Deletes every version value of `record` (the keys are known from its versions). */
function clearValues(tx: Tx, scope: Scope, record: SecretRecord): void {
  for (const v of record.versions) tx.delete(keys.value(scope, record.arn, v.versionId));
}

/** GetSecretValue: the version named by id or stage (AWSCURRENT when neither), opened. */
export async function getSecretValue(
  env: SecretsEnv, scope: Scope, secretId: string, select: { versionId?: string; versionStage?: string },
): Promise<{ record: SecretRecord; versionId: string; stages: string[]; createdAt: number; value: SecretValue }> {
  const now = env.clock.now();
  return read(env.store, async (tx) => {
    const record = await findActive(tx, scope, secretId, now);
    const stage = select.versionStage ?? (select.versionId === undefined ? AWSCURRENT : undefined);
    let version = select.versionId !== undefined ? record.versions.find((v) => v.versionId === select.versionId) : versionWithStage(record.versions, stage!);
    if (version && stage !== undefined && !version.stages.includes(stage)) version = undefined;
    if (!version) {
      throw select.versionId !== undefined
        ? SecretsErrors.valueNotFound(`VersionId: ${select.versionId}`)
        : SecretsErrors.valueNotFound(`staging label: ${stage}`);
    }
    const stored = await tx.get<ValueRecord>(keys.value(scope, record.arn, version.versionId));
    if (!stored) throw SecretsErrors.valueNotFound(`VersionId: ${version.versionId}`);
    return { record, versionId: version.versionId, stages: version.stages, createdAt: version.createdAt, value: open(env, record, version.versionId, stored) };
  });
}

/** PutSecretValue: a new version with `stages` (default AWSCURRENT; the version that had it becomes AWSPREVIOUS). */
export async function putSecretValue(
  env: SecretsEnv, scope: Scope, secretId: string, req: { value: SecretValue; token?: string; stages?: string[] },
): Promise<{ record: SecretRecord; versionId: string; stages: string[] }> {
  const now = env.clock.now();
  const versionId = req.token ?? env.ids.uuid();
  return transact(env.store, async (tx) => {
    const record = await findActive(tx, scope, secretId, now);
    if (await isRetry(env, tx, scope, record, versionId, req.value)) {
      return { record, versionId, stages: record.versions.find((v) => v.versionId === versionId)!.stages };
    }
    const change = addVersion(record.versions, versionId, now, req.stages?.length ? req.stages : [AWSCURRENT]);
    const updated = { ...record, versions: change.versions, lastChangedAt: now };
    writeVersion(env, tx, scope, updated, versionId, req.value, change);
    tx.put(keys.secret(scope, record.name), updated);
    return { record: updated, versionId, stages: change.versions.find((v) => v.versionId === versionId)!.stages };
  });
}

/** What UpdateSecret asks for. */
export interface UpdateSecretRequest {
  description?: string;
  kmsKeyId?: string;
  value?: SecretValue;
  token?: string;
}

/** UpdateSecret: its description and KMS key, and a new AWSCURRENT version when a value is given. */
export async function updateSecret(env: SecretsEnv, scope: Scope, secretId: string, req: UpdateSecretRequest): Promise<{ record: SecretRecord; versionId?: string }> {
  const now = env.clock.now();
  const versionId = req.value ? req.token ?? env.ids.uuid() : undefined;
  return transact(env.store, async (tx) => {
    let record = await findActive(tx, scope, secretId, now);
    if (versionId && (await isRetry(env, tx, scope, record, versionId, req.value))) return { record, versionId };
    record = {
      ...record, lastChangedAt: now,
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.kmsKeyId !== undefined ? { kmsKeyId: req.kmsKeyId } : {}),
    };
    if (req.value && versionId) {
      const change = addVersion(record.versions, versionId, now);
      record.versions = change.versions;
      writeVersion(env, tx, scope, record, versionId, req.value, change);
    }
    tx.put(keys.secret(scope, record.name), record);
    return { record, versionId };
  });
}

/** Applies `change` to the live, not deleted secret and writes it. */
async function modify(env: SecretsEnv, scope: Scope, secretId: string, change: (record: SecretRecord, tx: Tx) => SecretRecord, allowDeleted = false): Promise<SecretRecord> {
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const record = allowDeleted ? await find(tx, scope, secretId, now) : await findActive(tx, scope, secretId, now);
    const updated = change(record, tx);
    tx.put(keys.secret(scope, record.name), updated);
    return updated;
  });
}

/** UpdateSecretVersionStage. */
export async function updateSecretVersionStage(env: SecretsEnv, scope: Scope, secretId: string, stage: string, moveTo?: string, removeFrom?: string): Promise<SecretRecord> {
  return modify(env, scope, secretId, (record, tx) => {
    const change = moveStage(record.versions, stage, moveTo, removeFrom);
    for (const id of change.dropped) tx.delete(keys.value(scope, record.arn, id));
    return { ...record, versions: change.versions };
  });
}

/** DescribeSecret: the secret, also when scheduled for deletion. */
export async function describeSecret(env: SecretsEnv, scope: Scope, secretId: string): Promise<SecretRecord> {
  const now = env.clock.now();
  return read(env.store, (tx) => find(tx, scope, secretId, now));
}

/** What ListSecrets asks for. */
export interface ListSecretsRequest {
  filters?: SecretFilter[];
  includePlannedDeletion?: boolean;
  sortOrder?: 'asc' | 'desc';
  sortBy?: 'created-date' | 'last-accessed-date' | 'last-changed-date' | 'name';
}

/** ListSecrets: the live secrets its filters pass, by creation date (or name, or last change). */
export async function listSecrets(env: SecretsEnv, scope: Scope, req: ListSecretsRequest): Promise<SecretRecord[]> {
  const now = env.clock.now();
  const all = (await listDocs<SecretRecord>(env.store, keys.secrets(scope))).map((d) => d.value)
    .filter((r) => !gone(r, now) && (req.includePlannedDeletion || r.deletedAt === undefined))
    .filter((r) => matchesFilters(r, req.filters ?? []));
  const by = req.sortBy ?? 'created-date';
  const sortKey = (r: SecretRecord): string | number => (by === 'name' ? r.name : by === 'last-changed-date' ? r.lastChangedAt : r.createdAt);
  const sorted = all.sort((a, b) => {
    const [x, y] = [sortKey(a), sortKey(b)];
    return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
  return req.sortOrder === 'desc' ? sorted.reverse() : sorted;
}

/** DeleteSecret: scheduled after a recovery window (7 to 30 days, 30 by default), or at once when forced. */
export async function deleteSecret(env: SecretsEnv, scope: Scope, secretId: string, req: { recoveryWindowInDays?: number; force?: boolean }): Promise<SecretRecord> {
  if (req.force && req.recoveryWindowInDays !== undefined) {
    throw SecretsErrors.invalidParameter("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
  }
  const days = req.recoveryWindowInDays ?? 30;
  if (!req.force && (days < 7 || days > 30)) throw SecretsErrors.invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const record = await find(tx, scope, secretId, now);
    if (req.force) {
      tx.delete(keys.secret(scope, record.name));
      clearValues(tx, scope, record);
      return { ...record, deletedAt: now, deletionDate: now };
    }
    if (record.deletedAt !== undefined) {
      throw SecretsErrors.invalidRequest("You can't perform this operation on the secret because it was already scheduled for deletion.");
    }
    const updated = { ...record, deletedAt: now, deletionDate: now + days * DAY };
    tx.put(keys.secret(scope, record.name), updated);
    return updated;
  });
}

/** RestoreSecret: a secret scheduled for deletion is kept after all. */
export async function restoreSecret(env: SecretsEnv, scope: Scope, secretId: string): Promise<SecretRecord> {
  return modify(env, scope, secretId, (record) => {
    const { deletedAt: _deleted, deletionDate: _date, ...kept } = record;
    return kept;
  }, true);
}

/** PutResourcePolicy / DeleteResourcePolicy: the policy is JSON with statements (IAM evaluates identity policies; this one is kept and shown). */
export async function setResourcePolicy(env: SecretsEnv, scope: Scope, secretId: string, policy: string | undefined): Promise<SecretRecord> {
  if (policy !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw SecretsErrors.malformedPolicy('This resource policy contains a syntax error.');
    }
    if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) throw SecretsErrors.malformedPolicy('This resource policy contains an unsupported format.');
  }
  return modify(env, scope, secretId, (record) => {
    const { resourcePolicy: _old, ...rest } = record;
    return policy === undefined ? rest : { ...rest, resourcePolicy: policy };
  }, true);
}

/** TagResource: tags added, a key already there takes the new value (at most 50 tags). */
export async function tagSecret(env: SecretsEnv, scope: Scope, secretId: string, tags: SecretTag[]): Promise<SecretRecord> {
  return modify(env, scope, secretId, (record) => {
    const byKey = new Map(record.tags.map((t) => [t.key, t]));
    for (const t of tags) byKey.set(t.key, t);
    if (byKey.size > 50) throw SecretsErrors.validation('The number of tags on a secret can\'t exceed 50.');
    return { ...record, tags: [...byKey.values()] };
  }, true);
}

/** UntagResource. */
export async function untagSecret(env: SecretsEnv, scope: Scope, secretId: string, tagKeys: string[]): Promise<SecretRecord> {
  return modify(env, scope, secretId, (record) => ({ ...record, tags: record.tags.filter((t) => !tagKeys.includes(t.key)) }), true);
}

/**
 * The ARN IAM authorizes a request on: the secret's own when `secretId` names one, else the
 * ARN (or partial ARN) the request gave, else the partial ARN its name would have.
 */
export async function secretArnFor(store: Store, scope: Scope, secretId: string, now: number): Promise<string> {
  for (const c of candidatesFor(scope, secretId)) {
    const doc = await getDoc<SecretRecord>(store, keys.secret(scope, c.name));
    if (doc && c.matches(doc.value) && !gone(doc.value, now)) return doc.value.arn;
  }
  return secretId.startsWith('arn:') ? secretId : partialArn(scope, secretId);
}
