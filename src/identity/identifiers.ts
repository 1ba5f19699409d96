/**
 * IAM's identifiers as AWS forms them: unique ids of 21 characters (a four-letter prefix saying
 * what the entity is, then 17 characters of the base32 alphabet), access key ids of 20 (`AKIA`
 * or `ASIA` + 16), 40-character secrets, and the ARNs of IAM's entities. Randomness comes from
 * the injected `Ids`, never from here.
 */
import { formatGlobalArn, parseArn } from '../aws/index.ts';
import type { Ids } from '../common/index.ts';

/** The entity kinds IAM gives unique ids to, with AWS's prefixes. */
export const IdPrefix = {
  user: 'AIDA',
  group: 'AGPA',
  role: 'AROA',
  policy: 'ANPA',
  instanceProfile: 'AIPA',
  accessKey: 'AKIA',
  temporaryAccessKey: 'ASIA',
} as const;

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** `count` base32 characters drawn from the id source (128 random bits per draw). */
function base32(ids: Ids, count: number): string {
  let out = '';
  while (out.length < count) {
    const bytes = Buffer.from(ids.hex32(), 'hex');
    // 16 bytes give 25 characters of 5 bits; take them a bit at a time.
    let acc = 0;
    let bits = 0;
    for (const byte of bytes) {
      acc = (acc << 8) | byte;
      bits += 8;
      while (bits >= 5 && out.length < count) {
        out += BASE32[(acc >>> (bits - 5)) & 31];
        bits -= 5;
      }
      acc &= (1 << bits) - 1;
    }
  }
  return out;
}

/** A unique id for a user, group, role, policy or instance profile. */
export function uniqueId(ids: Ids, prefix: (typeof IdPrefix)[keyof typeof IdPrefix]): string {
  return prefix + base32(ids, 17);
}

/** A long-term access key id (`AKIA…`), or a temporary one (`ASIA…`). */
export function accessKeyId(ids: Ids, temporary = false): string {
  return (temporary ? IdPrefix.temporaryAccessKey : IdPrefix.accessKey) + base32(ids, 16);
}

/** A 40-character secret access key (30 random bytes in base64, as AWS's look). */
export function secretAccessKey(ids: Ids): string {
  const bytes = Buffer.concat([Buffer.from(ids.hex32(), 'hex'), Buffer.from(ids.hex32(), 'hex')]).subarray(0, 30);
  return bytes.toString('base64');
}

/** `arn:aws:iam::<account>:<resource>`. */
export function iamArn(account: string, resource: string): string {
  return formatGlobalArn('iam', account, resource);
}

/** The ARN of a user, group, role, policy or instance profile: type, path, name. */
export function entityArn(account: string, type: 'user' | 'group' | 'role' | 'policy' | 'instance-profile', path: string, name: string): string {
  return iamArn(account, `${type}${path}${name}`);
}

/** The account root's ARN. */
export function rootArn(account: string): string {
  return iamArn(account, 'root');
}

/** The ARN of a role session: `arn:aws:sts::<account>:assumed-role/<role>/<session>`. */
export function assumedRoleArn(account: string, roleName: string, sessionName: string): string {
  return formatGlobalArn('sts', account, `assumed-role/${roleName}/${sessionName}`);
}

/** What an IAM ARN names: its account, type, path and name; undefined for anything else. */
export interface IamArnParts {
  account: string;
  type: string;
  path: string;
  name: string;
}

const IAM_RESOURCE = /^([a-z-]+)(\/(?:.*\/)?)?([^/]*)$/;

/** Reads `arn:aws:iam::123456789012:role/path/Name` as { account, type: 'role', path: '/path/', name: 'Name' }. */
export function parseIamArn(arn: string): IamArnParts | undefined {
  const parsed = parseArn(arn);
  if (!parsed || parsed.service !== 'iam' || parsed.region !== '' || parsed.account === '') return undefined;
  const m = IAM_RESOURCE.exec(parsed.resource);
  if (!m) return undefined;
  return { account: parsed.account, type: m[1], path: m[2] ?? '/', name: m[3] };
}

/** AWS managed policies live in the `aws` pseudo-account. */
export const AWS_MANAGED_ACCOUNT = 'aws';

/**
 * URL-encodes a policy document as IAM returns one (RFC 3986: only unreserved characters stay
 * as they are). The AWS CLI decodes it; SDK callers call decodeURIComponent.
 */
export function encodePolicyDocument(document: string): string {
  return encodeURIComponent(document).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
