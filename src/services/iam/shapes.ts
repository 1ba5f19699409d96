/**
 * The identity domain's views in the SDK's shapes, as IAM answers them: policy documents
 * URL-encoded, and the members IAM leaves out of list answers left out (ListUsers and ListRoles
 * carry no tags, boundary or last use).
 */
import type {
  AccessKeyMetadata, AttachedPermissionsBoundary, AttachedPolicy, Group, InstanceProfile, Policy, PolicyVersion, Role, User,
} from '@aws-sdk/client-iam';
import {
  encodePolicyDocument, type AccessKeyView, type AttachedPolicyView, type GroupView, type InstanceProfileView, type ManagedPolicyView,
  type PolicyVersionView, type RoleView, type UserView,
} from '../../identity/index.ts';
import { tagsOut } from './common.ts';

function boundary(arn: string | undefined): AttachedPermissionsBoundary | undefined {
  return arn ? { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: arn } : undefined;
}

/** A user; `full` adds the boundary and tags (GetUser, CreateUser). */
export function toUser(v: UserView, full = true): User {
  return {
    Path: v.path,
    UserName: v.userName,
    UserId: v.userId,
    Arn: v.arn,
    CreateDate: v.createDate,
    ...(full && v.permissionsBoundary ? { PermissionsBoundary: boundary(v.permissionsBoundary) } : {}),
    ...(full && v.tags.length ? { Tags: tagsOut(v.tags) } : {}),
  };
}

/** A group. */
export function toGroup(v: GroupView): Group {
  return { Path: v.path, GroupName: v.groupName, GroupId: v.groupId, Arn: v.arn, CreateDate: v.createDate };
}

/** A role, its trust policy URL-encoded; `full` adds boundary, tags and last use (GetRole). */
export function toRole(v: RoleView, full = true): Role {
  return {
    Path: v.path,
    RoleName: v.roleName,
    RoleId: v.roleId,
    Arn: v.arn,
    CreateDate: v.createDate,
    AssumeRolePolicyDocument: encodePolicyDocument(v.assumeRolePolicyDocument),
    ...(v.description !== undefined ? { Description: v.description } : {}),
    MaxSessionDuration: v.maxSessionDuration,
    ...(full && v.permissionsBoundary ? { PermissionsBoundary: boundary(v.permissionsBoundary) } : {}),
    ...(full && v.tags.length ? { Tags: tagsOut(v.tags) } : {}),
    ...(full ? { RoleLastUsed: v.lastUsed ? { LastUsedDate: v.lastUsed.date, Region: v.lastUsed.region } : {} } : {}),
  };
}

/** A managed policy; `full` adds its description and tags (GetPolicy, CreatePolicy). */
export function toPolicy(v: ManagedPolicyView, full = true): Policy {
  return {
    PolicyName: v.policyName,
    PolicyId: v.policyId,
    Arn: v.arn,
    Path: v.path,
    DefaultVersionId: v.defaultVersionId,
    AttachmentCount: v.attachmentCount,
    PermissionsBoundaryUsageCount: v.permissionsBoundaryUsageCount,
    IsAttachable: v.isAttachable,
    ...(full && v.description !== undefined ? { Description: v.description } : {}),
    CreateDate: v.createDate,
    UpdateDate: v.updateDate,
    ...(full && v.tags.length ? { Tags: tagsOut(v.tags) } : {}),
  };
}

/** A policy version; the document (URL-encoded) only where IAM returns it. */
export function toPolicyVersion(v: PolicyVersionView, withDocument: boolean): PolicyVersion {
  return {
    ...(withDocument ? { Document: encodePolicyDocument(v.document) } : {}),
    VersionId: v.versionId,
    IsDefaultVersion: v.isDefaultVersion,
    CreateDate: v.createDate,
  };
}

/** An attached policy. */
export function toAttachedPolicy(v: AttachedPolicyView): AttachedPolicy {
  return { PolicyName: v.policyName, PolicyArn: v.policyArn };
}

/** An instance profile with its role (roles as IAM lists them: no tags, boundary or last use). */
export function toInstanceProfile(v: InstanceProfileView): InstanceProfile {
  return {
    Path: v.path,
    InstanceProfileName: v.instanceProfileName,
    InstanceProfileId: v.instanceProfileId,
    Arn: v.arn,
    CreateDate: v.createDate,
    Roles: v.roles.map((r) => toRole(r, false)),
    ...(v.tags.length ? { Tags: tagsOut(v.tags) } : {}),
  };
}

/** An access key's metadata. */
export function toAccessKeyMetadata(v: AccessKeyView): AccessKeyMetadata {
  return { UserName: v.userName, AccessKeyId: v.accessKeyId, Status: v.status, CreateDate: v.createDate };
}
