/**
 * Amazon Resource Names, with their partition: `arn:<partition>:<service>:<region>:<account>:<resource>`.
 * One parser and one formatter for every API, so an ARN that Wharf writes is one it reads back.
 */
import { partitionOf, type Partition } from './regions.ts';

/** The fields of an ARN. `region` and `account` are '' for global resources (IAM). */
export interface Arn {
  partition: Partition | string;
  service: string;
  region: string;
  account: string;
  /** Everything after the fifth colon: `cluster/web`, `user/dev`, `repository/team/app`. */
  resource: string;
}

const ARN = /^arn:(aws|aws-cn|aws-us-gov):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws|):(.+)$/;

/** Parses an ARN; undefined for anything that is not one. */
export function parseArn(text: string): Arn | undefined {
  const m = ARN.exec(text);
  if (!m) return undefined;
  return { partition: m[1], service: m[2], region: m[3], account: m[4], resource: m[5] };
}

/** Formats a regional ARN; the partition follows from the region. */
export function formatArn(service: string, region: string, account: string, resource: string): string {
  return `arn:${partitionOf(region)}:${service}:${region}:${account}:${resource}`;
}

/** Formats a global ARN (IAM, STS): no region; the partition of `region` (the request's). */
export function formatGlobalArn(service: string, account: string, resource: string, region = 'us-east-1'): string {
  return `arn:${partitionOf(region)}:${service}::${account}:${resource}`;
}

/**
 * The resource part split at its type: `cluster/web` → { type: 'cluster', path: ['web'] };
 * `task-definition/web:3` → { type: 'task-definition', path: ['web:3'] }.
 */
export function resourceOf(arn: Arn): { type: string; path: string[] } {
  const [type, ...path] = arn.resource.split('/');
  return { type, path };
}
