/**
 * How ECS reaches EFS when a task with EFS volumes launches: the EFS domain resolves file
 * systems and access points, and IAM decides whether the task role may mount them
 * (`authorizationConfig.iam: ENABLED`) by its own policies and the file system's policy, as
 * EFS evaluates them for an NFS client.
 */
import { AwsError } from '../aws/index.ts';
import type { Clock, Ids } from '../common/index.ts';
import type { EfsPort } from '../ecs/index.ts';
import { EfsVolumeProblem, keys, resolveEfsVolume, type EfsVolumeReason, type FileSystemRecord } from '../efs/index.ts';
import { principalForSimulation, simulate } from '../identity/index.ts';
import { getDoc, type Store } from '../state/index.ts';

/** EFS's error codes for what can keep a volume from resolving. */
const CODES: Record<EfsVolumeReason, [code: string, status: number]> = {
  'file-system-not-found': ['FileSystemNotFound', 404],
  'file-system-not-available': ['IncorrectFileSystemLifeCycleState', 409],
  'access-point-not-found': ['AccessPointNotFound', 404],
  'access-point-not-available': ['IncorrectFileSystemLifeCycleState', 409],
  'access-point-mismatch': ['AccessPointNotFound', 404],
};

const FILE_SYSTEM_ARN = /^arn:aws:elasticfilesystem:([^:]+):(\d{12}):file-system\/(fs-[0-9a-f]+)$/;

/** The EFS port of ECS's launches, over the store. */
export function efsPort(env: { store: Store; clock: Clock; ids: Ids }): EfsPort {
  return {
    async resolve(scope, fileSystemId, accessPointId) {
      try {
        return await resolveEfsVolume(env.store, scope, fileSystemId, accessPointId);
      } catch (error) {
        if (!(error instanceof EfsVolumeProblem)) throw error;
        const [code, status] = CODES[error.reason];
        throw new AwsError(code, error.message, status);
      }
    },
    async mayMount(roleArn, fileSystemArn, readOnly) {
      const account = roleArn.split(':')[4] ?? '';
      let subject;
      try {
        subject = await principalForSimulation(env, account, roleArn);
      } catch {
        return false;
      }
      const m = FILE_SYSTEM_ARN.exec(fileSystemArn);
      const record = m ? (await getDoc<FileSystemRecord>(env.store, keys.fileSystem({ region: m[1]!, account: m[2]! }, m[3]!)))?.value : undefined;
      const results = simulate({
        ...subject,
        ...(record?.policy && { resourcePolicy: { id: 'FileSystemPolicy', type: 'resource', document: record.policy } }),
        resourceOwner: m?.[2],
        actions: ['elasticfilesystem:ClientMount', ...(readOnly ? [] : ['elasticfilesystem:ClientWrite'])],
        resources: [fileSystemArn],
        context: {},
      });
      return results.every((r) => r.decision === 'allowed');
    },
  };
}
