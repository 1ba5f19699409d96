/**
 * Access points and mount targets: CreateAccessPoint, DescribeAccessPoints, DeleteAccessPoint,
 * CreateMountTarget, DescribeMountTargets, DeleteMountTarget, and a mount target's security groups.
 */
import { requestTagConditions, type RequestContext } from '../../aws/index.ts';
import * as efs from '../../efs/index.ts';
import {
  accessPointShape, envOf, fileSystemArnOf, mountTargetShape, need, page, scopeOf, tagsIn, type EfsDeps, type EfsOperationTable,
} from './common.ts';

const onFileSystem = (i: { FileSystemId?: string }, ctx: RequestContext) => [fileSystemArnOf(ctx, i.FileSystemId)];
const onAccessPoint = (ctx: RequestContext, id: string | undefined) => (id === undefined ? '*' : efs.accessPointArn(scopeOf(ctx), id));

/** The access point and mount target operations. */
export function mountTargetOperations(deps: EfsDeps): EfsOperationTable {
  const env = envOf(deps);
  /** A mount target's operations are authorized on its file system. */
  const onMountTarget = async (i: { MountTargetId?: string }, ctx: RequestContext) => {
    const fs = i.MountTargetId === undefined ? undefined : await efs.fileSystemOfMountTarget(deps.store, scopeOf(ctx), i.MountTargetId);
    return [fs === undefined ? '*' : fileSystemArnOf(ctx, fs)];
  };
  return {
    CreateAccessPoint: {
      authorization: { resources: onFileSystem, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const p = i.PosixUser;
        const c = i.RootDirectory?.CreationInfo;
        const record = await efs.createAccessPoint(env, scopeOf(ctx), {
          clientToken: need(i.ClientToken, 'ClientToken'), fileSystemId: need(i.FileSystemId, 'FileSystemId'), rootDirectory: i.RootDirectory?.Path,
          ...(p ? { posixUser: { uid: need(p.Uid, 'PosixUser.Uid'), gid: need(p.Gid, 'PosixUser.Gid'), ...(p.SecondaryGids ? { secondaryGids: p.SecondaryGids } : {}) } } : {}),
          ...(c ? { creationInfo: { ownerUid: need(c.OwnerUid, 'OwnerUid'), ownerGid: need(c.OwnerGid, 'OwnerGid'), permissions: need(c.Permissions, 'Permissions') } } : {}),
          tags: tagsIn(i.Tags),
        });
        return accessPointShape(record, 'creating');
      },
    },
    DescribeAccessPoints: {
      authorization: {
        resources: (i, ctx) => [i.AccessPointId !== undefined ? onAccessPoint(ctx, i.AccessPointId) : i.FileSystemId !== undefined ? fileSystemArnOf(ctx, i.FileSystemId) : '*'],
      },
      handler: async (i, ctx) => {
        const all = await efs.describeAccessPoints(deps.store, scopeOf(ctx), { accessPointId: i.AccessPointId, fileSystemId: i.FileSystemId });
        const { items, nextToken } = page(all, (r) => `${String(r.createdAt).padStart(15, '0')}/${r.accessPointId}`, i.NextToken, i.MaxResults, 100);
        return { AccessPoints: items.map((r) => accessPointShape(r)), ...(nextToken ? { NextToken: nextToken } : {}) };
      },
    },
    DeleteAccessPoint: {
      authorization: { resources: (i, ctx) => [onAccessPoint(ctx, i.AccessPointId)] },
      handler: async (i, ctx) => {
        await efs.deleteAccessPoint(deps.store, scopeOf(ctx), need(i.AccessPointId, 'AccessPointId'));
        return {};
      },
    },
    CreateMountTarget: {
      authorization: { resources: onFileSystem },
      handler: async (i, ctx) => {
        if (i.Ipv6Address !== undefined || (i.IpAddressType !== undefined && i.IpAddressType !== 'IPV4_ONLY')) {
          throw efs.EfsErrors.badRequest('Wharf\'s subnets have IPv4 addresses only: IpAddressType must be IPV4_ONLY.');
        }
        const record = await efs.createMountTarget(env, scopeOf(ctx), {
          fileSystemId: need(i.FileSystemId, 'FileSystemId'), subnetId: need(i.SubnetId, 'SubnetId'), ipAddress: i.IpAddress, securityGroups: i.SecurityGroups,
        });
        return mountTargetShape(record, 'creating');
      },
    },
    DescribeMountTargets: {
      authorization: {
        resources: async (i, ctx) => (i.MountTargetId !== undefined ? onMountTarget(i, ctx)
          : [i.AccessPointId !== undefined ? onAccessPoint(ctx, i.AccessPointId) : fileSystemArnOf(ctx, i.FileSystemId)]),
      },
      handler: async (i, ctx) => {
        const all = await efs.describeMountTargets(deps.store, scopeOf(ctx), { fileSystemId: i.FileSystemId, mountTargetId: i.MountTargetId, accessPointId: i.AccessPointId });
        const { items, nextToken } = page(all, (r) => `${String(r.createdAt).padStart(15, '0')}/${r.mountTargetId}`, i.Marker, i.MaxItems, 10);
        return { ...(i.Marker !== undefined ? { Marker: i.Marker } : {}), MountTargets: items.map((r) => mountTargetShape(r)), ...(nextToken ? { NextMarker: nextToken } : {}) };
      },
    },
    DeleteMountTarget: {
      authorization: { resources: onMountTarget },
      handler: async (i, ctx) => {
        await efs.deleteMountTarget(deps.store, scopeOf(ctx), need(i.MountTargetId, 'MountTargetId'));
        return {};
      },
    },
    DescribeMountTargetSecurityGroups: {
      authorization: { resources: onMountTarget },
      handler: async (i, ctx) => ({ SecurityGroups: await efs.mountTargetSecurityGroups(deps.store, scopeOf(ctx), need(i.MountTargetId, 'MountTargetId')) }),
    },
    ModifyMountTargetSecurityGroups: {
      authorization: { resources: onMountTarget },
      handler: async (i, ctx) => {
        await efs.modifyMountTargetSecurityGroups(deps.store, scopeOf(ctx), need(i.MountTargetId, 'MountTargetId'), i.SecurityGroups ?? []);
        return {};
      },
    },
  };
}
