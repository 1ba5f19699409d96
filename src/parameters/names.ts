/**
 * Parameter Store's rules for names, paths, references and labels, pure: a name is letters,
 * digits and `_.-`, optionally a hierarchy `/a/b/c` (fully qualified, at most 15 levels), never
 * prefixed `aws` or `ssm`; a reference is a name or an ARN, with an optional `:version` or
 * `:label` selector; a label is at most 100 characters of letters, digits and `_.-`, not
 * starting with a digit, `aws` or `ssm`.
 */
import { SsmErrors } from './errors.ts';
import type { ParameterTier } from './records.ts';

/** The deepest hierarchy a name may have. */
export const MAX_LEVELS = 15;

const NAME_RULES = 'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). If formed as a path, it can consist of sub-paths divided by slash symbol; each sub-path can be formed as a mix of letters, numbers and the following 3 symbols .-_';
const PATH_RULES = 'The parameter doesn\'t meet the parameter name requirements. The parameter name must begin with a forward slash "/". It can\'t be prefixed with "aws" or "ssm" (case-insensitive). It must use only letters, numbers, or the following symbols: . (period), - (hyphen), _ (underscore). Special characters are not allowed. All sub-paths, if specified, must use the forward slash symbol "/". Valid example: /get/parameters2-/by1./path0_.';

const SEGMENT = /^[a-zA-Z0-9_.-]+$/;
const reserved = (s: string): boolean => /^(aws|ssm)/i.test(s);

/** The hierarchy levels of a name: `/a/b/c` has 3, `a` has 1. */
export function levelsOf(name: string): number {
  return name.startsWith('/') ? name.split('/').length - 1 : 1;
}

/** Checks a name PutParameter would create, throwing SSM's ValidationException or HierarchyLevelLimitExceededException. */
export function checkName(name: string): void {
  if (/\s/.test(name)) throw SsmErrors.validation(NAME_RULES);
  if (name.includes('/') && !name.startsWith('/')) throw SsmErrors.validation('Parameter name must be a fully qualified name.');
  const segments = name.startsWith('/') ? name.slice(1).split('/') : [name];
  if (segments.some((s) => !SEGMENT.test(s)) || reserved(segments[0]!)) throw SsmErrors.validation(NAME_RULES);
  if (segments.length > MAX_LEVELS) throw SsmErrors.hierarchyLevelLimit();
}

/** A path GetParametersByPath takes (`/`, `/a`, `/a/b/`), normalized without its trailing slash (`/` stays). */
export function normalizePath(path: string): string {
  if (!path.startsWith('/') || /\s/.test(path) || path.includes('//')) throw SsmErrors.validation(PATH_RULES);
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  if (trimmed === '/') return trimmed;
  const segments = trimmed.slice(1).split('/');
  if (segments.some((s) => !SEGMENT.test(s)) || reserved(segments[0]!)) throw SsmErrors.validation(PATH_RULES);
  if (segments.length > MAX_LEVELS) throw SsmErrors.hierarchyLevelLimit();
  return trimmed;
}

/** True when `name` is under `path`: directly (one level) or, `recursive`, at any depth. */
export function isUnder(name: string, path: string, recursive: boolean): boolean {
  const prefix = path === '/' ? '/' : `${path}/`;
  if (!name.startsWith(prefix) || name.length === prefix.length) return false;
  return recursive || !name.slice(prefix.length).includes('/');
}

/** What a reference selects: the latest version, one version, or the version a label is on. */
export type Selector = { kind: 'latest' } | { kind: 'version'; version: number } | { kind: 'label'; label: string };

/** A parsed reference: the names it may mean (an ARN of a one-level name may mean `a` or `/a`), and its selector. */
export interface Reference {
  /** The names to look up, in order. */
  candidates: string[];
  selector: Selector;
  /** The selector as given (`:3`, `:prod`), for the response's Selector. */
  selectorText?: string;
}

/**
 * Parses a name or ARN with an optional selector. An ARN of another account or region, or of
 * another service, names nothing (`candidates` empty).
 */
export function parseReference(reference: string, scope: { account: string; region: string }): Reference {
  let body = reference;
  let candidates: string[];
  if (reference.startsWith('arn:')) {
    const parts = reference.split(':');
    const [, , service, region, account] = parts;
    const resource = parts.slice(5).join(':');
    body = resource.replace(/^parameter\//, '');
    const selectorAt = body.indexOf(':');
    const name = selectorAt >= 0 ? body.slice(0, selectorAt) : body;
    const valid = service === 'ssm' && region === scope.region && account === scope.account && resource.startsWith('parameter/') && name !== '';
    candidates = !valid ? [] : name.includes('/') ? [`/${name}`] : [name, `/${name}`];
    body = selectorAt >= 0 ? body.slice(selectorAt) : '';
  } else {
    const selectorAt = reference.indexOf(':');
    candidates = [selectorAt >= 0 ? reference.slice(0, selectorAt) : reference];
    body = selectorAt >= 0 ? reference.slice(selectorAt) : '';
  }
  if (body === '') return { candidates, selector: { kind: 'latest' } };
  const text = body.slice(1);
  if (text === '' || text.includes(':')) throw SsmErrors.validation(`Invalid parameter name or selector: ${reference}`);
  const selector: Selector = /^[0-9]+$/.test(text) ? { kind: 'version', version: Number(text) } : { kind: 'label', label: text };
  return { candidates, selector, selectorText: body };
}

/** True for a label LabelParameterVersion may attach. */
export function isValidLabel(label: string): boolean {
  return label.length >= 1 && label.length <= 100 && /^[a-zA-Z0-9_.-]+$/.test(label) && !/^[0-9]/.test(label) && !reserved(label);
}

/** The largest value (in bytes) each tier holds. */
export const VALUE_LIMIT: Record<ParameterTier, number> = { Standard: 4096, Advanced: 8192 };

/**
 * The tier a version is stored in: what was asked (Intelligent-Tiering: Standard while the value
 * fits), never down from Advanced; throws when the value is too large for it.
 */
export function tierFor(requested: string | undefined, previous: ParameterTier | undefined, valueBytes: number): ParameterTier {
  if (previous === 'Advanced' && requested === 'Standard') {
    throw SsmErrors.validation('This parameter uses the advanced-parameter tier. You can\'t downgrade a parameter from the advanced-parameter tier to the standard-parameter tier. If necessary, you can delete the advanced parameter and recreate it as a standard parameter.');
  }
  let tier: ParameterTier;
  if (requested === 'Advanced' || previous === 'Advanced') tier = 'Advanced';
  else if (requested === 'Intelligent-Tiering') tier = valueBytes > VALUE_LIMIT.Standard ? 'Advanced' : 'Standard';
  else tier = 'Standard';
  if (valueBytes > VALUE_LIMIT[tier]) {
    throw SsmErrors.validation(tier === 'Standard'
      ? 'Standard tier parameters support a maximum parameter value of 4096 characters. To create a larger parameter value, upgrade the parameter to use the advanced-parameter tier. For more information, see https://docs.aws.amazon.com/systems-manager/latest/userguide/parameter-store-advanced-parameters.html'
      : 'Advanced tier parameters support a maximum parameter value of 8192 characters.');
  }
  return tier;
}

/** Checks `value` against an AllowedPattern, throwing InvalidAllowedPatternException or ParameterPatternMismatchException. */
export function checkAllowedPattern(pattern: string | undefined, value: string): void {
  if (pattern === undefined || pattern === '') return;
  let re: RegExp;
  try {
    re = new RegExp(pattern, 'u');
  } catch {
    throw SsmErrors.invalidAllowedPattern(pattern);
  }
  if (!re.test(value)) throw SsmErrors.patternMismatch(pattern);
}
