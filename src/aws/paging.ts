/**
 * `nextToken` / `maxResults` pagination as the AWS list APIs do it. The token is opaque to
 * callers: here it is the base64 of the last key returned, so a page is stable while items
 * before it come and go.
 */
import type { AwsError } from './errors.ts';

/** Builds the API's error for a bad token (ECS: InvalidParameterException). */
export type InvalidError = (message: string) => AwsError;

export interface Page<T> {
  items: T[];
  nextToken?: string;
}

/**
 * One page of `items` (already in their final order, each with a unique sort key) after the
 * key the token names. `maxResults` defaults to `defaultMax`.
 */
export function paginate<T>(
  items: T[],
  keyOf: (item: T) => string,
  nextToken: string | undefined,
  maxResults: number | undefined,
  invalid: InvalidError,
  defaultMax = 100,
): Page<T> {
  let start = 0;
  if (nextToken !== undefined) {
    const after = decodeToken(nextToken);
    if (after === undefined) throw invalid('Invalid nextToken.');
    const i = items.findIndex((item) => keyOf(item) === after);
    start = i >= 0 ? i + 1 : items.findIndex((item) => keyOf(item) > after);
    if (start < 0) start = items.length;
  }
  const size = maxResults ?? defaultMax;
  const page = items.slice(start, start + size);
  const more = start + size < items.length;
  return { items: page, nextToken: more && page.length ? encodeToken(keyOf(page[page.length - 1])) : undefined };
}

function encodeToken(key: string): string {
  return Buffer.from(JSON.stringify({ after: key })).toString('base64');
}

function decodeToken(token: string): string | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as unknown;
    const after = (parsed as { after?: unknown }).after;
    return typeof after === 'string' ? after : undefined;
  } catch {
    return undefined;
  }
}
