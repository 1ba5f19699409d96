/**
 * What the EFS API's handlers share: their ports, the operation table's type, the scope of a
 * request, the ARNs operations are authorized on, Marker and NextToken paging, and the records
 * as API shapes.
 */
import {
  AwsError, coralValidationMessage, paginate, type EfsOperations, type OperationSpec, type RequestContext, type Violation,
} from '../../aws/index.ts';
import type { AccessPointDescription, FileSystemDescription, MountTargetDescription, Tag } from '@aws-sdk/client-efs';
import type { Clock, Ids } from '../../common/index.ts';
import * as efs from '../../efs/index.ts';
import type { Store } from '../../state/index.ts';

/** What the EFS API runs on: the store, the clock and ids. */
export interface EfsDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
}

/** Some of EFS's operations, as one file of the adapter implements them. */
export type EfsOperationTable = { [K in keyof EfsOperations]?: OperationSpec<EfsOperations[K]['input'], EfsOperations[K]['output']> };

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): efs.Scope => ({ account: ctx.account, region: ctx.region });

/** The EFS domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: EfsDeps): efs.EfsEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
});

/** A member the model requires: present once validation passed. */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw efs.EfsErrors.badRequest(`${member} is required.`);
  return value;
}

/** How EFS words a request that breaks its model: BadRequest, naming the member. */
export function efsValidationError(violations: Violation[]): AwsError {
  return efs.EfsErrors.badRequest(coralValidationMessage(violations));
}

/** The file system's ARN, for IAM (the id may already be an ARN). */
export const fileSystemArnOf = (ctx: RequestContext, id: string | undefined): string =>
  id === undefined ? '*' : id.startsWith('arn:') ? id : efs.fileSystemArn(scopeOf(ctx), id);

/** A file system's or access point's ARN from the id or ARN a tagging request names. */
export const resourceArnOf = (ctx: RequestContext, id: string | undefined): string =>
  id === undefined ? '*' : id.startsWith('arn:') ? id : id.startsWith('fsap-') ? efs.accessPointArn(scopeOf(ctx), id) : efs.fileSystemArn(scopeOf(ctx), id);

/** One page of `items` after `token`; a token that is not one of Wharf's is BadRequest. */
export function page<T>(items: T[], keyOf: (item: T) => string, token: string | undefined, max: number | undefined, defaultMax: number) {
  return paginate(items, keyOf, token, max, () => efs.EfsErrors.badRequest('The marker is not valid.'), defaultMax);
}

/** SDK tags → domain tags. */
export const tagsIn = (tags: readonly Tag[] | undefined): efs.EfsTag[] => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));

/** Domain tags → SDK tags. */
export const tagsOut = (tags: readonly efs.EfsTag[]): Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

const nameOf = (tags: readonly efs.EfsTag[]) => tags.find((t) => t.key === 'Name')?.value;

/** A file system as DescribeFileSystems shows it; `state` overrides the stored one (CreateFileSystem answers `creating`). */
export function fileSystemShape(r: efs.FileSystemRecord, now: number, state?: efs.LifeCycleState): FileSystemDescription {
  const name = nameOf(r.tags);
  return {
    OwnerId: r.ownerId, CreationToken: r.creationToken, FileSystemId: r.fileSystemId, FileSystemArn: r.arn, CreationTime: new Date(r.createdAt),
    LifeCycleState: state ?? r.lifeCycleState, ...(name !== undefined ? { Name: name } : {}), NumberOfMountTargets: r.numberOfMountTargets,
    SizeInBytes: { Value: efs.EMPTY_SIZE_BYTES, Timestamp: new Date(now), ValueInIA: 0, ValueInStandard: efs.EMPTY_SIZE_BYTES, ValueInArchive: 0 },
    PerformanceMode: r.performanceMode, Encrypted: r.encrypted, ...(r.kmsKeyId !== undefined ? { KmsKeyId: r.kmsKeyId } : {}),
    ThroughputMode: r.throughputMode,
    ...(r.provisionedThroughputInMibps !== undefined ? { ProvisionedThroughputInMibps: r.provisionedThroughputInMibps } : {}),
    ...(r.availabilityZoneName !== undefined ? { AvailabilityZoneName: r.availabilityZoneName, AvailabilityZoneId: r.availabilityZoneId } : {}),
    Tags: tagsOut(r.tags), FileSystemProtection: { ReplicationOverwriteProtection: 'ENABLED' },
  };
}

/** An access point as DescribeAccessPoints shows it. */
export function accessPointShape(r: efs.AccessPointRecord, state?: efs.LifeCycleState): AccessPointDescription {
  const name = nameOf(r.tags);
  return {
    ClientToken: r.clientToken, ...(name !== undefined ? { Name: name } : {}), Tags: tagsOut(r.tags), AccessPointId: r.accessPointId,
    AccessPointArn: r.arn, FileSystemId: r.fileSystemId,
    ...(r.posixUser ? { PosixUser: { Uid: r.posixUser.uid, Gid: r.posixUser.gid, ...(r.posixUser.secondaryGids ? { SecondaryGids: r.posixUser.secondaryGids } : {}) } } : {}),
    RootDirectory: {
      Path: r.rootDirectory,
      ...(r.creationInfo ? { CreationInfo: { OwnerUid: r.creationInfo.ownerUid, OwnerGid: r.creationInfo.ownerGid, Permissions: r.creationInfo.permissions } } : {}),
    },
    OwnerId: r.ownerId, LifeCycleState: state ?? r.lifeCycleState,
  };
}

/** A mount target as DescribeMountTargets shows it. */
export function mountTargetShape(r: efs.MountTargetRecord, state?: efs.LifeCycleState): MountTargetDescription {
  return {
    OwnerId: r.ownerId, MountTargetId: r.mountTargetId, FileSystemId: r.fileSystemId, SubnetId: r.subnetId, LifeCycleState: state ?? r.lifeCycleState,
    IpAddress: r.ipAddress, NetworkInterfaceId: r.networkInterfaceId, AvailabilityZoneId: r.availabilityZoneId,
    AvailabilityZoneName: r.availabilityZoneName, VpcId: r.vpcId,
  };
}
