/**
 * IAM's errors in IAM's words: one place lists each code with its HTTP status (from IAM's
 * model) and the messages IAM sends, so the domain throws what AWS would and nothing matches
 * on message text.
 */
import { AwsError } from '../aws/index.ts';

/** The IAM entity kinds named in messages. */
export type EntityKind = 'user' | 'group' | 'role';

const noSuchEntity = (message: string) => new AwsError('NoSuchEntity', message, 404);
const alreadyExists = (message: string) => new AwsError('EntityAlreadyExists', message, 409);
const deleteConflict = (message: string) => new AwsError('DeleteConflict', message, 409);
const limitExceeded = (message: string) => new AwsError('LimitExceeded', message, 409);
const unmodifiable = (message: string) => new AwsError('UnmodifiableEntity', message, 400);

/** IAM's errors. */
export const IamErrors = {
  noSuchEntity,
  noSuchUser: (name: string) => noSuchEntity(`The user with name ${name} cannot be found.`),
  noSuchGroup: (name: string) => noSuchEntity(`The group with name ${name} cannot be found.`),
  noSuchRole: (name: string) => noSuchEntity(`The role with name ${name} cannot be found.`),
  noSuchInstanceProfile: (name: string) => noSuchEntity(`Instance Profile ${name} cannot be found.`),
  noSuchPolicy: (arn: string) => noSuchEntity(`Policy ${arn} was not found.`),
  /** Attaching (or bounding with) a policy that does not exist. */
  notAttachable: (arn: string) => noSuchEntity(`Policy ${arn} does not exist or is not attachable.`),
  noSuchPolicyVersion: (arn: string, versionId: string) =>
    noSuchEntity(`Policy ${arn} version ${versionId} does not exist or is not attachable.`),
  noSuchInlinePolicy: (kind: EntityKind, policyName: string) =>
    noSuchEntity(`The ${kind} policy with name ${policyName} cannot be found.`),
  noSuchAccessKey: (accessKeyId: string) => noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`),

  userExists: (name: string) => alreadyExists(`User with name ${name} already exists.`),
  groupExists: (name: string) => alreadyExists(`Group with name ${name} already exists.`),
  roleExists: (name: string) => alreadyExists(`Role with name ${name} already exists.`),
  instanceProfileExists: (name: string) => alreadyExists(`Instance Profile ${name} already exists.`),
  policyExists: (name: string) => alreadyExists(`A policy called ${name} already exists. Duplicate names are not allowed.`),
  serviceLinkedRoleExists: (name: string) =>
    new AwsError('InvalidInput', `Service role name ${name} has been taken in this account, please try a different suffix.`, 400),

  mustDeletePolicies: () => deleteConflict('Cannot delete entity, must delete policies first.'),
  mustDetachPolicies: () => deleteConflict('Cannot delete entity, must detach all policies first.'),
  mustRemoveUsersFromGroup: () => deleteConflict('Cannot delete entity, must remove users from group first.'),
  mustDeleteAccessKeys: () => deleteConflict('Cannot delete entity, must delete access keys first.'),
  mustRemoveRolesFromInstanceProfile: () => deleteConflict('Cannot delete entity, must remove roles from instance profile first.'),
  policyAttached: () => deleteConflict('Cannot delete a policy attached to entities.'),
  policyHasVersions: () =>
    deleteConflict(
      "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
    ),
  defaultVersion: () => deleteConflict('Cannot delete the default version of a policy.'),

  /** `Cannot exceed quota for <Quota>: <n>`, IAM's form for its counted quotas. */
  quota: (quota: string, limit: number) => limitExceeded(`Cannot exceed quota for ${quota}: ${limit}`),
  inlinePolicySize: (kind: EntityKind, name: string, limit: number) =>
    limitExceeded(`Maximum policy size of ${limit} bytes exceeded for ${kind} ${name}`),
  policyVersions: () =>
    limitExceeded('A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.'),

  malformedPolicy: (message: string) => new AwsError('MalformedPolicyDocument', message, 400),
  invalidInput: (message: string) => new AwsError('InvalidInput', message, 400),
  unmodifiable,
  /** Service-linked roles are AWS's to change: IAM refuses every other change to them. */
  protectedRole: (name: string) => unmodifiable(`Cannot perform the operation on the protected role '${name}' - this role is only modifiable by AWS`),
  policyNotAttachable: (message: string) => new AwsError('PolicyNotAttachable', message, 400),
  validation: (message: string) => new AwsError('ValidationError', message, 400),
};
