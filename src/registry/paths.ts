/**
 * The URL grammar of the distribution API. Repository names contain `/`, so a path is read
 * from the right: `/v2/<name>/(blobs|manifests|tags|referrers)/...`. The raw request path is
 * parsed without dot-segment normalisation, so `..` (plain or percent-encoded) reaches name
 * validation and is refused as NAME_INVALID rather than silently resolved.
 */
import { RegistryErrors } from './errors.ts';

/** One request, by what it addresses. */
export type V2Path =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'referrers'; name: string; digest: string };

/** One path component of a repository name (OCI distribution v1.1). */
const COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
/** ECR's longest repository name. */
export const MAX_NAME_LENGTH = 256;

/** The path and query of a request target (origin-form or absolute-form), undecoded. */
export function splitTarget(target: string): { path: string; query: URLSearchParams } {
  let rest = target;
  if (/^https?:\/\//i.test(rest)) rest = rest.replace(/^https?:\/\/[^/]*/i, '');
  const q = rest.indexOf('?');
  return { path: q < 0 ? rest : rest.slice(0, q), query: new URLSearchParams(q < 0 ? '' : rest.slice(q + 1)) };
}

/**
 * What a raw path under `/v2` addresses, or undefined when it is no endpoint of the API.
 * Names are decoded and validated (NAME_INVALID); references are decoded only.
 */
export function parseV2Path(path: string): V2Path | undefined {
  if (path === '/v2' || path === '/v2/') return { kind: 'base' };
  if (!path.startsWith('/v2/')) return undefined;
  const segments = path.slice('/v2/'.length).split('/');
  if (segments.length === 1 && segments[0] === '_catalog') return { kind: 'catalog' };
  const n = segments.length;
  const last = segments[n - 1];
  const at = (i: number) => segments[n - i];
  const name = (count: number) => repositoryName(segments.slice(0, n - count));
  if (n >= 3 && at(2) === 'tags' && last === 'list') return { kind: 'tags', name: name(2) };
  if (n >= 4 && at(3) === 'blobs' && at(2) === 'uploads') {
    return last === '' ? { kind: 'uploads', name: name(3) } : { kind: 'upload', name: name(3), id: decode(last) };
  }
  if (n >= 3 && at(2) === 'blobs' && last === 'uploads') return { kind: 'uploads', name: name(2) };
  if (n >= 3 && last !== '') {
    if (at(2) === 'manifests') return { kind: 'manifest', name: name(2), reference: decode(last) };
    if (at(2) === 'blobs') return { kind: 'blob', name: name(2), digest: decode(last) };
    if (at(2) === 'referrers') return { kind: 'referrers', name: name(2), digest: decode(last) };
  }
  return undefined;
}

/** Decodes and validates the path components of a name; NAME_INVALID says why not. */
export function repositoryName(components: string[]): string {
  return validateRepositoryName(components.map(decode).join('/'));
}

/** A valid repository name (already decoded, e.g. the `from` of a mount), or NAME_INVALID. */
export function validateRepositoryName(name: string): string {
  const shown = name.slice(0, MAX_NAME_LENGTH);
  if (name === '') throw RegistryErrors.nameInvalid(shown, 'the repository name is empty');
  if (name.length > MAX_NAME_LENGTH) throw RegistryErrors.nameInvalid(shown, `the repository name is longer than ${MAX_NAME_LENGTH} characters`);
  for (const component of name.split('/')) {
    if (!COMPONENT.test(component)) {
      throw RegistryErrors.nameInvalid(shown, `'${component.slice(0, 64)}' is not a valid path component (lowercase letters and digits, separated by '.', '_', '__' or '-')`);
    }
  }
  return name;
}

/** Percent-decodes a path segment; an undecodable one becomes a value every validator refuses. */
function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return '\u0000invalid';
  }
}
