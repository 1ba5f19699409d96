/**
 * IAM's records as the store keeps them, and the keys they live under. IAM is global: keys
 * carry the account, never a region. Names are unique within an account whatever their case,
 * so every named record is keyed by its lowercased name and keeps the name as it was given.
 * These are storage shapes only: the domain returns views (`views.ts`) and the API adapter
 * turns those into the SDK's shapes.
 *
 *   iam/<account>/user/<name>            UserRecord
 *   iam/<account>/group/<name>           GroupRecord
 *   iam/<account>/role/<name>            RoleRecord
 *   iam/<account>/role-last-used/<name>  LastUsedRecord (written apart, so use never churns the role)
 *   iam/<account>/policy/<name>          PolicyRecord (customer managed, with its versions)
 *   iam/<account>/aws-policy/<name>      AwsPolicyUseRecord (this account's use of an AWS managed policy)
 *   iam/<account>/instance-profile/<n>   InstanceProfileRecord
 *   iam/<account>/root-access-key        RootKeyPointer
 *   iam/access-key/<AKIA…>               AccessKeyRecord (global: a key alone names its account)
 *   iam/access-key-last-used/<AKIA…>     LastUsedRecord
 *   iam/sts-token-key                    TokenKeyRecord (the key STS session tokens are sealed with)
 */

/** A tag as IAM keeps it: key and value, in the order they were added. */
export interface TagRecord {
  key: string;
  value: string;
}

/** Inline policies: name → document, as given. */
export type InlinePolicies = Record<string, string>;

/** An IAM user. */
export interface UserRecord {
  name: string;
  path: string;
  /** `AIDA…` */
  id: string;
  createdAt: number;
  tags: TagRecord[];
  /** The ARN of the managed policy that bounds the user's permissions. */
  permissionsBoundary?: string;
  inlinePolicies: InlinePolicies;
  /** ARNs of attached managed policies, in attach order. */
  attachedPolicies: string[];
  /** Names of the groups the user is in (as the groups spell them). */
  groups: string[];
  /** The user's access key ids (at most two). */
  accessKeys: string[];
}

/** An IAM group. Membership lives on the users (a user is in at most ten groups). */
export interface GroupRecord {
  name: string;
  path: string;
  /** `AGPA…` */
  id: string;
  createdAt: number;
  inlinePolicies: InlinePolicies;
  attachedPolicies: string[];
}

/** An IAM role. */
export interface RoleRecord {
  name: string;
  path: string;
  /** `AROA…` */
  id: string;
  createdAt: number;
  /** The trust policy, as given. */
  trustPolicy: string;
  description?: string;
  /** Seconds, 3600..43200. */
  maxSessionDuration: number;
  permissionsBoundary?: string;
  tags: TagRecord[];
  inlinePolicies: InlinePolicies;
  attachedPolicies: string[];
  /** Set for a service-linked role: the service that owns it (`ecs.amazonaws.com`). */
  serviceLinkedTo?: string;
}

/** When and where a role or an access key was last used. */
export interface LastUsedRecord {
  at: number;
  region: string;
  /** The service prefix (`ecs`, `iam`, ...), for access keys. */
  service?: string;
}

/** One version of a customer managed policy. */
export interface PolicyVersionRecord {
  /** `v1`, `v2`, ... never reused. */
  versionId: string;
  document: string;
  createdAt: number;
}

/** A customer managed policy with its versions. */
export interface PolicyRecord {
  name: string;
  path: string;
  /** `ANPA…` */
  id: string;
  description?: string;
  createdAt: number;
  updatedAt: number;
  defaultVersionId: string;
  versions: PolicyVersionRecord[];
  /** The number the next version gets: version ids are never reused. */
  nextVersion: number;
  /** Users, groups and roles it is attached to. */
  attachmentCount: number;
  /** Users and roles it bounds. */
  boundaryUsageCount: number;
  tags: TagRecord[];
}

/** This account's use of one AWS managed policy (the policies themselves are data, not records). */
export interface AwsPolicyUseRecord {
  attachmentCount: number;
  boundaryUsageCount: number;
}

/** An instance profile: a container for at most one role. */
export interface InstanceProfileRecord {
  name: string;
  path: string;
  /** `AIPA…` */
  id: string;
  createdAt: number;
  /** Names of its roles (at most one). */
  roles: string[];
  tags: TagRecord[];
}

/** Access key status, as IAM words it. */
export type AccessKeyStatus = 'Active' | 'Inactive';

/** An access key of a user or of the account root. */
export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  account: string;
  /** The user's name as the user record spells it; absent for the root's key. */
  userName?: string;
  /** The user's id, so a key never outlives the user it was made for under a reused name. */
  userId?: string;
  root?: true;
  status: AccessKeyStatus;
  createdAt: number;
}

/** Names the account root's access key, so it is created once. */
export interface RootKeyPointer {
  accessKeyId: string;
}

/** The AES-256 key STS session tokens are sealed with (base64). */
export interface TokenKeyRecord {
  key: string;
  createdAt: number;
}

/** Every IAM key; `iamKeys.all` is the prefix the authority watches. */
export const iamKeys = {
  all: 'iam/',
  account: (account: string) => `iam/${account}/`,
  users: (account: string) => `iam/${account}/user/`,
  user: (account: string, name: string) => `iam/${account}/user/${name.toLowerCase()}`,
  groups: (account: string) => `iam/${account}/group/`,
  group: (account: string, name: string) => `iam/${account}/group/${name.toLowerCase()}`,
  roles: (account: string) => `iam/${account}/role/`,
  role: (account: string, name: string) => `iam/${account}/role/${name.toLowerCase()}`,
  roleLastUsed: (account: string, name: string) => `iam/${account}/role-last-used/${name.toLowerCase()}`,
  policies: (account: string) => `iam/${account}/policy/`,
  policy: (account: string, name: string) => `iam/${account}/policy/${name.toLowerCase()}`,
  awsPolicyUse: (account: string, name: string) => `iam/${account}/aws-policy/${name}`,
  instanceProfiles: (account: string) => `iam/${account}/instance-profile/`,
  instanceProfile: (account: string, name: string) => `iam/${account}/instance-profile/${name.toLowerCase()}`,
  rootKey: (account: string) => `iam/${account}/root-access-key`,
  accessKeys: 'iam/access-key/',
  accessKey: (accessKeyId: string) => `iam/access-key/${accessKeyId}`,
  accessKeyLastUsed: (accessKeyId: string) => `iam/access-key-last-used/${accessKeyId}`,
  tokenKey: 'iam/sts-token-key',
} as const;

/** True for keys whose changes never change what a principal may do (usage stamps). */
export function isUsageKey(key: string): boolean {
  return key.startsWith('iam/access-key-last-used/') || key.includes('/role-last-used/');
}
