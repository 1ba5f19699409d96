/**
 * EFS volumes at launch: ECS's rules on a task definition's `efsVolumeConfiguration`, and each
 * volume's file system and access point resolved through the EFS port before the task goes to
 * its agent. As on ECS, a volume that cannot be resolved or mounted does not refuse the launch:
 * the task stops with the ResourceInitializationError ECS's agent gives.
 */
import type { Volume } from '@aws-sdk/client-ecs';
import { AwsError } from '../aws/index.ts';
import type { TaskEfsVolume, TaskSpec } from '../common/index.ts';
import { EcsErrors } from './errors.ts';
import type { Scope } from './records.ts';

/** A file system (and access point) as the EFS domain resolves them for a mount. */
export interface ResolvedEfsVolume {
  fileSystemId: string;
  accessPoint?: TaskEfsVolume['accessPoint'];
}

/**
 * What launches need of EFS: `resolve` finds the file system and access point (throwing the EFS
 * domain's typed error when one is missing, unavailable or the access point is another file
 * system's); `mayMount` says whether a role may mount (and, unless `readOnly`, write to) a
 * file system, as IAM authorization (`iam: ENABLED`) asks. Absent, EFS volumes are refused.
 */
export interface EfsPort {
  resolve(scope: Scope, fileSystemId: string, accessPointId?: string): Promise<ResolvedEfsVolume>;
  mayMount?(roleArn: string, fileSystemArn: string, readOnly: boolean): Promise<boolean>;
}

/** A resolution: the task's EFS volumes, or why the task fails to start (its stoppedReason). */
export type EfsResolution = { efsVolumes?: Record<string, TaskEfsVolume> } | { failure: string };

/** The stoppedReason ECS's agent gives when the EFS mount helper fails. */
export function efsMountFailure(stderr: string, code = 32): string {
  return `ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: ${stderr} : unsuccessful EFS utils command execution; code: ${code}`;
}

const ACCESS_DENIED = "b'mount.nfs4: access denied by server while mounting 127.0.0.1:/'";

/** A directory within a file system, normalised (`/a/b`); undefined when it has a `..` segment. */
export function efsPath(path: string | undefined): string | undefined {
  const parts = (path ?? '').split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..') || parts.some((p) => p.includes('\0'))) return undefined;
  return `/${parts.join('/')}`;
}

/**
 * ECS's rules on a task definition's EFS volumes, checked where it is launched
 * (InvalidParameterException naming the volume): with an access point, `rootDirectory` is
 * omitted or `/` (the access point's root is mounted); an access point or IAM authorization
 * needs transit encryption; a root directory never leaves the file system.
 */
export function checkEfsVolumes(volumes: readonly Volume[] | undefined): void {
  for (const [i, v] of (volumes ?? []).entries()) {
    const c = v.efsVolumeConfiguration;
    if (!c) continue;
    const where = `volumes[${i}].efsVolumeConfiguration (${v.name})`;
    const auth = c.authorizationConfig;
    if (auth?.accessPointId && efsPath(c.rootDirectory) !== '/') {
      throw EcsErrors.invalidParameter(`${where}: the root directory parameter must either be omitted or set to / when an access point is specified in the authorizationConfig.`);
    }
    if ((auth?.accessPointId || auth?.iam === 'ENABLED') && c.transitEncryption !== 'ENABLED') {
      throw EcsErrors.invalidParameter(`${where}: transit encryption must be enabled when an access point or IAM authorization is used.`);
    }
    if (efsPath(c.rootDirectory) === undefined) throw EcsErrors.invalidParameter(`${where}: the root directory must not contain '..'.`);
  }
}

/** The ARN IAM authorizes EFS client actions on. */
export const fileSystemArn = (scope: Scope, fileSystemId: string): string =>
  `arn:aws:elasticfilesystem:${scope.region}:${scope.account}:file-system/${fileSystemId}`;

/**
 * Resolves the EFS volumes of a task (`spec`, overrides applied: the task role may be
 * overridden). A file system or access point the EFS domain does not give (its typed 4xx
 * error), or a task role IAM does not let mount, is a failure to start; anything else throws.
 */
export async function resolveEfsVolumes(efs: EfsPort, scope: Scope, spec: TaskSpec): Promise<EfsResolution> {
  const out: Record<string, TaskEfsVolume> = {};
  for (const v of spec.volumes ?? []) {
    const c = v.efsVolumeConfiguration;
    if (!c) continue;
    const name = v.name ?? '';
    let resolved: ResolvedEfsVolume;
    try {
      resolved = await efs.resolve(scope, c.fileSystemId ?? '', c.authorizationConfig?.accessPointId);
    } catch (err) {
      if (!(err instanceof AwsError) || err.status >= 500) throw err;
      return { failure: resolutionFailure(scope, c.fileSystemId ?? '', err) };
    }
    if (c.authorizationConfig?.iam === 'ENABLED') {
      const denied = await mountDenied(efs, scope, spec, name, resolved.fileSystemId);
      if (denied) return { failure: denied };
    }
    out[name] = {
      fileSystemId: resolved.fileSystemId,
      rootDirectory: resolved.accessPoint ? resolved.accessPoint.rootDirectory : efsPath(c.rootDirectory)!,
      ...(resolved.accessPoint && { accessPoint: resolved.accessPoint }),
    };
  }
  return Object.keys(out).length ? { efsVolumes: out } : {};
}

/** A missing file system is the mount helper failing to resolve its DNS name; the rest are the EFS domain's words. */
function resolutionFailure(scope: Scope, fileSystemId: string, err: AwsError): string {
  if (err.code === 'FileSystemNotFound') {
    return efsMountFailure(`Failed to resolve "${fileSystemId}.efs.${scope.region}.amazonaws.com" - check that your file system ID is correct, and ensure that the VPC has an EFS mount target for this file system ID.`, 1);
  }
  return efsMountFailure(`${err.code}: ${err.message}`, 1);
}

/** Why IAM authorization refuses the task's role the mount (ClientMount, and ClientWrite unless every mount point is readOnly), if it does. */
async function mountDenied(efs: EfsPort, scope: Scope, spec: TaskSpec, volume: string, fileSystemId: string): Promise<string | undefined> {
  if (!efs.mayMount) return undefined;
  if (!spec.taskRoleArn) return efsMountFailure('Error retrieving AWS security credentials for IAM authorization: the task has no task role', 1);
  const mounts = spec.containers.flatMap((c) => (c.mountPoints ?? []).filter((m) => m.sourceVolume === volume));
  const readOnly = mounts.every((m) => m.readOnly === true);
  return (await efs.mayMount(spec.taskRoleArn, fileSystemArn(scope, fileSystemId), readOnly)) ? undefined : efsMountFailure(ACCESS_DENIED);
}
