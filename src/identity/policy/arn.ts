/**
 * ARN matching as IAM does it for Resource/NotResource and the Arn* condition operators: the
 * six colon-separated parts (arn, partition, service, region, account, resource) are matched
 * one by one, so a wildcard in the region never swallows the account. The resource part is
 * everything after the fifth colon and may itself contain colons.
 */
import { compileTokens, hasVariables, matchTokens, resolve, STAR, type StringTest, type Token, type VariableLookup } from './pattern.ts';

/** An ARN cut into its six parts. */
export type ArnParts = readonly [string, string, string, string, string, string];

/** Splits an ARN at its first five colons; undefined when it has fewer (not an ARN). */
export function splitArn(arn: string): ArnParts | undefined {
  const parts: string[] = [];
  let from = 0;
  for (let i = 0; i < 5; i++) {
    const at = arn.indexOf(':', from);
    if (at < 0) return undefined;
    parts.push(arn.slice(from, at));
    from = at + 1;
  }
  parts.push(arn.slice(from));
  return parts as unknown as ArnParts;
}

/** Splits pattern tokens at the first five literal colons; missing trailing parts become `*`, as IAM reads a short ARN. */
export function splitTokens(tokens: readonly Token[]): Token[][] {
  const parts: Token[][] = [[]];
  for (const t of tokens) {
    if (typeof t !== 'string' || parts.length === 6) {
      parts[parts.length - 1].push(t);
      continue;
    }
    let rest = t;
    for (;;) {
      const at = parts.length < 6 ? rest.indexOf(':') : -1;
      if (at < 0) {
        if (rest) parts[parts.length - 1].push(rest);
        break;
      }
      if (at > 0) parts[parts.length - 1].push(rest.slice(0, at));
      parts.push([]);
      rest = rest.slice(at + 1);
    }
  }
  while (parts.length < 6) parts.push([STAR]);
  return parts;
}

/** A compiled ARN pattern: tests pre-split ARNs; `undefined` means a variable had no value. */
export interface ArnMatcher {
  /** Tests an ARN already split with `splitArn`. */
  match(arn: ArnParts, lookup: VariableLookup): boolean | undefined;
}

/** Compiles an ARN pattern (tokens from `tokenize`, wildcards on). */
export function compileArnPattern(tokens: readonly Token[]): ArnMatcher {
  const parts = splitTokens(tokens);
  if (!hasVariables(tokens)) {
    const tests: StringTest[] = parts.map(compileTokens);
    return {
      match: (arn) =>
        tests[0](arn[0]) && tests[1](arn[1]) && tests[2](arn[2]) && tests[3](arn[3]) && tests[4](arn[4]) && tests[5](arn[5]),
    };
  }
  const tests = parts.map((p) => (hasVariables(p) ? undefined : compileTokens(p)));
  return {
    match(arn, lookup) {
      for (let i = 0; i < 6; i++) {
        const test = tests[i];
        if (test) {
          if (!test(arn[i])) return false;
          continue;
        }
        const resolved = resolve(parts[i], lookup);
        if (!resolved) return undefined;
        if (!matchTokens(resolved, arn[i])) return false;
      }
      return true;
    },
  };
}
