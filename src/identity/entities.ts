/**
 * Reading IAM's principals inside a transaction by kind and name, with IAM's NoSuchEntity when
 * absent, so users, groups and roles share the code for their inline and attached policies.
 */
import type { Tx } from '../state/index.ts';
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
