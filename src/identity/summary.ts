/**
 * GetAccountSummary: how many of each IAM entity the account has, beside IAM's quotas.
 */
import { ACCESS_KEYS_PER_USER } from './access-keys.ts';
import { ATTACHED_POLICIES_QUOTA } from './attachments.ts';
import { PolicySizeQuota } from './documents.ts';
import type { IamEnv } from './env.ts';
import { GROUPS_PER_USER, GROUPS_QUOTA } from './groups.ts';
import { INSTANCE_PROFILES_QUOTA } from './instance-profiles.ts';
import { POLICIES_QUOTA, VERSIONS_PER_POLICY } from './policies.ts';
import { iamKeys, type PolicyRecord } from './records.ts';
import { ROLES_QUOTA } from './roles.ts';
import { USERS_QUOTA } from './users.ts';

/** The account's IAM usage and quotas, keyed as GetAccountSummary's SummaryMap is. */
export async function accountSummary(env: IamEnv, account: string): Promise<Record<string, number>> {
  const count = async (prefix: string) => (await env.store.range(prefix)).kvs.length;
  const policies = (await env.store.range(iamKeys.policies(account))).kvs.map((kv) => JSON.parse(kv.value) as PolicyRecord);
  return {
    Users: await count(iamKeys.users(account)),
    UsersQuota: USERS_QUOTA,
    Groups: await count(iamKeys.groups(account)),
    GroupsQuota: GROUPS_QUOTA,
    Roles: await count(iamKeys.roles(account)),
    RolesQuota: ROLES_QUOTA,
    InstanceProfiles: await count(iamKeys.instanceProfiles(account)),
    InstanceProfilesQuota: INSTANCE_PROFILES_QUOTA,
    Policies: policies.length,
    PoliciesQuota: POLICIES_QUOTA,
    PolicyVersionsInUse: policies.reduce((n, p) => n + p.versions.length, 0),
    PolicyVersionsInUseQuota: 10000,
    VersionsPerPolicyQuota: VERSIONS_PER_POLICY,
    PolicySizeQuota: PolicySizeQuota.managed,
    UserPolicySizeQuota: PolicySizeQuota.user,
    GroupPolicySizeQuota: PolicySizeQuota.group,
    RolePolicySizeQuota: PolicySizeQuota.role,
    AssumeRolePolicySizeQuota: PolicySizeQuota.trust,
    GroupsPerUserQuota: GROUPS_PER_USER,
    AttachedPoliciesPerUserQuota: ATTACHED_POLICIES_QUOTA,
    AttachedPoliciesPerGroupQuota: ATTACHED_POLICIES_QUOTA,
    AttachedPoliciesPerRoleQuota: ATTACHED_POLICIES_QUOTA,
    AccessKeysPerUserQuota: ACCESS_KEYS_PER_USER,
    AccountAccessKeysPresent: (await env.store.get(iamKeys.rootKey(account))) ? 1 : 0,
    AccountMFAEnabled: 0,
    MFADevices: 0,
    MFADevicesInUse: 0,
    ServerCertificates: 0,
    ServerCertificatesQuota: 20,
    SigningCertificatesPerUserQuota: 2,
    AccountSigningCertificatesPresent: 0,
    Providers: 0,
    GlobalEndpointTokenVersion: 1,
  };
}
