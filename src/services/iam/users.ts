/**
 * IAM's user, group and access key operations: thin handlers over the identity domain, each
 * with the ARN IAM authorizes it on and the condition keys it carries.
 */
import type { RequestContext } from '../../aws/index.ts';
import type { User } from '@aws-sdk/client-iam';
import * as identity from '../../identity/index.ts';
import { arnOf, need, pageIn, pageOut, tagConditions, tagKeyConditions, tagsIn, tagsOut, type IamDeps, type IamOperationTable } from './common.ts';
import { toAccessKeyMetadata, toGroup, toUser } from './shapes.ts';

/** The user an operation without UserName acts on: the caller, who must be an IAM user. */
function callerUserName(ctx: RequestContext): string {
  if (ctx.principal.kind !== 'user') throw identity.IamErrors.validation('Must specify userName when calling with non-User credentials');
  return ctx.principal.arn.slice(ctx.principal.arn.lastIndexOf('/') + 1);
}

const boundaryCondition = (arn: string | undefined) => (arn ? { 'iam:PermissionsBoundary': arn } : {});

/** Users: create, read, list, rename, delete, tag, permissions boundary. */
export function userOperations(deps: IamDeps): IamOperationTable {
  const user = (input: { UserName?: string; Path?: string }, ctx: RequestContext) => arnOf(deps, ctx, 'user', input.UserName, input.Path);
  return {
    CreateUser: {
      authorization: { resources: user, conditions: (i) => ({ ...tagConditions(i), ...boundaryCondition(i.PermissionsBoundary) }) },
      handler: async (i, ctx) => ({
        User: toUser(
          await identity.createUser(deps, ctx.account, {
            userName: need(i.UserName, 'userName'), path: i.Path, permissionsBoundary: i.PermissionsBoundary, tags: tagsIn(i.Tags),
          }),
        ),
      }),
    },
    GetUser: {
      authorization: { resources: (i, ctx) => (i.UserName ? user(i, ctx) : [ctx.principal.arn]) },
      handler: async (i, ctx) => {
        if (i.UserName === undefined && ctx.principal.kind === 'root') {
          const root = await identity.getRootUser(deps, ctx.account);
          // The root has no user name or path: the SDK's User shape requires them, IAM leaves them out.
          const rootUser: Partial<User> = { UserId: root.userId, Arn: root.arn, CreateDate: root.createDate };
          return { User: rootUser as User };
        }
        return { User: toUser(await identity.getUser(deps, ctx.account, i.UserName ?? callerUserName(ctx))) };
      },
    },
    ListUsers: {
      handler: async (i, ctx) => {
        const page = await identity.listUsers(deps, ctx.account, { ...pageIn(i), pathPrefix: i.PathPrefix });
        return { Users: page.items.map((u) => toUser(u, false)), ...pageOut(page) };
      },
    },
    UpdateUser: {
      authorization: { resources: user },
      handler: async (i, ctx) => {
        await identity.updateUser(deps, ctx.account, need(i.UserName, 'userName'), { newUserName: i.NewUserName, newPath: i.NewPath });
        return {};
      },
    },
    DeleteUser: {
      authorization: { resources: user },
      handler: async (i, ctx) => (await identity.deleteUser(deps, ctx.account, need(i.UserName, 'userName')), {}),
    },
    TagUser: {
      authorization: { resources: user, conditions: tagConditions },
      handler: async (i, ctx) => (await identity.tagUser(deps, ctx.account, need(i.UserName, 'userName'), tagsIn(i.Tags)), {}),
    },
    UntagUser: {
      authorization: { resources: user, conditions: tagKeyConditions },
      handler: async (i, ctx) => (await identity.untagUser(deps, ctx.account, need(i.UserName, 'userName'), i.TagKeys ?? []), {}),
    },
    ListUserTags: {
      authorization: { resources: user },
      handler: async (i, ctx) => {
        const page = await identity.listUserTags(deps, ctx.account, need(i.UserName, 'userName'), pageIn(i));
        return { Tags: tagsOut(page.items), ...pageOut(page) };
      },
    },
    PutUserPermissionsBoundary: {
      authorization: { resources: user, conditions: (i) => boundaryCondition(i.PermissionsBoundary) },
      handler: async (i, ctx) => {
        await identity.putPermissionsBoundary(deps, ctx.account, 'user', need(i.UserName, 'userName'), need(i.PermissionsBoundary, 'permissionsBoundary'));
        return {};
      },
    },
    DeleteUserPermissionsBoundary: {
      authorization: { resources: user },
      handler: async (i, ctx) => (await identity.deletePermissionsBoundary(deps, ctx.account, 'user', need(i.UserName, 'userName')), {}),
    },
  };
}

/** Groups and their members. */
export function groupOperations(deps: IamDeps): IamOperationTable {
  const group = (input: { GroupName?: string; Path?: string }, ctx: RequestContext) => arnOf(deps, ctx, 'group', input.GroupName, input.Path);
  return {
    CreateGroup: {
      authorization: { resources: group },
      handler: async (i, ctx) => ({ Group: toGroup(await identity.createGroup(deps, ctx.account, { groupName: need(i.GroupName, 'groupName'), path: i.Path })) }),
    },
    GetGroup: {
      authorization: { resources: group },
      handler: async (i, ctx) => {
        const page = await identity.getGroup(deps, ctx.account, need(i.GroupName, 'groupName'), pageIn(i));
        return { Group: toGroup(page.group), Users: page.items.map((u) => toUser(u, false)), ...pageOut(page) };
      },
    },
    ListGroups: {
      handler: async (i, ctx) => {
        const page = await identity.listGroups(deps, ctx.account, { ...pageIn(i), pathPrefix: i.PathPrefix });
        return { Groups: page.items.map(toGroup), ...pageOut(page) };
      },
    },
    DeleteGroup: {
      authorization: { resources: group },
      handler: async (i, ctx) => (await identity.deleteGroup(deps, ctx.account, need(i.GroupName, 'groupName')), {}),
    },
    AddUserToGroup: {
      authorization: { resources: group },
      handler: async (i, ctx) => (await identity.addUserToGroup(deps, ctx.account, need(i.GroupName, 'groupName'), need(i.UserName, 'userName')), {}),
    },
    RemoveUserFromGroup: {
      authorization: { resources: group },
      handler: async (i, ctx) => (await identity.removeUserFromGroup(deps, ctx.account, need(i.GroupName, 'groupName'), need(i.UserName, 'userName')), {}),
    },
    ListGroupsForUser: {
      authorization: { resources: (i, ctx) => arnOf(deps, ctx, 'user', i.UserName) },
      handler: async (i, ctx) => {
        const page = await identity.listGroupsForUser(deps, ctx.account, need(i.UserName, 'userName'), pageIn(i));
        return { Groups: page.items.map(toGroup), ...pageOut(page) };
      },
    },
  };
}

/** Access keys of users. */
export function accessKeyOperations(deps: IamDeps): IamOperationTable {
  const owner = (input: { UserName?: string }, ctx: RequestContext) =>
    input.UserName ? arnOf(deps, ctx, 'user', input.UserName) : [ctx.principal.kind === 'assumed-role' ? '*' : ctx.principal.arn];
  return {
    CreateAccessKey: {
      authorization: { resources: owner },
      handler: async (i, ctx) => {
        if (i.UserName === undefined && ctx.principal.kind === 'root') {
          throw identity.IamErrors.invalidInput("Wharf makes the account root's access key itself (wharf server writes it out); create access keys for IAM users.");
        }
        const key = await identity.createAccessKey(deps, ctx.account, i.UserName ?? callerUserName(ctx));
        return {
          AccessKey: { UserName: key.userName, AccessKeyId: key.accessKeyId, Status: key.status, SecretAccessKey: key.secretAccessKey ?? '', CreateDate: key.createDate },
        };
      },
    },
    ListAccessKeys: {
      authorization: { resources: owner },
      handler: async (i, ctx) => {
        // The root's key is Wharf's own and never listed.
        if (i.UserName === undefined && ctx.principal.kind === 'root') return { AccessKeyMetadata: [], IsTruncated: false };
        const page = await identity.listAccessKeys(deps, ctx.account, i.UserName ?? callerUserName(ctx), pageIn(i));
        return { AccessKeyMetadata: page.items.map(toAccessKeyMetadata), ...pageOut(page) };
      },
    },
    UpdateAccessKey: {
      authorization: { resources: owner },
      handler: async (i, ctx) => {
        const status = need(i.Status, 'status');
        if (status !== 'Active' && status !== 'Inactive') throw identity.IamErrors.invalidInput(`An access key cannot be made ${status}.`);
        await identity.updateAccessKey(deps, ctx.account, i.UserName ?? callerUserName(ctx), need(i.AccessKeyId, 'accessKeyId'), status);
        return {};
      },
    },
    DeleteAccessKey: {
      authorization: { resources: owner },
      handler: async (i, ctx) => {
        await identity.deleteAccessKey(deps, ctx.account, i.UserName ?? callerUserName(ctx), need(i.AccessKeyId, 'accessKeyId'));
        return {};
      },
    },
    GetAccessKeyLastUsed: {
      handler: async (i, ctx) => {
        const used = await identity.getAccessKeyLastUsed(deps, ctx.account, need(i.AccessKeyId, 'accessKeyId'));
        return {
          ...(used.userName ? { UserName: used.userName } : {}),
          AccessKeyLastUsed: { ...(used.lastUsedDate ? { LastUsedDate: used.lastUsedDate } : {}), ServiceName: used.serviceName, Region: used.region },
        };
      },
    },
  };
}
