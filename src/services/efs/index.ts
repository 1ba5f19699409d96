/**
 * Amazon EFS, as served by Wharf, over the EFS domain: file systems, access points, mount targets
 * in the account's VPC subnets, tags and file system policies. The platform decodes restJson1
 * (the operation by method and path), authenticates, authorizes each operation as
 * `elasticfilesystem:<Action>` on the file system's ARN (an access point's own operations on
 * the access point's; CreateFileSystem on `file-system/*`; listings of everything on `*`),
 * validates against the model (BadRequest naming the member) and encodes.
 */
import { efsModel, type EfsOperations, type ServiceDefinition } from '../../aws/index.ts';
import { efsValidationError, type EfsDeps } from './common.ts';
import { fileSystemOperations } from './file-systems.ts';
import { mountTargetOperations } from './mount-targets.ts';

export type { EfsDeps } from './common.ts';

/** The EFS API over the given store, clock and ids. */
export function efsService(deps: EfsDeps): ServiceDefinition<EfsOperations> {
  return {
    model: efsModel,
    iamPrefix: 'elasticfilesystem',
    operations: { ...fileSystemOperations(deps), ...mountTargetOperations(deps) },
    validationError: efsValidationError,
    partly: {
      CreateFileSystem: 'file systems are records: available at once, always 6 KiB in size; Backup and KmsKeyId are kept and shown, not acted on.',
      CreateMountTarget: 'IPv4 only; the mount target is an interface and an address in the subnet, reached by tasks through their EFS volumes.',
      PutFileSystemPolicy: 'the policy is kept and shown; mounts are not held to it, and BypassPolicyLockoutSafetyCheck is not needed.',
    },
  };
}
