/**
 * What a task's `efsVolumeConfiguration` means when the task starts: the file system and, when
 * one is named, the access point, checked to exist, be available and belong together, and
 * reduced to what the agent needs to mount it.
 */
import { getDoc, type Store } from '../state/index.ts';
import { keys, type AccessPointRecord, type FileSystemRecord, type Scope } from './records.ts';

/** An EFS volume as the agent mounts it. */
export interface ResolvedEfsVolume {
  fileSystemId: string;
  accessPoint?: {
    accessPointId: string;
    /** The directory the access point exposes as the volume's root (`/` when it named none). */
    rootDirectory: string;
    posixUser?: { uid: number; gid: number; secondaryGids?: number[] };
    creationInfo?: { ownerUid: number; ownerGid: number; permissions: string };
  };
}

/** Why an EFS volume cannot be used. */
export type EfsVolumeReason = 'file-system-not-found' | 'file-system-not-available' | 'access-point-not-found' | 'access-point-not-available' | 'access-point-mismatch';

/** An EFS volume a task cannot mount, with the reason (ECS words it as the task's stopped reason). */
export class EfsVolumeProblem extends Error {
  constructor(readonly reason: EfsVolumeReason, message: string) {
    super(message);
    this.name = 'EfsVolumeProblem';
  }
}

/**
 * Resolves `fileSystemId` (and `accessPointId`) in `scope` for a task starting with an EFS
 * volume; throws an EfsVolumeProblem saying why when it cannot be mounted.
 */
export async function resolveEfsVolume(store: Store, scope: Scope, fileSystemId: string, accessPointId?: string): Promise<ResolvedEfsVolume> {
  const fs = (await getDoc<FileSystemRecord>(store, keys.fileSystem(scope, fileSystemId)))?.value;
  if (!fs) throw new EfsVolumeProblem('file-system-not-found', `File system '${fileSystemId}' does not exist.`);
  if (fs.lifeCycleState !== 'available') {
    throw new EfsVolumeProblem('file-system-not-available', `File system '${fileSystemId}' is ${fs.lifeCycleState}, not available.`);
  }
  if (accessPointId === undefined) return { fileSystemId };
  const ap = (await getDoc<AccessPointRecord>(store, keys.accessPoint(scope, accessPointId)))?.value;
  if (!ap) throw new EfsVolumeProblem('access-point-not-found', `Access point '${accessPointId}' does not exist.`);
  if (ap.fileSystemId !== fileSystemId) {
    throw new EfsVolumeProblem('access-point-mismatch', `Access point '${accessPointId}' is of file system '${ap.fileSystemId}', not '${fileSystemId}'.`);
  }
  if (ap.lifeCycleState !== 'available') {
    throw new EfsVolumeProblem('access-point-not-available', `Access point '${accessPointId}' is ${ap.lifeCycleState}, not available.`);
  }
  return {
    fileSystemId,
    accessPoint: {
      accessPointId, rootDirectory: ap.rootDirectory,
      ...(ap.posixUser ? { posixUser: { ...ap.posixUser } } : {}),
      ...(ap.creationInfo ? { creationInfo: { ...ap.creationInfo } } : {}),
    },
  };
}
