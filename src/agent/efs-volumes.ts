/**
 * EFS volumes on this host: every host of the cluster mounts one directory (`efsDir`), and a file
 * system is its subdirectory `<efsDir>/<fileSystemId>`. A task's EFS volume is a bind mount of
 * the directory within it the control plane resolved (the access point's root directory, else the
 * volume's `rootDirectory`), never outside the file system's directory.
 *
 * As EFS does when a client first connects through an access point whose root directory does not
 * exist, the agent creates it with the access point's CreationInfo (owner uid/gid, permissions);
 * an existing directory is left as it is; without CreationInfo the mount is refused. EFS also
 * forces the access point's PosixUser on every file operation; a bind mount cannot, so containers
 * act as their own user on the directory (docs/volumes.md).
 */
import { chmod, chown, lstat, mkdir, realpath } from 'node:fs/promises';
import { dirname, join, sep } from 'node:path';
import type { TaskEfsVolume } from '../common/index.ts';

/** EFS's file system id pattern: it names a directory, so nothing else is accepted. */
const FILE_SYSTEM_ID = /^fs-[0-9a-f]{8,40}$/;

/** Where one EFS volume is on this host, and how to create its directory when missing. */
export interface EfsVolumePlan {
  /** `<efsDir>/<fileSystemId>`: created on first use. */
  fileSystemDir: string;
  /** The directory bound into the containers. */
  hostPath: string;
  /** Set when the directory may be created (an access point with CreationInfo). */
  create?: { uid: number; gid: number; mode: number };
  /** What the mount helper would say when the directory is missing and may not be created. */
  missing: string;
}

/** The stoppedReason ECS's agent gives when the EFS mount helper fails. */
export function efsMountFailure(stderr: string, code = 32): string {
  return `ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: ${stderr} : unsuccessful EFS utils command execution; code: ${code}`;
}

/** The path's segments, normalised; throws on `..` (a volume never leaves its file system). */
function segments(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..' || p.includes('\0'))) throw new Error(`EFS path ${JSON.stringify(path)} leaves the file system`);
  return parts;
}

/** Pure: where `volume` is under `efsDir`. Throws when its file system id or path is not one EFS would give. */
export function efsVolumePlan(efsDir: string, volume: TaskEfsVolume): EfsVolumePlan {
  if (!FILE_SYSTEM_ID.test(volume.fileSystemId)) throw new Error(`${JSON.stringify(volume.fileSystemId)} is not an EFS file system id`);
  const fileSystemDir = join(efsDir, volume.fileSystemId);
  const parts = segments(volume.rootDirectory);
  const hostPath = parts.length ? join(fileSystemDir, ...parts) : fileSystemDir;
  const path = `/${parts.join('/')}`;
  const creation = volume.accessPoint?.creationInfo;
  let create: EfsVolumePlan['create'];
  if (volume.accessPoint && creation) {
    if (!/^0?[0-7]{3,4}$/.test(creation.permissions)) throw new Error(`access point ${volume.accessPoint.accessPointId}: permissions ${creation.permissions} are not octal`);
    create = { uid: creation.ownerUid, gid: creation.ownerGid, mode: parseInt(creation.permissions, 8) };
  }
  const missing = volume.accessPoint
    ? "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'"
    : `b'mount.nfs4: mounting 127.0.0.1:${path} failed, reason given by server: No such file or directory'`;
  return { fileSystemDir, hostPath, ...(create && { create }), missing };
}

/** Whether `path` is `dir` or inside it. */
const inside = (dir: string, path: string) => path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);

/** A failure to mount, in ECS's words: the task's stoppedReason. */
export class EfsMountError extends Error {}

/**
 * Makes the volume's directory ready and returns it: the file system's directory created on
 * first use; a missing root directory created with the access point's CreationInfo, else the
 * mount refused. Symbolic links never lead out of the file system's directory.
 */
export async function prepareEfsVolume(efsDir: string, volume: TaskEfsVolume): Promise<string> {
  let plan: EfsVolumePlan;
  try {
    plan = efsVolumePlan(efsDir, volume);
  } catch (err) {
    throw new EfsMountError(efsMountFailure(err instanceof Error ? err.message : String(err), 1));
  }
  await mkdir(plan.fileSystemDir, { recursive: true });
  const root = await realpath(plan.fileSystemDir);
  const contained = async (path: string) => {
    if (!inside(root, await realpath(path))) throw new EfsMountError(efsMountFailure(`${path} leads out of the file system`, 1));
  };
  if (!(await exists(plan.hostPath))) {
    if (!plan.create) throw new EfsMountError(efsMountFailure(plan.missing));
    const parent = dirname(plan.hostPath);
    await contained(await nearestExisting(parent));
    await mkdir(parent, { recursive: true });
    try {
      await mkdir(plan.hostPath);
      await chown(plan.hostPath, plan.create.uid, plan.create.gid);
      // chmod after chown: the umask does not narrow it, and chown clears set-id bits.
      await chmod(plan.hostPath, plan.create.mode);
    } catch (err) {
      // Another task (on this host or another) created it first: it is left as it is.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  await contained(plan.hostPath);
  return plan.hostPath;
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

/** `path` or its nearest ancestor that exists. */
async function nearestExisting(path: string): Promise<string> {
  let p = path;
  while (!(await exists(p)) && dirname(p) !== p) p = dirname(p);
  return p;
}
