/**
 * Rule conditions: their validation as ELBv2 does it (one of each field but headers and query
 * strings, at most 5 values and 5 wildcards per rule, each value's characters and length), and
 * the matching the data plane does with them. Pure.
 */
import { LbErrors } from './errors.ts';
import { LIMITS } from './catalog.ts';
import type { Condition } from './records.ts';

/** A condition as a request gives it: `Values`, or one of the `*Config` forms. */
export interface ConditionInput {
  field?: string;
  values?: string[];
  hostHeader?: string[];
  pathPattern?: string[];
  httpHeader?: { name?: string; values?: string[] };
  httpRequestMethod?: string[];
  queryString?: { key?: string; value?: string }[];
  sourceIp?: string[];
}

const FIELDS = ['host-header', 'path-pattern', 'http-header', 'http-request-method', 'query-string', 'source-ip'] as const;
const ONCE = new Set(['host-header', 'path-pattern', 'http-request-method', 'source-ip']);
const HOST = /^[A-Za-z0-9\-.*?]{1,128}$/;
const PATH = /^[A-Za-z0-9_\-.$/~"'@:+&*?]{1,128}$/;
const METHOD = /^[A-Z_-]{1,40}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]{1,40}$/;
const CIDR4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const CIDR6 = /^[0-9a-fA-F:]+\/(\d{1,3})$/;

const wildcards = (v: string) => [...v].filter((c) => c === '*' || c === '?').length;

function validCidr(v: string): boolean {
  const m = CIDR4.exec(v);
  if (m) return m.slice(1, 5).every((o) => Number(o) <= 255) && Number(m[5]) <= 32;
  const m6 = CIDR6.exec(v);
  return m6 !== null && Number(m6[1]) <= 128 && v.includes(':');
}

function fieldOf(c: ConditionInput): Condition['field'] {
  const field = c.field ?? (c.hostHeader ? 'host-header' : c.pathPattern ? 'path-pattern' : c.httpHeader ? 'http-header'
    : c.httpRequestMethod ? 'http-request-method' : c.queryString ? 'query-string' : c.sourceIp ? 'source-ip' : undefined);
  if (field === undefined) throw LbErrors.validation('A condition field must be specified');
  if (!(FIELDS as readonly string[]).includes(field)) throw LbErrors.validation(`Condition field '${field}' must be one of [${FIELDS.join(', ')}]`);
  return field as Condition['field'];
}

/** One condition in the domain's form; its values checked. */
function conditionOf(c: ConditionInput): Condition {
  const field = fieldOf(c);
  const configs = [c.hostHeader, c.pathPattern, c.httpHeader, c.httpRequestMethod, c.queryString, c.sourceIp].filter((x) => x !== undefined).length;
  if (configs > 1) throw LbErrors.validation('A condition can have only one of its config forms');
  const config = { 'host-header': c.hostHeader, 'path-pattern': c.pathPattern, 'http-header': c.httpHeader, 'http-request-method': c.httpRequestMethod,
    'query-string': c.queryString, 'source-ip': c.sourceIp }[field];
  if (configs === 1 && config === undefined) throw LbErrors.validation(`The config form given does not match condition field '${field}'`);
  if (c.values !== undefined && config !== undefined) throw LbErrors.validation(`Both 'Values' and a config form are given for condition field '${field}'; give one`);
  if (field === 'http-header') {
    if (c.values !== undefined || !c.httpHeader) throw LbErrors.validation("Condition field 'http-header' needs HttpHeaderConfig");
    const name = c.httpHeader.name ?? '';
    if (!HEADER_NAME.test(name)) throw LbErrors.validation(`HTTP header name '${name}' is not valid`);
    return { field, headerName: name, values: c.httpHeader.values ?? [], legacy: false };
  }
  if (field === 'query-string') {
    if (c.values !== undefined || !c.queryString) throw LbErrors.validation("Condition field 'query-string' needs QueryStringConfig");
    return { field, queryPairs: c.queryString.map((p) => ({ ...(p.key !== undefined ? { key: p.key } : {}), value: p.value ?? '' })), legacy: false };
  }
  if (c.values !== undefined) {
    if (field !== 'host-header' && field !== 'path-pattern') throw LbErrors.validation(`Condition field '${field}' needs its config form, not 'Values'`);
    if (c.values.length !== 1) throw LbErrors.validation(`Condition field '${field}' can have only one value in 'Values'; use its config form for more`);
    return { field, values: c.values, legacy: true };
  }
  return { field, values: (config as string[] | undefined) ?? [], legacy: false };
}

function checkValues(c: Condition): void {
  const values = c.field === 'query-string' ? c.queryPairs.flatMap((p) => [...(p.key !== undefined ? [p.key] : []), p.value]) : c.values;
  if ((c.field === 'query-string' ? c.queryPairs.length : values.length) === 0) throw LbErrors.validation(`Condition field '${c.field}' must have at least one value`);
  for (const v of values) {
    const ok = c.field === 'host-header' ? HOST.test(v)
      : c.field === 'path-pattern' ? PATH.test(v)
        : c.field === 'http-request-method' ? METHOD.test(v)
          : c.field === 'source-ip' ? validCidr(v)
            : v.length >= 1 && v.length <= 128;
    if (!ok) throw LbErrors.validation(`Condition value '${v}' is not valid for field '${c.field}'`);
  }
}

/** The number of values a condition counts for against the per-rule limit (a query string's pairs count one each). */
const valueCount = (c: Condition) => (c.field === 'query-string' ? c.queryPairs.length : c.values.length);

const wildcardCount = (c: Condition) => (c.field === 'query-string'
  ? c.queryPairs.reduce((n, p) => n + wildcards(p.key ?? '') + wildcards(p.value), 0)
  : c.field === 'host-header' || c.field === 'path-pattern' || c.field === 'http-header' ? c.values.reduce((n, v) => n + wildcards(v), 0) : 0);

/** A rule's conditions in the domain's form, checked alone and together. */
export function checkConditions(inputs: ConditionInput[]): Condition[] {
  if (inputs.length === 0) throw LbErrors.validation('A rule must have at least one condition');
  const conditions = inputs.map(conditionOf);
  const seen = new Set<string>();
  for (const c of conditions) {
    checkValues(c);
    if (ONCE.has(c.field)) {
      if (seen.has(c.field)) throw LbErrors.validation(`A rule can have only one '${c.field}' condition`);
      seen.add(c.field);
    }
  }
  const values = conditions.reduce((n, c) => n + valueCount(c), 0);
  if (values > LIMITS['condition-values-per-alb-rule']) {
    throw LbErrors.validation(`A rule can only have '${LIMITS['condition-values-per-alb-rule']}' condition values`);
  }
  const stars = conditions.reduce((n, c) => n + wildcardCount(c), 0);
  if (stars > LIMITS['condition-wildcards-per-alb-rule']) {
    throw LbErrors.validation(`A rule can only have '${LIMITS['condition-wildcards-per-alb-rule']}' wildcards in its condition values`);
  }
  return conditions;
}

/** `*` and `?` of a host name or path pattern as a regular expression (case-insensitive for hosts). */
export function wildcardPattern(pattern: string, ignoreCase: boolean): RegExp {
  const body = [...pattern].map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, ignoreCase ? 'i' : '');
}
