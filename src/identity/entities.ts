/**
 * Reading IAM's principals inside a transaction by kind and name, with IAM's NoSuchEntity when
 * absent, so users, groups and roles share the code for their inline and attached policies,
 * their tags and every other change that loads one record, edits it and writes it back.
 */
import { transact, type Tx } from '../state/index.ts';
import type { IamEnv } from './env.ts';
import { IamErrors, type EntityKind } from './errors.ts';
import { iamKeys, type GroupRecord, type RoleRecord, type UserRecord } from './records.ts';

/** The stored record of each principal kind. */
export interface EntityRecords {
  user: UserRecord;
  group: GroupRecord;
  role: RoleRecord;
}

/** The key of a principal record. */
export function entityKey(kind: EntityKind, account: string, name: string): string {
  return kind === 'user' ? iamKeys.user(account, name) : kind === 'group' ? iamKeys.group(account, name) : iamKeys.role(account, name);
}

/** The prefix of all records of a kind. */
export function entityPrefix(kind: EntityKind, account: string): string {
  return kind === 'user' ? iamKeys.users(account) : kind === 'group' ? iamKeys.groups(account) : iamKeys.roles(account);
}

const notFound: Record<EntityKind, (name: string) => Error> = {
  user: IamErrors.noSuchUser,
  group: IamErrors.noSuchGroup,
  role: IamErrors.noSuchRole,
};

/** The principal's record, or IAM's NoSuchEntity for it. */
export async function loadEntity<K extends EntityKind>(tx: Tx, kind: K, account: string, name: string): Promise<EntityRecords[K]> {
  const record = await tx.get<EntityRecords[K]>(entityKey(kind, account, name));
  if (!record) throw notFound[kind](name);
  return record;
}

/** Writes a principal's record back under its (lowercased) name. */
export function saveEntity<K extends EntityKind>(tx: Tx, kind: K, account: string, record: EntityRecords[K]): void {
  tx.put(entityKey(kind, account, record.name), record);
}

/** Service-linked roles are AWS's to change: IAM refuses their policies, boundary, trust policy and deletion (UnmodifiableEntity). */
export function refuseServiceLinked(record: UserRecord | GroupRecord | RoleRecord): void {
  if ('serviceLinkedTo' in record && record.serviceLinkedTo) throw IamErrors.protectedRole(record.name);
}

/**
 * Loads a principal, lets `change` edit it, and writes it back, in one transaction; answers the
 * changed record. `protect` refuses the change for a service-linked role.
 */
export async function updateEntity<K extends EntityKind>(
  env: IamEnv, kind: K, account: string, name: string,
  change: (record: EntityRecords[K], tx: Tx) => void | Promise<void>, options: { protect?: boolean } = {},
): Promise<EntityRecords[K]> {
  return transact(env.store, async (tx) => {
    const record = await loadEntity(tx, kind, account, name);
    if (options.protect) refuseServiceLinked(record);
    await change(record, tx);
    saveEntity(tx, kind, account, record);
    return record;
  });
}
