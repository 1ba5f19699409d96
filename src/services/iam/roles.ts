/**
 * IAM's role, service-linked role and instance profile operations: thin handlers over the
 * identity domain, each with the ARN IAM authorizes it on.
 */
import type { RequestContext } from '../../aws/index.ts';
import * as identity from '../../identity/index.ts';
import { arnOf, need, pageIn, pageOut, tagConditions, tagKeyConditions, tagsIn, tagsOut, type IamDeps, type IamOperationTable } from './common.ts';
import { toInstanceProfile, toRole } from './shapes.ts';

const boundaryCondition = (arn: string | undefined) => (arn ? { 'iam:PermissionsBoundary': arn } : {});

/** Roles: create, read, list, update, trust policy, delete, tags, boundary. */
export function roleOperations(deps: IamDeps): IamOperationTable {
  const role = (input: { RoleName?: string; Path?: string }, ctx: RequestContext) => arnOf(deps, ctx, 'role', input.RoleName, input.Path);
  const name = (input: { RoleName?: string }) => need(input.RoleName, 'roleName');
  return {
    CreateRole: {
      authorization: { resources: role, conditions: (i) => ({ ...tagConditions(i), ...boundaryCondition(i.PermissionsBoundary) }) },
      handler: async (i, ctx) => ({
        Role: toRole(
          await identity.createRole(deps, ctx.account, {
            roleName: name(i),
            path: i.Path,
            assumeRolePolicyDocument: need(i.AssumeRolePolicyDocument, 'assumeRolePolicyDocument'),
            description: i.Description,
            maxSessionDuration: i.MaxSessionDuration,
            permissionsBoundary: i.PermissionsBoundary,
            tags: tagsIn(i.Tags),
          }),
        ),
      }),
    },
    GetRole: {
      authorization: { resources: role },
      handler: async (i, ctx) => ({ Role: toRole(await identity.getRole(deps, ctx.account, name(i))) }),
    },
    ListRoles: {
      handler: async (i, ctx) => {
        const page = await identity.listRoles(deps, ctx.account, { ...pageIn(i), pathPrefix: i.PathPrefix });
        return { Roles: page.items.map((r) => toRole(r, false)), ...pageOut(page) };
      },
    },
    UpdateRole: {
      authorization: { resources: role },
      handler: async (i, ctx) => {
        await identity.updateRole(deps, ctx.account, name(i), { description: i.Description, maxSessionDuration: i.MaxSessionDuration });
        return {};
      },
    },
    UpdateRoleDescription: {
      authorization: { resources: role },
      handler: async (i, ctx) => ({ Role: toRole(await identity.updateRoleDescription(deps, ctx.account, name(i), need(i.Description, 'description'))) }),
    },
    UpdateAssumeRolePolicy: {
      authorization: { resources: role },
      handler: async (i, ctx) => (await identity.updateAssumeRolePolicy(deps, ctx.account, name(i), need(i.PolicyDocument, 'policyDocument')), {}),
    },
    DeleteRole: {
      authorization: { resources: role },
      handler: async (i, ctx) => (await identity.deleteRole(deps, ctx.account, name(i)), {}),
    },
    TagRole: {
      authorization: { resources: role, conditions: tagConditions },
      handler: async (i, ctx) => (await identity.tagRole(deps, ctx.account, name(i), tagsIn(i.Tags)), {}),
    },
    UntagRole: {
      authorization: { resources: role, conditions: tagKeyConditions },
      handler: async (i, ctx) => (await identity.untagRole(deps, ctx.account, name(i), i.TagKeys ?? []), {}),
    },
    ListRoleTags: {
      authorization: { resources: role },
      handler: async (i, ctx) => {
        const page = await identity.listRoleTags(deps, ctx.account, name(i), pageIn(i));
        return { Tags: tagsOut(page.items), ...pageOut(page) };
      },
    },
    PutRolePermissionsBoundary: {
      authorization: { resources: role, conditions: (i) => boundaryCondition(i.PermissionsBoundary) },
      handler: async (i, ctx) => {
        await identity.putPermissionsBoundary(deps, ctx.account, 'role', name(i), need(i.PermissionsBoundary, 'permissionsBoundary'));
        return {};
      },
    },
    DeleteRolePermissionsBoundary: {
      authorization: { resources: role },
      handler: async (i, ctx) => (await identity.deletePermissionsBoundary(deps, ctx.account, 'role', name(i)), {}),
    },
    CreateServiceLinkedRole: {
      authorization: {
        resources: (i, ctx) => [identity.entityArn(ctx.account, 'role', `/aws-service-role/${i.AWSServiceName ?? ''}/`, '*')],
        conditions: (i) => (i.AWSServiceName ? { 'iam:AWSServiceName': i.AWSServiceName } : {}),
      },
      handler: async (i, ctx) => ({
        Role: toRole(
          await identity.createServiceLinkedRole(deps, ctx.account, {
            awsServiceName: need(i.AWSServiceName, 'aWSServiceName'), description: i.Description, customSuffix: i.CustomSuffix,
          }),
        ),
      }),
    },
    DeleteServiceLinkedRole: {
      authorization: { resources: role },
      handler: async (i, ctx) => ({ DeletionTaskId: await identity.deleteServiceLinkedRole(deps, ctx.account, name(i)) }),
    },
    GetServiceLinkedRoleDeletionStatus: {
      handler: async (i, ctx) => ({ Status: await identity.getServiceLinkedRoleDeletionStatus(deps, ctx.account, need(i.DeletionTaskId, 'deletionTaskId')) }),
    },
  };
}

/** Instance profiles and their role. */
export function instanceProfileOperations(deps: IamDeps): IamOperationTable {
  const profile = (input: { InstanceProfileName?: string; Path?: string }, ctx: RequestContext) =>
    arnOf(deps, ctx, 'instance-profile', input.InstanceProfileName, input.Path);
  const name = (input: { InstanceProfileName?: string }) => need(input.InstanceProfileName, 'instanceProfileName');
  return {
    CreateInstanceProfile: {
      authorization: { resources: profile, conditions: tagConditions },
      handler: async (i, ctx) => ({
        InstanceProfile: toInstanceProfile(
          await identity.createInstanceProfile(deps, ctx.account, { instanceProfileName: name(i), path: i.Path, tags: tagsIn(i.Tags) }),
        ),
      }),
    },
    GetInstanceProfile: {
      authorization: { resources: profile },
      handler: async (i, ctx) => ({ InstanceProfile: toInstanceProfile(await identity.getInstanceProfile(deps, ctx.account, name(i))) }),
    },
    ListInstanceProfiles: {
      handler: async (i, ctx) => {
        const page = await identity.listInstanceProfiles(deps, ctx.account, { ...pageIn(i), pathPrefix: i.PathPrefix });
        return { InstanceProfiles: page.items.map(toInstanceProfile), ...pageOut(page) };
      },
    },
    ListInstanceProfilesForRole: {
      authorization: { resources: (i, ctx) => arnOf(deps, ctx, 'role', i.RoleName) },
      handler: async (i, ctx) => {
        const page = await identity.listInstanceProfilesForRole(deps, ctx.account, need(i.RoleName, 'roleName'), pageIn(i));
        return { InstanceProfiles: page.items.map(toInstanceProfile), ...pageOut(page) };
      },
    },
    DeleteInstanceProfile: {
      authorization: { resources: profile },
      handler: async (i, ctx) => (await identity.deleteInstanceProfile(deps, ctx.account, name(i)), {}),
    },
    AddRoleToInstanceProfile: {
      authorization: { resources: profile },
      handler: async (i, ctx) => (await identity.addRoleToInstanceProfile(deps, ctx.account, name(i), need(i.RoleName, 'roleName')), {}),
    },
    RemoveRoleFromInstanceProfile: {
      authorization: { resources: profile },
      handler: async (i, ctx) => (await identity.removeRoleFromInstanceProfile(deps, ctx.account, name(i), need(i.RoleName, 'roleName')), {}),
    },
    TagInstanceProfile: {
      authorization: { resources: profile, conditions: tagConditions },
      handler: async (i, ctx) => (await identity.tagInstanceProfile(deps, ctx.account, name(i), tagsIn(i.Tags)), {}),
    },
    UntagInstanceProfile: {
      authorization: { resources: profile, conditions: tagKeyConditions },
      handler: async (i, ctx) => (await identity.untagInstanceProfile(deps, ctx.account, name(i), i.TagKeys ?? []), {}),
    },
    ListInstanceProfileTags: {
      authorization: { resources: profile },
      handler: async (i, ctx) => {
        const page = await identity.listInstanceProfileTags(deps, ctx.account, name(i), pageIn(i));
        return { Tags: tagsOut(page.items), ...pageOut(page) };
      },
    },
  };
}
