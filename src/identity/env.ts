/**
 * What every IAM operation is given: the store it writes through, and the clock and id source
 * it reads instead of the wall clock and Math.random. Plus IAM's Marker/MaxItems paging.
 */
import type { Clock, Ids } from '../common/index.ts';
import type { Store } from '../state/index.ts';
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
 * One page of `items` (in their final order, each with a unique sort key). The marker is the
 * base64 of the last key given, so a page stays put while items before it come and go.
 */
export function pageOf<T>(items: readonly T[], keyOf: (item: T) => string, request: PageRequest): Page<T> {
  let start = 0;
  if (request.marker !== undefined) {
    const after = Buffer.from(request.marker, 'base64').toString('utf8');
    if (!after.startsWith('m:')) throw IamErrors.invalidInput('Invalid Marker.');
    const key = after.slice(2);
    // After the item the marker names; if it is gone, after where it would sort.
    const at = items.findIndex((item) => keyOf(item) === key);
    start = at >= 0 ? at + 1 : items.findIndex((item) => keyOf(item) > key);
    if (start < 0) start = items.length;
  }
  const size = request.maxItems ?? 100;
  const page = items.slice(start, start + size);
  const isTruncated = start + size < items.length;
  return {
    items: page,
    isTruncated,
    marker: isTruncated && page.length ? Buffer.from(`m:${keyOf(page[page.length - 1])}`).toString('base64') : undefined,
  };
}

/** True when `path` begins with `prefix` (IAM's PathPrefix filter; absent matches all). */
export function underPath(path: string, prefix: string | undefined): boolean {
  return prefix === undefined || path.startsWith(prefix);
}
