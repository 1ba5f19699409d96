/**
 * Parameter Store's documents as stored in the key-value store, and where they live. One
 * document per parameter holds its versions (up to 100) with their labels, and its tags.
 * Records are not API shapes: timestamps are epoch ms; a SecureString version keeps only its
 * sealed value, never its plaintext.
 */
import { formatArn } from '../aws/index.ts';

/** Every parameter belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

export type ParameterType = 'String' | 'StringList' | 'SecureString';
export type ParameterTier = 'Standard' | 'Advanced';

/** An SSM tag. */
export interface ParameterTag {
  key: string;
  value: string;
}

/** One version of a parameter, as PutParameter wrote it. */
export interface ParameterVersionRecord {
  version: number;
  type: ParameterType;
  /** The value of a String or StringList version. */
  value?: string;
  /** A SecureString version's value, sealed for `sealContext(arn, version)`. */
  sealed?: string;
  /** The KMS key a SecureString names (`alias/aws/ssm` by default). */
  keyId?: string;
  description?: string;
  allowedPattern?: string;
  tier: ParameterTier;
  dataType: string;
  labels: string[];
  lastModifiedDate: number;
  lastModifiedUser: string;
}

/** A parameter: its name, its versions in order (the last is current), its tags. */
export interface ParameterRecord {
  name: string;
  versions: ParameterVersionRecord[];
  tags: ParameterTag[];
}

/** Where each record lives: by account and region, then the name as given (`/a/b` or `a`). */
export const keys = {
  all: 'parameters/',
  parameters: (s: Scope) => `parameters/${s.account}/${s.region}/`,
  parameter: (s: Scope, name: string) => `parameters/${s.account}/${s.region}/${name}`,
};

/** `arn:aws:ssm:<region>:<account>:parameter/<name without its leading slash>`. */
export const parameterArn = (s: Scope, name: string): string => formatArn('ssm', s.region, s.account, `parameter/${name.replace(/^\//, '')}`);

/** What a SecureString version's sealed value is bound to: its parameter's ARN and its version. */
export const sealContext = (arn: string, version: number): string => `${arn}#${version}`;

/** The current (latest) version of a parameter. */
export const current = (p: ParameterRecord): ParameterVersionRecord => p.versions[p.versions.length - 1]!;

/** The most versions a parameter keeps. */
export const MAX_VERSIONS = 100;
/** The most labels one version carries. */
export const MAX_LABELS = 10;
/** The most tags a parameter carries. */
export const MAX_TAGS = 50;
/** KMS key a SecureString uses unless it names one. */
export const DEFAULT_KEY_ID = 'alias/aws/ssm';
