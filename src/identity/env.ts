/**
 * What every IAM operation is given: the store it writes through, and the clock and id source
 * it reads instead of the wall clock and Math.random. Plus IAM's Marker/MaxItems paging.
 */
import { paginate } from '../aws/index.ts';
import type { Clock, Ids } from '../common/index.ts';
import type { Store, Tx } from '../state/index.ts';
import { IamErrors } from './errors.ts';

/** The ports IAM's domain runs on. */
export interface IamEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
}

/** A page request: IAM's `Marker` (from a previous page) and `MaxItems` (default 100). */
export interface PageRequest {
  marker?: string;
  maxItems?: number;
}

/** One page of a list: `marker` is set when `isTruncated`. */
export interface Page<T> {
  items: T[];
  isTruncated: boolean;
  marker?: string;
}

/**
 * One page of `items` (in their final order, each with a unique sort key), with the platform's
 * paging (`aws/paging.ts`) in IAM's words: Marker, MaxItems, IsTruncated.
 */
export function pageOf<T>(items: T[], keyOf: (item: T) => string, request: PageRequest): Page<T> {
  const page = paginate(items, keyOf, request.marker, request.maxItems, () => IamErrors.invalidInput('Invalid Marker.'));
  return { items: page.items, isTruncated: page.nextToken !== undefined, marker: page.nextToken };
}

/** True when `path` begins with `prefix` (IAM's PathPrefix filter; absent matches all). */
export function underPath(path: string, prefix: string | undefined): boolean {
  return prefix === undefined || path.startsWith(prefix);
}

/**
 * IAM's per-account quotas on how many users, groups, roles, policies or instance profiles
 * there are: LimitExceeded once `prefix` holds `limit` records, counted through the transaction
 * that creates one (so each attempt counts what it commits against).
 */
export async function checkQuota(tx: Tx, prefix: string, limit: number, quota: string): Promise<void> {
  if ((await tx.list(prefix)).length >= limit) throw IamErrors.quota(quota, limit);
}
