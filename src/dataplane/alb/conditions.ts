/**
 * A listener rule's conditions, compiled once into a predicate over a request, as an Application
 * Load Balancer evaluates them: every condition must hold (AND), any one value of a condition
 * suffices (OR). host-header, http-header and query-string compare without regard to case,
 * path-pattern and http-request-method with it; `*` matches any run of characters and `?` one
 * (the lb domain's `wildcardPattern`); query-string pairs compare decoded. Pure.
 */
import { containsIp, parseCidr, parseIp } from '../../common/index.ts';
import { wildcardPattern, type Condition } from '../../lb/index.ts';

/** What the conditions look at in a request. */
export interface RequestView {
  /** The Host header without its port. */
  host: string;
  /** The URL's path, without the query string. */
  path: string;
  method: string;
  /** Header values by lower-case name. */
  header(name: string): readonly string[];
  /** The query string's key/value pairs, decoded. */
  query: readonly (readonly [string, string])[];
  /** The address the connection came from (never X-Forwarded-For). */
  sourceIp: string;
}

/** A compiled set of conditions. */
export type RequestPredicate = (request: RequestView) => boolean;

/** One condition as a predicate. */
function compileCondition(c: Condition): RequestPredicate {
  switch (c.field) {
    case 'host-header': {
      const tests = c.values.map((v) => wildcardPattern(v, true));
      return (r) => tests.some((t) => t.test(r.host));
    }
    case 'path-pattern': {
      const tests = c.values.map((v) => wildcardPattern(v, false));
      return (r) => tests.some((t) => t.test(r.path));
    }
    case 'http-header': {
      const name = c.headerName.toLowerCase();
      const tests = c.values.map((v) => wildcardPattern(v, true));
      return (r) => r.header(name).some((value) => tests.some((t) => t.test(value)));
    }
    case 'http-request-method': {
      const methods = new Set(c.values);
      return (r) => methods.has(r.method);
    }
    case 'query-string': {
      const pairs = c.queryPairs.map((p) => ({ key: p.key === undefined ? undefined : wildcardPattern(decode(p.key), true), value: wildcardPattern(decode(p.value), true) }));
      return (r) => pairs.some((p) => r.query.some(([k, v]) => (p.key === undefined || p.key.test(k)) && p.value.test(v)));
    }
    case 'source-ip': {
      const blocks = c.values.map(parseCidr).filter((b) => b !== undefined);
      return (r) => {
        const ip = parseIp(r.sourceIp.replace(/^::ffff:/, ''));
        return ip !== undefined && blocks.some((b) => containsIp(b, ip));
      };
    }
  }
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

/** A rule's conditions as one predicate (no condition: every request, as the default rule). */
export function compileConditions(conditions: readonly Condition[]): RequestPredicate {
  const tests = conditions.map(compileCondition);
  return (r) => tests.every((t) => t(r));
}
