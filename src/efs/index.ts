/**
 * The EFS domain: file systems, access points and mount targets — their records, what the EFS
 * API does with them, and what an ECS task's EFS volume resolves to when it starts. The EFS API
 * adapter (`services/efs`) and ECS are its users; nothing here reads a request or shapes a response.
 */
export {
  accessPointArn, efsId, fileSystemArn, keys,
  type AccessPointRecord, type CreationInfo, type EfsTag, type FileSystemRecord, type LifeCycleState, type MountTargetRecord, type PosixUser, type Scope,
} from './records.ts';
export { EfsErrors } from './errors.ts';
export {
  EMPTY_SIZE_BYTES, checkTags, createFileSystem, deleteFileSystem, describeFileSystems, setFileSystemPolicy, tagResource, tagsOf, untagResource,
  type CreateFileSystemRequest, type EfsEnv,
} from './file-systems.ts';
export { createAccessPoint, deleteAccessPoint, describeAccessPoints, type CreateAccessPointRequest } from './access-points.ts';
export {
  createMountTarget, deleteMountTarget, describeMountTargets, fileSystemOfMountTarget, modifyMountTargetSecurityGroups, mountTargetSecurityGroups,
  type CreateMountTargetRequest,
} from './mount-targets.ts';
export { EfsVolumeProblem, resolveEfsVolume, type EfsVolumeReason, type ResolvedEfsVolume } from './volumes.ts';
export { efsResourceInfo, type EfsResourceInfo } from './resource-info.ts';
