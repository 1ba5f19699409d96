/**
 * IAM's policy operations: managed policies and their versions, attaching them to users,
 * groups and roles, and inline policies. Thin handlers over the identity domain; documents go
 * out URL-encoded, as IAM sends them.
 */
import type { RequestContext } from '../../aws/index.ts';
import * as identity from '../../identity/index.ts';
import {
  arnOf, need, pageIn, pageOut, policyResource, tagConditions, tagKeyConditions, tagsIn, tagsOut, type IamDeps, type IamOperationTable,
} from './common.ts';
import { toAttachedPolicy, toPolicy, toPolicyVersion } from './shapes.ts';

/** Managed policies: create, read, list, versions, delete, tags, who uses them. */
export function managedPolicyOperations(deps: IamDeps): IamOperationTable {
  const policy = (i: { PolicyArn?: string }) => policyResource(i.PolicyArn);
  const arn = (i: { PolicyArn?: string }) => need(i.PolicyArn, 'policyArn');
  return {
    CreatePolicy: {
      authorization: {
        resources: (i, ctx) => [identity.entityArn(ctx.account, 'policy', i.Path ?? '/', i.PolicyName ?? '')],
        conditions: tagConditions,
      },
      handler: async (i, ctx) => ({
        Policy: toPolicy(
          await identity.createPolicy(deps, ctx.account, {
            policyName: need(i.PolicyName, 'policyName'),
            path: i.Path,
            policyDocument: need(i.PolicyDocument, 'policyDocument'),
            description: i.Description,
            tags: tagsIn(i.Tags),
          }),
        ),
      }),
    },
    GetPolicy: {
      authorization: { resources: policy },
      handler: async (i, ctx) => ({ Policy: toPolicy(await identity.getPolicy(deps, ctx.account, arn(i))) }),
    },
    ListPolicies: {
      handler: async (i, ctx) => {
        const page = await identity.listPolicies(deps, ctx.account, {
          ...pageIn(i), scope: i.Scope, onlyAttached: i.OnlyAttached, pathPrefix: i.PathPrefix, policyUsageFilter: i.PolicyUsageFilter,
        });
        return { Policies: page.items.map((p) => toPolicy(p, false)), ...pageOut(page) };
      },
    },
    DeletePolicy: {
      authorization: { resources: policy },
      handler: async (i, ctx) => (await identity.deletePolicy(deps, ctx.account, arn(i)), {}),
    },
    CreatePolicyVersion: {
      authorization: { resources: policy },
      handler: async (i, ctx) => {
        const version = await identity.createPolicyVersion(deps, ctx.account, arn(i), need(i.PolicyDocument, 'policyDocument'), i.SetAsDefault ?? false);
        return { PolicyVersion: toPolicyVersion(version, false) };
      },
    },
    GetPolicyVersion: {
      authorization: { resources: policy },
      handler: async (i, ctx) => ({
        PolicyVersion: toPolicyVersion(await identity.getPolicyVersion(deps, ctx.account, arn(i), need(i.VersionId, 'versionId')), true),
      }),
    },
    ListPolicyVersions: {
      authorization: { resources: policy },
      handler: async (i, ctx) => {
        const page = await identity.listPolicyVersions(deps, ctx.account, arn(i), pageIn(i));
        return { Versions: page.items.map((v) => toPolicyVersion(v, false)), ...pageOut(page) };
      },
    },
    DeletePolicyVersion: {
      authorization: { resources: policy },
      handler: async (i, ctx) => (await identity.deletePolicyVersion(deps, ctx.account, arn(i), need(i.VersionId, 'versionId')), {}),
    },
    SetDefaultPolicyVersion: {
      authorization: { resources: policy },
      handler: async (i, ctx) => (await identity.setDefaultPolicyVersion(deps, ctx.account, arn(i), need(i.VersionId, 'versionId')), {}),
    },
    ListEntitiesForPolicy: {
      authorization: { resources: policy },
      handler: async (i, ctx) => {
        const page = await identity.listEntitiesForPolicy(deps, ctx.account, arn(i), {
          ...pageIn(i), entityFilter: i.EntityFilter, pathPrefix: i.PathPrefix, usage: i.PolicyUsageFilter,
        });
        const of = (kind: identity.EntityKind) => page.items.filter((e) => e.kind === kind);
        return {
          PolicyGroups: of('group').map((e) => ({ GroupName: e.name, GroupId: e.id })),
          PolicyUsers: of('user').map((e) => ({ UserName: e.name, UserId: e.id })),
          PolicyRoles: of('role').map((e) => ({ RoleName: e.name, RoleId: e.id })),
          ...pageOut(page),
        };
      },
    },
    TagPolicy: {
      authorization: { resources: policy, conditions: tagConditions },
      handler: async (i, ctx) => (await identity.tagPolicy(deps, ctx.account, arn(i), tagsIn(i.Tags)), {}),
    },
    UntagPolicy: {
      authorization: { resources: policy, conditions: tagKeyConditions },
      handler: async (i, ctx) => (await identity.untagPolicy(deps, ctx.account, arn(i), i.TagKeys ?? []), {}),
    },
    ListPolicyTags: {
      authorization: { resources: policy },
      handler: async (i, ctx) => {
        const page = await identity.listPolicyTags(deps, ctx.account, arn(i), pageIn(i));
        return { Tags: tagsOut(page.items), ...pageOut(page) };
      },
    },
  };
}

/** Attaching managed policies to users, groups and roles. */
export function attachmentOperations(deps: IamDeps): IamOperationTable {
  const on = (kind: identity.EntityKind, name: string | undefined, ctx: RequestContext) => arnOf(deps, ctx, kind, name);
  const policyArn = (i: { PolicyArn?: string }) => (i.PolicyArn ? { 'iam:PolicyARN': i.PolicyArn } : {});
  const attach = (kind: identity.EntityKind, name: string | undefined, arn: string | undefined, ctx: RequestContext) =>
    identity.attachPolicy(deps, ctx.account, kind, need(name, `${kind}Name`), need(arn, 'policyArn')).then(() => ({}));
  const detach = (kind: identity.EntityKind, name: string | undefined, arn: string | undefined, ctx: RequestContext) =>
    identity.detachPolicy(deps, ctx.account, kind, need(name, `${kind}Name`), need(arn, 'policyArn')).then(() => ({}));
  const list = async (kind: identity.EntityKind, name: string | undefined, i: { PathPrefix?: string; Marker?: string; MaxItems?: number }, ctx: RequestContext) => {
    const page = await identity.listAttachedPolicies(deps, ctx.account, kind, need(name, `${kind}Name`), { ...pageIn(i), pathPrefix: i.PathPrefix });
    return { AttachedPolicies: page.items.map(toAttachedPolicy), ...pageOut(page) };
  };
  return {
    AttachUserPolicy: {
      authorization: { resources: (i, ctx) => on('user', i.UserName, ctx), conditions: policyArn },
      handler: (i, ctx) => attach('user', i.UserName, i.PolicyArn, ctx),
    },
    AttachGroupPolicy: {
      authorization: { resources: (i, ctx) => on('group', i.GroupName, ctx), conditions: policyArn },
      handler: (i, ctx) => attach('group', i.GroupName, i.PolicyArn, ctx),
    },
    AttachRolePolicy: {
      authorization: { resources: (i, ctx) => on('role', i.RoleName, ctx), conditions: policyArn },
      handler: (i, ctx) => attach('role', i.RoleName, i.PolicyArn, ctx),
    },
    DetachUserPolicy: {
      authorization: { resources: (i, ctx) => on('user', i.UserName, ctx), conditions: policyArn },
      handler: (i, ctx) => detach('user', i.UserName, i.PolicyArn, ctx),
    },
    DetachGroupPolicy: {
      authorization: { resources: (i, ctx) => on('group', i.GroupName, ctx), conditions: policyArn },
      handler: (i, ctx) => detach('group', i.GroupName, i.PolicyArn, ctx),
    },
    DetachRolePolicy: {
      authorization: { resources: (i, ctx) => on('role', i.RoleName, ctx), conditions: policyArn },
      handler: (i, ctx) => detach('role', i.RoleName, i.PolicyArn, ctx),
    },
    ListAttachedUserPolicies: { authorization: { resources: (i, ctx) => on('user', i.UserName, ctx) }, handler: (i, ctx) => list('user', i.UserName, i, ctx) },
    ListAttachedGroupPolicies: { authorization: { resources: (i, ctx) => on('group', i.GroupName, ctx) }, handler: (i, ctx) => list('group', i.GroupName, i, ctx) },
    ListAttachedRolePolicies: { authorization: { resources: (i, ctx) => on('role', i.RoleName, ctx) }, handler: (i, ctx) => list('role', i.RoleName, i, ctx) },
  };
}

/** Inline policies of users, groups and roles. */
export function inlinePolicyOperations(deps: IamDeps): IamOperationTable {
  const on = (kind: identity.EntityKind, name: string | undefined, ctx: RequestContext) => arnOf(deps, ctx, kind, name);
  const put = (kind: identity.EntityKind, name: string | undefined, i: { PolicyName?: string; PolicyDocument?: string }, ctx: RequestContext) =>
    identity
      .putInlinePolicy(deps, ctx.account, kind, need(name, `${kind}Name`), need(i.PolicyName, 'policyName'), need(i.PolicyDocument, 'policyDocument'))
      .then(() => ({}));
  const get = (kind: identity.EntityKind, name: string | undefined, i: { PolicyName?: string }, ctx: RequestContext) =>
    identity.getInlinePolicy(deps, ctx.account, kind, need(name, `${kind}Name`), need(i.PolicyName, 'policyName'));
  const del = (kind: identity.EntityKind, name: string | undefined, i: { PolicyName?: string }, ctx: RequestContext) =>
    identity.deleteInlinePolicy(deps, ctx.account, kind, need(name, `${kind}Name`), need(i.PolicyName, 'policyName')).then(() => ({}));
  const list = async (kind: identity.EntityKind, name: string | undefined, i: { Marker?: string; MaxItems?: number }, ctx: RequestContext) => {
    const page = await identity.listInlinePolicies(deps, ctx.account, kind, need(name, `${kind}Name`), pageIn(i));
    return { PolicyNames: page.items, ...pageOut(page) };
  };
  const encode = identity.encodePolicyDocument;
  return {
    PutUserPolicy: { authorization: { resources: (i, ctx) => on('user', i.UserName, ctx) }, handler: (i, ctx) => put('user', i.UserName, i, ctx) },
    PutGroupPolicy: { authorization: { resources: (i, ctx) => on('group', i.GroupName, ctx) }, handler: (i, ctx) => put('group', i.GroupName, i, ctx) },
    PutRolePolicy: { authorization: { resources: (i, ctx) => on('role', i.RoleName, ctx) }, handler: (i, ctx) => put('role', i.RoleName, i, ctx) },
    GetUserPolicy: {
      authorization: { resources: (i, ctx) => on('user', i.UserName, ctx) },
      handler: async (i, ctx) => {
        const p = await get('user', i.UserName, i, ctx);
        return { UserName: p.entityName, PolicyName: i.PolicyName!, PolicyDocument: encode(p.document) };
      },
    },
    GetGroupPolicy: {
      authorization: { resources: (i, ctx) => on('group', i.GroupName, ctx) },
      handler: async (i, ctx) => {
        const p = await get('group', i.GroupName, i, ctx);
        return { GroupName: p.entityName, PolicyName: i.PolicyName!, PolicyDocument: encode(p.document) };
      },
    },
    GetRolePolicy: {
      authorization: { resources: (i, ctx) => on('role', i.RoleName, ctx) },
      handler: async (i, ctx) => {
        const p = await get('role', i.RoleName, i, ctx);
        return { RoleName: p.entityName, PolicyName: i.PolicyName!, PolicyDocument: encode(p.document) };
      },
    },
    DeleteUserPolicy: { authorization: { resources: (i, ctx) => on('user', i.UserName, ctx) }, handler: (i, ctx) => del('user', i.UserName, i, ctx) },
    DeleteGroupPolicy: { authorization: { resources: (i, ctx) => on('group', i.GroupName, ctx) }, handler: (i, ctx) => del('group', i.GroupName, i, ctx) },
    DeleteRolePolicy: { authorization: { resources: (i, ctx) => on('role', i.RoleName, ctx) }, handler: (i, ctx) => del('role', i.RoleName, i, ctx) },
    ListUserPolicies: { authorization: { resources: (i, ctx) => on('user', i.UserName, ctx) }, handler: (i, ctx) => list('user', i.UserName, i, ctx) },
    ListGroupPolicies: { authorization: { resources: (i, ctx) => on('group', i.GroupName, ctx) }, handler: (i, ctx) => list('group', i.GroupName, i, ctx) },
    ListRolePolicies: { authorization: { resources: (i, ctx) => on('role', i.RoleName, ctx) }, handler: (i, ctx) => list('role', i.RoleName, i, ctx) },
  };
}
