/**
 * A listener rule's conditions, compiled once into a predicate over a request, as an Application
 * Load Balancer evaluates them: every condition must hold (AND), any one value of a condition
 * suffices (OR). host-header, http-header and query-string compare without regard to case,
 * path-pattern and http-request-method with it; `*` matches any run of characters and `?` one.
 * RegexValues are JavaScript regular expressions tested against the whole field. Pure.
 */
import type { RuleCondition } from '@aws-sdk/client-elastic-load-balancing-v2';
import { containsIp, parseCidr, parseIp } from '../../common/index.ts';

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

/** `*` and `?` wildcards as a regular expression over the whole text. */
export function wildcard(pattern: string, caseInsensitive: boolean): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, caseInsensitive ? 'is' : 's');
}

const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`);

/** Values and RegexValues of one field as one test: any of them matches. */
function anyOf(values: readonly string[] | undefined, regexValues: readonly string[] | undefined, caseInsensitive: boolean): (text: string) => boolean {
  const tests = [...(values ?? []).map((v) => wildcard(v, caseInsensitive)), ...(regexValues ?? []).map(anchored)];
  return (text) => tests.some((t) => t.test(text));
}

const decode = (s: string) => {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
};

/** One condition as a predicate; an unknown field never matches (the API refuses it before it gets here). */
function compileCondition(c: RuleCondition): RequestPredicate {
  switch (c.Field) {
    case 'host-header': {
      const test = anyOf(c.HostHeaderConfig?.Values ?? c.Values, c.HostHeaderConfig?.RegexValues ?? c.RegexValues, true);
      return (r) => test(r.host);
    }
    case 'path-pattern': {
      const test = anyOf(c.PathPatternConfig?.Values ?? c.Values, c.PathPatternConfig?.RegexValues ?? c.RegexValues, false);
      return (r) => test(r.path);
    }
    case 'http-header': {
      const name = (c.HttpHeaderConfig?.HttpHeaderName ?? '').toLowerCase();
      const test = anyOf(c.HttpHeaderConfig?.Values, c.HttpHeaderConfig?.RegexValues ?? c.RegexValues, true);
      return (r) => r.header(name).some(test);
    }
    case 'http-request-method': {
      const methods = new Set(c.HttpRequestMethodConfig?.Values ?? []);
      return (r) => methods.has(r.method);
    }
    case 'query-string': {
      const pairs = (c.QueryStringConfig?.Values ?? []).map((p) => ({
        key: p.Key === undefined ? undefined : wildcard(decode(p.Key), true),
        value: wildcard(decode(p.Value ?? ''), true),
      }));
      return (r) => pairs.some((p) => r.query.some(([k, v]) => (p.key === undefined || p.key.test(k)) && p.value.test(v)));
    }
    case 'source-ip': {
      const blocks = (c.SourceIpConfig?.Values ?? []).map(parseCidr).filter((b) => b !== undefined);
      return (r) => {
        const ip = parseIp(r.sourceIp.replace(/^::ffff:/, ''));
        return ip !== undefined && blocks.some((b) => containsIp(b, ip));
      };
    }
    default:
      return () => false;
  }
}

/** A rule's conditions as one predicate (no condition: every request, as the default rule). */
export function compileConditions(conditions: readonly RuleCondition[]): RequestPredicate {
  const tests = conditions.map(compileCondition);
  return (r) => tests.every((t) => t(r));
}
