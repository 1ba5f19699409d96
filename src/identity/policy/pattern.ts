/**
 * Wildcard patterns (`*` any run of characters, `?` exactly one) and policy variables
 * (`${aws:username}`, `${aws:PrincipalTag/team, 'none'}`, `${*}` `${?}` `${$}`), compiled once
 * when a policy is parsed. Matching never builds a regular expression: a static pattern is a
 * string test or a token walk; a pattern with variables is resolved to tokens and walked.
 */

/** `*` in a pattern: any run of characters, including none. */
export const STAR = 0;
/** `?` in a pattern: exactly one character. */
export const QMARK = 1;

/** A policy variable: the context key (lower-cased, as keys compare) and its default, if written. */
export interface VariableRef {
  readonly key: string;
  readonly fallback?: string;
}

/** One piece of a pattern: literal text, a wildcard, or a variable. */
export type Token = string | typeof STAR | typeof QMARK | VariableRef;

/** Resolves a lower-cased context key to its single value, or undefined when the request has none. */
export interface VariableLookup {
  variable(key: string): string | undefined;
}

/** How to read a pattern: which characters are special. */
export interface TokenizeOptions {
  /** `*` and `?` are wildcards (Action, Resource, StringLike, ArnLike); otherwise literal. */
  readonly wildcards: boolean;
  /** `${...}` is a variable (2012-10-17 documents, in the elements that allow them). */
  readonly variables: boolean;
}

const SPECIAL: Readonly<Record<string, string>> = { '*': '*', '?': '?', $: '$' };
// `${key}` or `${key, 'default'}`: a key is a context key name, never containing `}` or `,`.
const VARIABLE = /^\s*([^\s,}'][^,}']*?)\s*(?:,\s*'([^']*)'\s*)?$/;

/** Splits a pattern into tokens; adjacent literal text is merged. */
export function tokenize(text: string, options: TokenizeOptions): Token[] {
  const out: Token[] = [];
  let literal = '';
  const flush = () => {
    if (literal) out.push(literal);
    literal = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (options.variables && c === '$' && text[i + 1] === '{') {
      const end = text.indexOf('}', i + 2);
      if (end > 0) {
        const body = text.slice(i + 2, end);
        const special = SPECIAL[body];
        if (special !== undefined) {
          literal += special;
          i = end;
          continue;
        }
        const m = VARIABLE.exec(body);
        if (m) {
          flush();
          out.push(m[2] === undefined ? { key: m[1].toLowerCase() } : { key: m[1].toLowerCase(), fallback: m[2] });
          i = end;
          continue;
        }
      }
    }
    if (options.wildcards && (c === '*' || c === '?')) {
      flush();
      // Consecutive stars match the same as one.
      if (c === '?' || out[out.length - 1] !== STAR) out.push(c === '*' ? STAR : QMARK);
      continue;
    }
    literal += c;
  }
  flush();
  return out;
}

/** True when the tokens contain a variable (so the pattern must be resolved per request). */
export function hasVariables(tokens: readonly Token[]): boolean {
  return tokens.some((t) => typeof t === 'object');
}

/**
 * Replaces each variable by its value (or its default). Returns undefined when a variable has
 * neither: AWS then treats the element as not matching. Variable values are literal text:
 * a `*` in a tag value is not a wildcard.
 */
export function resolve(tokens: readonly Token[], lookup: VariableLookup): Token[] | undefined {
  const out: Token[] = [];
  for (const t of tokens) {
    if (typeof t === 'object') {
      const value = lookup.variable(t.key) ?? t.fallback;
      if (value === undefined) return undefined;
      if (value) out.push(value);
    } else out.push(t);
  }
  return out;
}

/** Resolves tokens without wildcards straight to their text; undefined when a variable has no value. */
export function resolveText(tokens: readonly Token[], lookup: VariableLookup): string | undefined {
  let s = '';
  for (const t of tokens) {
    if (typeof t === 'string') s += t;
    else if (typeof t === 'object') {
      const value = lookup.variable(t.key) ?? t.fallback;
      if (value === undefined) return undefined;
      s += value;
    } else s += t === STAR ? '*' : '?';
  }
  return s;
}

/**
 * Walks variable-free tokens over `s`: the classic wildcard match that backtracks only to the
 * last `*` seen, linear for the patterns policies use and never worse than O(|s|·|tokens|).
 */
export function matchTokens(tokens: readonly Token[], s: string): boolean {
  const n = tokens.length;
  const len = s.length;
  let ti = 0;
  let si = 0;
  let starTi = -1;
  let starSi = 0;
  for (;;) {
    if (ti < n) {
      const t = tokens[ti];
      if (t === STAR) {
        starTi = ti;
        starSi = si;
        ti++;
        continue;
      }
      if (t === QMARK) {
        if (si < len) {
          si++;
          ti++;
          continue;
        }
      } else if (typeof t === 'string' && s.startsWith(t, si)) {
        si += t.length;
        ti++;
        continue;
      }
    } else if (si === len) return true;
    if (starTi < 0 || starSi >= len) return false;
    starSi++;
    si = starSi;
    ti = starTi + 1;
  }
}

/** A compiled static test of one string. */
export type StringTest = (s: string) => boolean;

/** Compiles variable-free tokens into the cheapest test that decides them. */
export function compileTokens(tokens: readonly Token[]): StringTest {
  if (tokens.length === 0) return (s) => s.length === 0;
  if (tokens.length === 1) {
    const t = tokens[0];
    if (t === STAR) return () => true;
    if (typeof t === 'string') return (s) => s === t;
  }
  if (tokens.length === 2) {
    const [a, b] = tokens;
    if (typeof a === 'string' && b === STAR) return (s) => s.startsWith(a);
    if (a === STAR && typeof b === 'string') return (s) => s.endsWith(b);
  }
  if (tokens.length === 3) {
    const [a, b, c] = tokens;
    if (a === STAR && typeof b === 'string' && c === STAR) return (s) => s.includes(b);
    if (typeof a === 'string' && b === STAR && typeof c === 'string') {
      const min = a.length + c.length;
      return (s) => s.length >= min && s.startsWith(a) && s.endsWith(c);
    }
  }
  const frozen = tokens.slice();
  return (s) => matchTokens(frozen, s);
}

/** Compiles a wildcard pattern without variables; `ignoreCase` lower-cases the pattern (callers lower-case the subject). */
export function compileWildcard(pattern: string, ignoreCase = false): StringTest {
  return compileTokens(tokenize(ignoreCase ? pattern.toLowerCase() : pattern, { wildcards: true, variables: false }));
}
