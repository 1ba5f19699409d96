import { formatArn } from '../aws/index.ts';

/**
 * EFS as stored: file systems, access points and mount targets, one record each, and the
 * creation and client tokens that make their creation idempotent. Records are not API shapes:
 * timestamps are epoch ms; the EFS adapter (`services/efs`) turns them into the API's.
 */

/** Every EFS resource belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A tag on a file system or an access point. */
export interface EfsTag {
  key: string;
  value: string;
}

/** The states EFS resources pass through. Wharf's are `available` once made (they are records, not storage). */
export type LifeCycleState = 'creating' | 'available' | 'updating' | 'deleting' | 'deleted' | 'error';

/** A file system: what DescribeFileSystems shows, and its policy. */
export interface FileSystemRecord {
  fileSystemId: string;
  arn: string;
  ownerId: string;
  creationToken: string;
  createdAt: number;
  lifeCycleState: LifeCycleState;
  performanceMode: 'generalPurpose' | 'maxIO';
  throughputMode: 'bursting' | 'provisioned' | 'elastic';
  provisionedThroughputInMibps?: number;
  encrypted: boolean;
  kmsKeyId?: string;
  /** A One Zone file system's zone. */
  availabilityZoneName?: string;
  availabilityZoneId?: string;
  backup: boolean;
  /** Kept here, not counted, so that a mount target's creation and the file system's deletion guard each other. */
  numberOfMountTargets: number;
  tags: EfsTag[];
  policy?: string;
}

/** POSIX identity an access point imposes on every request through it. */
export interface PosixUser {
  uid: number;
  gid: number;
  secondaryGids?: number[];
}

/** How an access point's root directory is made when it does not exist. */
export interface CreationInfo {
  ownerUid: number;
  ownerGid: number;
  /** Octal, as given (`0755`). */
  permissions: string;
}

/** An access point: a root directory and an identity, on one file system. */
export interface AccessPointRecord {
  accessPointId: string;
  arn: string;
  fileSystemId: string;
  ownerId: string;
  clientToken: string;
  lifeCycleState: LifeCycleState;
  /** `/` when the request named none. */
  rootDirectory: string;
  creationInfo?: CreationInfo;
  posixUser?: PosixUser;
  tags: EfsTag[];
  createdAt: number;
}

/** A mount target: an interface in a subnet through which the file system is reached. */
export interface MountTargetRecord {
  mountTargetId: string;
  fileSystemId: string;
  ownerId: string;
  subnetId: string;
  vpcId: string;
  availabilityZoneName: string;
  availabilityZoneId: string;
  ipAddress: string;
  networkInterfaceId: string;
  securityGroups: string[];
  lifeCycleState: LifeCycleState;
  createdAt: number;
}

/** Where each record lives. Kind first, so one prefix ranges a kind across accounts and regions. */
export const keys = {
  fileSystems: (s: Scope) => `efs/file-systems/${s.account}/${s.region}/`,
  fileSystem: (s: Scope, id: string) => `efs/file-systems/${s.account}/${s.region}/${id}`,
  accessPoints: (s: Scope) => `efs/access-points/${s.account}/${s.region}/`,
  accessPoint: (s: Scope, id: string) => `efs/access-points/${s.account}/${s.region}/${id}`,
  mountTargets: (s: Scope) => `efs/mount-targets/${s.account}/${s.region}/`,
  mountTarget: (s: Scope, id: string) => `efs/mount-targets/${s.account}/${s.region}/${id}`,
  /** The file system a creation token made: held while it exists, so a token makes one file system. */
  creationToken: (s: Scope, token: string) => `efs/creation-tokens/${s.account}/${s.region}/${encodeURIComponent(token)}`,
  /** The mount target a file system has in a zone: guarded absent, so two creations racing in one zone cannot both win. */
  zoneMountTarget: (s: Scope, fileSystemId: string, zone: string) => `efs/mount-target-zones/${s.account}/${s.region}/${fileSystemId}/${zone}`,
  /** The access point a client token made. */
  clientToken: (s: Scope, token: string) => `efs/client-tokens/${s.account}/${s.region}/${encodeURIComponent(token)}`,
};

/** EFS's id forms: a prefix and 17 lowercase hex characters (`fs-0123456789abcdef0`). */
export const efsId = (prefix: 'fs' | 'fsap' | 'fsmt', hex32: string): string => `${prefix}-${hex32.slice(0, 17)}`;

/** `arn:aws:elasticfilesystem:<region>:<account>:file-system/fs-…`. */
export const fileSystemArn = (s: Scope, id: string): string => formatArn('elasticfilesystem', s.region, s.account, `file-system/${id}`);

/** `arn:aws:elasticfilesystem:<region>:<account>:access-point/fsap-…`. */
export const accessPointArn = (s: Scope, id: string): string => formatArn('elasticfilesystem', s.region, s.account, `access-point/${id}`);
