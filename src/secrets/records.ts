/**
 * Secrets as stored: one record per secret (its metadata, its versions and their staging labels)
 * and one record per version holding its value, sealed. Records are not API shapes: timestamps
 * are epoch ms; the Secrets Manager adapter (`services/secretsmanager`) turns them into the API's.
 */

/** Every secret belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A tag on a secret. */
export interface SecretTag {
  key: string;
  value: string;
}

/** One version of a secret: its staging labels and when it was made (its value is stored apart). */
export interface VersionRecord {
  versionId: string;
  stages: string[];
  createdAt: number;
}

/** A secret: what DescribeSecret shows, never its value. */
export interface SecretRecord {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: SecretTag[];
  /** In the order they were made. */
  versions: VersionRecord[];
  resourcePolicy?: string;
  createdAt: number;
  lastChangedAt: number;
  /** When DeleteSecret scheduled its deletion, and when the deletion takes effect. */
  deletedAt?: number;
  deletionDate?: number;
}

/** A version's value, sealed for its secret's ARN and its version id. */
export interface ValueRecord {
  kind: 'string' | 'binary';
  sealed: string;
}

/** The context a version's value is sealed for: it cannot be opened as another secret's or version's. */
export const sealContext = (arn: string, versionId: string): string => `secretsmanager:${arn}#${versionId}`;

/** `#` is no character of a secret name, so no secret's value prefix is another's. */
export const keys = {
  secrets: (s: Scope) => `secrets/${s.account}/${s.region}/secret/`,
  secret: (s: Scope, name: string) => `secrets/${s.account}/${s.region}/secret/${name}`,
  values: (s: Scope, arn: string) => `secrets/${s.account}/${s.region}/value/${arn.slice(arn.lastIndexOf(':') + 1)}#`,
  value: (s: Scope, arn: string, versionId: string) => `secrets/${s.account}/${s.region}/value/${arn.slice(arn.lastIndexOf(':') + 1)}#${versionId}`,
};

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** Six random alphanumerics from 32 random hex digits, as AWS ends a secret's ARN. */
export function arnSuffix(hex32: string): string {
  let out = '';
  for (let i = 0; i < 6; i++) out += ALPHANUMERIC[parseInt(hex32.slice(i * 2, i * 2 + 2), 16) % ALPHANUMERIC.length];
  return out;
}

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<suffix>`. */
export const secretArn = (s: Scope, name: string, suffix: string): string => `arn:aws:secretsmanager:${s.region}:${s.account}:secret:${name}-${suffix}`;

/** The ARN without its random suffix (a partial ARN). */
export const partialArn = (s: Scope, name: string): string => `arn:aws:secretsmanager:${s.region}:${s.account}:secret:${name}`;
