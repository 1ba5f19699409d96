/**
 * Identity: IAM's entities and their records, STS sessions, and the `Authority` the endpoint
 * authenticates and authorizes every request with. The only door into `identity/`.
 *
 *   IAM API adapter ──▶ users / groups / roles / policies / access keys / instance profiles
 *                         (records in the store under iam/<account>/…, one transaction a write)
 *   STS API adapter ──▶ assumeRole / getSessionToken ──▶ sealed session tokens (no store write)
 *   endpoint ──▶ IamAuthority.findSigningKey / authorize ──▶ PrincipalCache ──▶ policy engine
 */
export { pageOf } from './env.ts';
export type { IamEnv, Page, PageRequest } from './env.ts';
export { IamErrors } from './errors.ts';
export type { EntityKind } from './errors.ts';
export { accessKeyId, secretAccessKey, assumedRoleArn, encodePolicyDocument, entityArn, iamArn, parseIamArn, rootArn, uniqueId, IdPrefix } from './identifiers.ts';
export type { IamArnParts } from './identifiers.ts';
export { iamKeys } from './records.ts';
export type { AccessKeyStatus, TagRecord } from './records.ts';
export type {
  AccessKeyView, AttachedPolicyView, GroupView, InstanceProfileView, ManagedPolicyView, PolicyVersionView, RoleView, Tag, UserView,
} from './views.ts';
// The policy engine's parser, for services that store resource-based policies (ECR's repository policies).
export { evaluate, parsePolicy, PolicyDocumentError, type EvaluationRequest } from './policy/index.ts';

export { createUser, deleteUser, getRootUser, getUser, listUsers, listUserTags, tagUser, untagUser, updateUser } from './users.ts';
export type { CreateUserInput } from './users.ts';
export { addUserToGroup, createGroup, deleteGroup, getGroup, listGroups, listGroupsForUser, removeUserFromGroup } from './groups.ts';
export {
  createRole, deleteRole, getRole, listRoles, listRoleTags, tagRole, untagRole, updateAssumeRolePolicy, updateRole, updateRoleDescription,
} from './roles.ts';
export type { CreateRoleInput } from './roles.ts';
export { createServiceLinkedRole, deleteServiceLinkedRole, getServiceLinkedRoleDeletionStatus } from './service-linked-roles.ts';
export {
  createPolicy, createPolicyVersion, deletePolicy, deletePolicyVersion, getPolicy, getPolicyVersion, listPolicies, listPolicyTags,
  listPolicyVersions, setDefaultPolicyVersion, tagPolicy, untagPolicy,
} from './policies.ts';
export type { CreatePolicyInput, ListPoliciesInput } from './policies.ts';
export {
  attachPolicy, deletePermissionsBoundary, detachPolicy, listAttachedPolicies, listEntitiesForPolicy, putPermissionsBoundary,
} from './attachments.ts';
export type { PolicyEntity } from './attachments.ts';
export { deleteInlinePolicy, getInlinePolicy, listInlinePolicies, putInlinePolicy } from './inline-policies.ts';
export {
  createAccessKey, deleteAccessKey, ensureRootAccessKey, getAccessKeyLastUsed, listAccessKeys, updateAccessKey,
} from './access-keys.ts';
export {
  addRoleToInstanceProfile, createInstanceProfile, deleteInstanceProfile, getInstanceProfile, listInstanceProfileTags,
  listInstanceProfiles, listInstanceProfilesForRole, removeRoleFromInstanceProfile, tagInstanceProfile, untagInstanceProfile,
} from './instance-profiles.ts';
export { accountSummary } from './summary.ts';
export { principalForSimulation, simulate } from './simulate.ts';
export type { PolicySourceType, SimulationPolicy, SimulationRequest, SimulationResult } from './simulate.ts';

export { checkSession, loadSessionTokens, SessionTokens } from './sessions.ts';
export type { SessionCheck, SessionClaims } from './sessions.ts';
export { assumeRole, getSessionToken, packedPolicySize, SessionLimits, StsErrors } from './sts.ts';
export { assumeRoleAsService, serviceMayAssume } from './service-sessions.ts';
export { InstanceIdentitySigner, instanceIdentityDocument, loadInstanceIdentitySigner, type InstanceIdentityFields } from './instance-identity.ts';
export type { ServiceRoleSession } from './service-sessions.ts';
export type { AssumeRoleInput, AssumeRoleResult, StsEnv, TemporaryCredentials } from './sts.ts';
export { devRootKey, IamAuthority } from './authority.ts';
export type { IamAuthorityOptions, IdentityKeyLookup, ResourceInfo, ResourceInfoProvider } from './authority.ts';
