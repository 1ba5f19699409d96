/**
 * Long-term access keys: at most two per user (and two for the account root), Active or
 * Inactive, with when, where and for which service each was last used. Keys are stored by id,
 * outside any account's prefix, because a request names only its key id.
 */
import type { Clock, Ids } from '../common/index.ts';
import { transact, type Store } from '../state/index.ts';
import { pageOf, type IamEnv, type Page, type PageRequest } from './env.ts';
import { IamErrors } from './errors.ts';
import { accessKeyId, secretAccessKey } from './identifiers.ts';
import { iamKeys, type AccessKeyRecord, type AccessKeyStatus, type LastUsedRecord, type RootKeyPointer } from './records.ts';
import { entityKey, loadEntity } from './entities.ts';
import { accessKeyView, type AccessKeyView } from './views.ts';

/** The most access keys a user (or the root) may have. */
export const ACCESS_KEYS_PER_USER = 2;

/** Creates an access key for a user (the secret is shown only in this answer). */
export async function createAccessKey(env: IamEnv, account: string, userName: string): Promise<AccessKeyView> {
  return transact(env.store, async (tx) => {
    const user = await loadEntity(tx, 'user', account, userName);
    if (user.accessKeys.length >= ACCESS_KEYS_PER_USER) throw IamErrors.quota('AccessKeysPerUser', ACCESS_KEYS_PER_USER);
    const record: AccessKeyRecord = {
      accessKeyId: accessKeyId(env.ids),
      secretAccessKey: secretAccessKey(env.ids),
      account,
      userName: user.name,
      userId: user.id,
      status: 'Active',
      createdAt: env.clock.now(),
    };
    user.accessKeys.push(record.accessKeyId);
    tx.put(entityKey('user', account, user.name), user);
    tx.put(iamKeys.accessKey(record.accessKeyId), record);
    return { ...accessKeyView(record), secretAccessKey: record.secretAccessKey };
  });
}

/**
 * The account root's access key, created the first time it is asked for. The server writes it
 * where the operator finds it; it is never listed among users' keys.
 */
export async function ensureRootAccessKey(
  store: Store, account: string, ids: Ids, clock: Clock, seed?: { accessKeyId: string; secretAccessKey: string },
): Promise<{ accessKeyId: string; secretAccessKey: string; created: boolean }> {
  return transact(store, async (tx) => {
    const pointer = await tx.get<RootKeyPointer>(iamKeys.rootKey(account));
    if (pointer) {
      const existing = await tx.get<AccessKeyRecord>(iamKeys.accessKey(pointer.accessKeyId));
      if (existing) return { accessKeyId: existing.accessKeyId, secretAccessKey: existing.secretAccessKey, created: false };
    }
    const record: AccessKeyRecord = {
      accessKeyId: seed?.accessKeyId ?? accessKeyId(ids),
      secretAccessKey: seed?.secretAccessKey ?? secretAccessKey(ids),
      account,
      root: true,
      status: 'Active',
      createdAt: clock.now(),
    };
    if (await tx.get<AccessKeyRecord>(iamKeys.accessKey(record.accessKeyId))) {
      throw new Error(`The root access key ${record.accessKeyId} is already another principal's key.`);
    }
    tx.put(iamKeys.accessKey(record.accessKeyId), record);
    tx.put(iamKeys.rootKey(account), { accessKeyId: record.accessKeyId } satisfies RootKeyPointer);
    return { accessKeyId: record.accessKeyId, secretAccessKey: record.secretAccessKey, created: true };
  });
}

/** A user's access keys (metadata only), paged. */
export async function listAccessKeys(env: IamEnv, account: string, userName: string, page: PageRequest): Promise<Page<AccessKeyView>> {
  const keys = await transact(env.store, async (tx) => {
    const user = await loadEntity(tx, 'user', account, userName);
    const out: AccessKeyView[] = [];
    for (const id of user.accessKeys) {
      const record = await tx.get<AccessKeyRecord>(iamKeys.accessKey(id));
      if (record) out.push(accessKeyView(record));
    }
    return out;
  });
  return pageOf(keys, (k) => k.accessKeyId, page);
}

/** Reads a user's key for a change: it must be that user's. */
async function userKey(env: IamEnv, account: string, userName: string, id: string, change: (record: AccessKeyRecord) => void | 'delete'): Promise<void> {
  await transact(env.store, async (tx) => {
    const user = await loadEntity(tx, 'user', account, userName);
    const record = await tx.get<AccessKeyRecord>(iamKeys.accessKey(id));
    if (!record || record.account !== account || record.userId !== user.id) throw IamErrors.noSuchAccessKey(id);
    if (change(record) === 'delete') {
      user.accessKeys = user.accessKeys.filter((k) => k !== id);
      tx.put(entityKey('user', account, user.name), user);
      tx.delete(iamKeys.accessKey(id));
      tx.delete(iamKeys.accessKeyLastUsed(id));
    } else {
      tx.put(iamKeys.accessKey(id), record);
    }
  });
}

/** Makes a user's key Active or Inactive. */
export async function updateAccessKey(env: IamEnv, account: string, userName: string, id: string, status: AccessKeyStatus): Promise<void> {
  await userKey(env, account, userName, id, (record) => void (record.status = status));
}

/** Deletes a user's key. */
export async function deleteAccessKey(env: IamEnv, account: string, userName: string, id: string): Promise<void> {
  await userKey(env, account, userName, id, () => 'delete');
}

/** When, where and for what service a key was last used; `N/A` before its first use, as IAM says. */
export async function getAccessKeyLastUsed(
  env: IamEnv, account: string, id: string,
): Promise<{ userName?: string; lastUsedDate?: Date; serviceName: string; region: string }> {
  const kv = await env.store.get(iamKeys.accessKey(id));
  const record = kv && (JSON.parse(kv.value) as AccessKeyRecord);
  if (!record || record.account !== account) throw IamErrors.noSuchAccessKey(id);
  const usedKv = await env.store.get(iamKeys.accessKeyLastUsed(id));
  const used = usedKv && (JSON.parse(usedKv.value) as LastUsedRecord);
  return {
    userName: record.userName,
    lastUsedDate: used ? new Date(used.at) : undefined,
    serviceName: used?.service ?? 'N/A',
    region: used?.region ?? 'N/A',
  };
}

/** Notes a key's use; written only while the key exists, so a late stamp never outlives it. */
export async function noteAccessKeyUsed(env: IamEnv, id: string, service: string, region: string): Promise<void> {
  await transact(env.store, async (tx) => {
    if (!(await tx.get(iamKeys.accessKey(id)))) return;
    tx.put(iamKeys.accessKeyLastUsed(id), { at: env.clock.now(), service, region } satisfies LastUsedRecord);
  });
}

/** Reads an access key by id (for signing-key lookups). */
export async function readAccessKey(store: Store, id: string): Promise<AccessKeyRecord | undefined> {
  const kv = await store.get(iamKeys.accessKey(id));
  return kv ? (JSON.parse(kv.value) as AccessKeyRecord) : undefined;
}
