/**
 * IAM's entities as the domain hands them out: decoded from their stored records, with ARNs
 * and dates made, in AWS's vocabulary. The IAM API adapter turns these into the SDK's shapes;
 * nothing outside `identity/` sees a stored record.
 */
import { entityArn } from './identifiers.ts';
import type {
  AccessKeyRecord, GroupRecord, InstanceProfileRecord, LastUsedRecord, PolicyRecord, PolicyVersionRecord, RoleRecord, TagRecord, UserRecord,
} from './records.ts';

/** A tag as the domain hands it out. */
export type Tag = TagRecord;

/** An IAM user. */
export interface UserView {
  userName: string;
  userId: string;
  arn: string;
  path: string;
  createDate: Date;
  permissionsBoundary?: string;
  tags: Tag[];
}

/** An IAM group. */
export interface GroupView {
  groupName: string;
  groupId: string;
  arn: string;
  path: string;
  createDate: Date;
}

/** An IAM role. `assumeRolePolicyDocument` is the document as stored (the adapter URL-encodes it). */
export interface RoleView {
  roleName: string;
  roleId: string;
  arn: string;
  path: string;
  createDate: Date;
  assumeRolePolicyDocument: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: Tag[];
  lastUsed?: { date: Date; region: string };
}

/** A managed policy, customer or AWS. */
export interface ManagedPolicyView {
  policyName: string;
  policyId: string;
  arn: string;
  path: string;
  defaultVersionId: string;
  attachmentCount: number;
  permissionsBoundaryUsageCount: number;
  isAttachable: boolean;
  description?: string;
  createDate: Date;
  updateDate: Date;
  tags: Tag[];
}

/** One version of a managed policy. */
export interface PolicyVersionView {
  versionId: string;
  isDefaultVersion: boolean;
  createDate: Date;
  document: string;
}

/** A managed policy attached to a user, group or role. */
export interface AttachedPolicyView {
  policyName: string;
  policyArn: string;
}

/** An instance profile with its role. */
export interface InstanceProfileView {
  instanceProfileName: string;
  instanceProfileId: string;
  arn: string;
  path: string;
  createDate: Date;
  roles: RoleView[];
  tags: Tag[];
}

/** An access key's metadata; the secret only when it has just been created. */
export interface AccessKeyView {
  userName: string;
  accessKeyId: string;
  status: 'Active' | 'Inactive';
  createDate: Date;
  secretAccessKey?: string;
}

/** Decodes a user record. */
export function userView(account: string, r: UserRecord): UserView {
  return {
    userName: r.name,
    userId: r.id,
    arn: entityArn(account, 'user', r.path, r.name),
    path: r.path,
    createDate: new Date(r.createdAt),
    permissionsBoundary: r.permissionsBoundary,
    tags: r.tags,
  };
}

/** Decodes a group record. */
export function groupView(account: string, r: GroupRecord): GroupView {
  return { groupName: r.name, groupId: r.id, arn: entityArn(account, 'group', r.path, r.name), path: r.path, createDate: new Date(r.createdAt) };
}

/** Decodes a role record, with its last use when known. */
export function roleView(account: string, r: RoleRecord, lastUsed?: LastUsedRecord): RoleView {
  return {
    roleName: r.name,
    roleId: r.id,
    arn: entityArn(account, 'role', r.path, r.name),
    path: r.path,
    createDate: new Date(r.createdAt),
    assumeRolePolicyDocument: r.trustPolicy,
    description: r.description,
    maxSessionDuration: r.maxSessionDuration,
    permissionsBoundary: r.permissionsBoundary,
    tags: r.tags,
    lastUsed: lastUsed && { date: new Date(lastUsed.at), region: lastUsed.region },
  };
}

/** Decodes a customer managed policy record. */
export function policyView(account: string, r: PolicyRecord): ManagedPolicyView {
  return {
    policyName: r.name,
    policyId: r.id,
    arn: entityArn(account, 'policy', r.path, r.name),
    path: r.path,
    defaultVersionId: r.defaultVersionId,
    attachmentCount: r.attachmentCount,
    permissionsBoundaryUsageCount: r.boundaryUsageCount,
    isAttachable: true,
    description: r.description,
    createDate: new Date(r.createdAt),
    updateDate: new Date(r.updatedAt),
    tags: r.tags,
  };
}

/** Decodes one version of a customer managed policy. */
export function policyVersionView(r: PolicyVersionRecord, defaultVersionId: string): PolicyVersionView {
  return { versionId: r.versionId, isDefaultVersion: r.versionId === defaultVersionId, createDate: new Date(r.createdAt), document: r.document };
}

/** Decodes an instance profile record with its roles' records. */
export function instanceProfileView(account: string, r: InstanceProfileRecord, roles: RoleRecord[]): InstanceProfileView {
  return {
    instanceProfileName: r.name,
    instanceProfileId: r.id,
    arn: entityArn(account, 'instance-profile', r.path, r.name),
    path: r.path,
    createDate: new Date(r.createdAt),
    roles: roles.map((role) => roleView(account, role)),
    tags: r.tags,
  };
}

/** Decodes an access key record (without its secret). */
export function accessKeyView(r: AccessKeyRecord): AccessKeyView {
  return { userName: r.userName ?? '', accessKeyId: r.accessKeyId, status: r.status, createDate: new Date(r.createdAt) };
}
