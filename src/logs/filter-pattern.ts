/**
 * CloudWatch Logs' filter-pattern language, as FilterLogEvents and metric filters read it: a
 * pure parser from pattern text to a matcher of event messages.
 *
 * - terms: `ERROR Exception` (every term appears, case-sensitive), `"exact phrase"`, `-term`
 *   (must not appear), `?ERROR ?WARN` (any of them);
 * - JSON: `{ $.level = "ERROR" }`, `{ $.latency > 500 }`, `&&`, `||`, parentheses, `IS NULL`,
 *   `IS TRUE`, `IS FALSE`, `NOT EXISTS`, `*` in string values, `$.a[0].b`;
 * - space-delimited: `[ip, user, ..., status_code = 4*, bytes > 1000]`, fields split on spaces
 *   with `"…"` and `[…]` kept whole;
 * - a regular expression on its own: `%ERROR [0-9]+%`.
 * An empty pattern matches every event. A match yields the event's fields the pattern names
 * (`$.path` of a JSON pattern, `$name` of a space-delimited one): TestMetricFilter's
 * `extractedValues`, and where metric filters read their values and dimensions.
 */

/** A pattern CloudWatch Logs would refuse. */
export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

/** Whether a message matches. */
export type Matcher = (message: string) => boolean;

/** What a matching event yields. */
export interface PatternMatch {
  /** The fields the pattern names, by `$.path` or `$name`, with the event's values (TestMetricFilter's extractedValues). */
  extracted: Record<string, string>;
  /** A field of the event by `$.path` (JSON patterns) or `$name` (space-delimited ones): a metric filter's value or dimension. */
  field(ref: string): string | undefined;
}

/** Which of the pattern forms: metric values and dimensions may name fields of `json` and `delimited` patterns only. */
export type PatternKind = 'all' | 'terms' | 'json' | 'delimited' | 'regex';

/** A parsed pattern: its form, the fields it names, and a matcher that yields the fields of a match. */
export interface FilterPattern {
  kind: PatternKind;
  /** `$.path` of a JSON pattern's comparisons; `$name` of a space-delimited pattern's named fields. */
  fields: string[];
  match(message: string): PatternMatch | undefined;
}

const NO_FIELDS: PatternMatch = { extracted: {}, field: () => undefined };

type Op = '=' | '!=' | '>' | '<' | '>=' | '<=';
type Literal = { kind: 'string'; text: string } | { kind: 'number'; value: number; text: string };
type JsonExpr =
  | { kind: 'and' | 'or'; left: JsonExpr; right: JsonExpr }
  | { kind: 'compare'; path: PathStep[]; ref: string; op: Op; value: Literal }
  | { kind: 'is'; path: PathStep[]; ref: string; what: 'NULL' | 'TRUE' | 'FALSE' | 'NOT EXISTS' | 'EXISTS' };

/** The `$.path` texts a JSON pattern compares. */
function pathsOf(expr: JsonExpr): string[] {
  if (expr.kind === 'compare' || expr.kind === 'is') return [expr.ref];
  return [...pathsOf(expr.left), ...pathsOf(expr.right)];
}
type PathStep = string | number | '*';

/** Parses a filter pattern; throws FilterPatternError for one AWS would refuse. */
export function compileFilterPattern(pattern: string): Matcher {
  const parsed = parseFilterPattern(pattern);
  return (message) => parsed.match(message) !== undefined;
}

/** Parses a filter pattern into its form, fields and matcher; throws FilterPatternError for one AWS would refuse. */
export function parseFilterPattern(pattern: string): FilterPattern {
  const text = pattern.trim();
  if (text === '') return { kind: 'all', fields: [], match: () => NO_FIELDS };
  if (text.startsWith('{')) {
    if (!text.endsWith('}')) throw invalid();
    const expr = new JsonParser(text.slice(1, -1)).parseAll();
    const fields = [...new Set(pathsOf(expr))];
    return {
      kind: 'json',
      fields,
      match: (message) => {
        const doc = parseJson(message);
        if (doc === undefined || !evalJson(expr, doc.value)) return undefined;
        const field = (ref: string) => {
          let path: PathStep[];
          try {
            path = parsePath(ref);
          } catch {
            return undefined;
          }
          return scalarText(select(doc.value, path)[0]);
        };
        const extracted: Record<string, string> = {};
        for (const f of fields) {
          const v = field(f);
          if (v !== undefined) extracted[f] = v;
        }
        return { extracted, field };
      },
    };
  }
  if (text.startsWith('[')) return compileDelimited(text);
  if (text.length > 2 && text.startsWith('%') && text.endsWith('%')) {
    let re: RegExp;
    try {
      re = new RegExp(text.slice(1, -1));
    } catch {
      throw invalid();
    }
    return { kind: 'regex', fields: [], match: (message) => (re.test(message) ? NO_FIELDS : undefined) };
  }
  const terms = compileTerms(text);
  return { kind: 'terms', fields: [], match: (message) => (terms(message) ? NO_FIELDS : undefined) };
}

/** A JSON value as a field's text: strings as they are, numbers and booleans written out; objects, arrays and null have none. */
function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

const invalid = () => new FilterPatternError('Invalid filter pattern');

// --- terms ---------------------------------------------------------------------------------

function compileTerms(text: string): Matcher {
  const terms: Array<{ word: string; mode: 'all' | 'none' | 'any' }> = [];
  const re = /([?-]?)(?:"((?:[^"\\]|\\.)*)"|(\S+))/g;
  for (const m of text.matchAll(re)) {
    const word = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
    if (word.includes('"')) throw invalid();
    terms.push({ word, mode: m[1] === '?' ? 'any' : m[1] === '-' ? 'none' : 'all' });
  }
  const any = terms.filter((t) => t.mode === 'any');
  const all = terms.filter((t) => t.mode === 'all');
  const none = terms.filter((t) => t.mode === 'none');
  // With `?` terms, the pattern is their alternatives (other terms in it are alternatives too).
  if (any.length > 0) return (m) => terms.some((t) => t.mode !== 'none' && m.includes(t.word));
  return (m) => all.every((t) => m.includes(t.word)) && none.every((t) => !m.includes(t.word));
}

// --- values --------------------------------------------------------------------------------

/** `*` in a value matches any run of characters. */
function glob(text: string): (s: string) => boolean {
  if (!text.includes('*')) return (s) => s === text;
  const re = new RegExp(`^${text.split('*').map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 's');
  return (s) => re.test(s);
}

/** Compares an event's value with a pattern's literal: numbers by value, strings (with `*`) by text. */
function compare(actual: unknown, op: Op, value: Literal): boolean {
  if (value.kind === 'number') {
    const n = typeof actual === 'number' ? actual : typeof actual === 'string' && actual.trim() !== '' ? Number(actual) : NaN;
    if (Number.isNaN(n)) return false;
    switch (op) {
      case '=': return n === value.value;
      case '!=': return n !== value.value;
      case '>': return n > value.value;
      case '<': return n < value.value;
      case '>=': return n >= value.value;
      case '<=': return n <= value.value;
    }
  }
  if (op !== '=' && op !== '!=') throw invalid();
  if (typeof actual !== 'string' && typeof actual !== 'number' && typeof actual !== 'boolean') return false;
  const equal = glob(value.text)(String(actual));
  return op === '=' ? equal : !equal;
}

// --- JSON ----------------------------------------------------------------------------------

function parseJson(message: string): { value: unknown } | undefined {
  const t = message.trim();
  if (!t.startsWith('{') && !t.startsWith('[')) return undefined;
  try {
    return { value: JSON.parse(t) as unknown };
  } catch {
    return undefined;
  }
}

/** The values a path selects (several through `*`). */
function select(doc: unknown, path: PathStep[]): unknown[] {
  let current: unknown[] = [doc];
  for (const step of path) {
    const next: unknown[] = [];
    for (const v of current) {
      if (v === null || typeof v !== 'object') continue;
      if (step === '*') next.push(...Object.values(v));
      else if (typeof step === 'number') {
        if (Array.isArray(v) && step < v.length) next.push(v[step]);
      } else if (!Array.isArray(v) && Object.hasOwn(v, step)) next.push((v as Record<string, unknown>)[step]);
    }
    current = next;
  }
  return current;
}

function evalJson(expr: JsonExpr, doc: unknown): boolean {
  switch (expr.kind) {
    case 'and': return evalJson(expr.left, doc) && evalJson(expr.right, doc);
    case 'or': return evalJson(expr.left, doc) || evalJson(expr.right, doc);
    case 'compare': return select(doc, expr.path).some((v) => compare(v, expr.op, expr.value));
    case 'is': {
      const found = select(doc, expr.path);
      if (expr.what === 'NOT EXISTS') return found.length === 0;
      if (expr.what === 'EXISTS') return found.length > 0;
      const want = expr.what === 'NULL' ? null : expr.what === 'TRUE';
      return found.some((v) => v === want);
    }
  }
}

const TOKEN = /\s*(&&|\|\||!=|>=|<=|=|>|<|\(|\)|"(?:[^"\\]|\\.)*"|\$[^\s=!<>()&|]*|[^\s=!<>()&|"]+)/y;

class JsonParser {
  private readonly tokens: string[] = [];
  private at = 0;

  constructor(text: string) {
    let at = 0;
    for (;;) {
      TOKEN.lastIndex = at;
      const m = TOKEN.exec(text);
      if (!m) break;
      this.tokens.push(m[1]!);
      at = TOKEN.lastIndex;
    }
    if (text.slice(at).trim() !== '') throw invalid();
  }

  parseAll(): JsonExpr {
    const expr = this.or();
    if (this.at !== this.tokens.length) throw invalid();
    return expr;
  }

  private peek = () => this.tokens[this.at];
  private take = () => {
    const t = this.tokens[this.at++];
    if (t === undefined) throw invalid();
    return t;
  };

  private or(): JsonExpr {
    let left = this.and();
    while (this.peek() === '||') {
      this.at++;
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): JsonExpr {
    let left = this.unary();
    while (this.peek() === '&&') {
      this.at++;
      left = { kind: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): JsonExpr {
    if (this.peek() === '(') {
      this.at++;
      const inner = this.or();
      if (this.take() !== ')') throw invalid();
      return inner;
    }
    const ref = this.take();
    const path = parsePath(ref);
    const next = this.take();
    if (next === 'IS') {
      const what = this.take();
      if (what !== 'NULL' && what !== 'TRUE' && what !== 'FALSE') throw invalid();
      return { kind: 'is', path, ref, what };
    }
    if (next === 'NOT') {
      if (this.take() !== 'EXISTS') throw invalid();
      return { kind: 'is', path, ref, what: 'NOT EXISTS' };
    }
    if (next === 'EXISTS') return { kind: 'is', path, ref, what: 'EXISTS' };
    if (!['=', '!=', '>', '<', '>=', '<='].includes(next)) throw invalid();
    const value = literal(this.take());
    if (value.kind === 'string' && next !== '=' && next !== '!=') throw invalid();
    return { kind: 'compare', path, ref, op: next as Op, value };
  }
}

function literal(token: string): Literal {
  if (token.startsWith('"')) return { kind: 'string', text: JSON.parse(token) as string };
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(token)) return { kind: 'number', value: Number(token), text: token };
  if (/[()&|]/.test(token)) throw invalid();
  return { kind: 'string', text: token };
}

/** `$.a.b[0].*` → ['a', 'b', 0, '*']. */
function parsePath(token: string): PathStep[] {
  if (!token.startsWith('$')) throw invalid();
  const steps: PathStep[] = [];
  const re = /\.([^.[\]]+)|\[(\d+|\*)\]/y;
  re.lastIndex = 1;
  while (re.lastIndex < token.length) {
    const m = re.exec(token);
    if (!m) throw invalid();
    const step = m[1] ?? m[2]!;
    steps.push(step === '*' ? '*' : m[2] !== undefined ? Number(step) : step);
  }
  if (steps.length === 0) throw invalid();
  return steps;
}

// --- space-delimited -----------------------------------------------------------------------

/** Splits a log line into fields: spaces separate, `"…"` and `[…]` are one field each. */
export function delimitedFields(message: string): string[] {
  const fields: string[] = [];
  const re = /"([^"]*)"|\[([^\]]*)\]|(\S+)/g;
  for (const m of message.matchAll(re)) fields.push(m[1] ?? m[2] ?? m[3]!);
  return fields;
}

type Condition = { kind: 'and' | 'or'; left: Condition; right: Condition } | { kind: 'compare'; field: string; op: Op; value: Literal };

function compileDelimited(text: string): FilterPattern {
  if (!text.endsWith(']')) throw invalid();
  const slots = text.slice(1, -1).split(',').map((s) => s.trim());
  if (slots.some((s) => s === '')) throw invalid();
  const names: string[] = [];
  const conditions: Condition[] = [];
  for (const slot of slots) {
    if (slot === '...') {
      names.push('...');
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(slot)?.[0];
    if (!name) throw invalid();
    names.push(name);
    const rest = slot.slice(name.length).trim();
    if (rest !== '') conditions.push(parseCondition(`${name} ${rest}`));
  }
  const ellipses = names.filter((n) => n === '...').length;
  if (ellipses > 1) throw invalid();
  const named = names.filter((n) => n !== '...');
  const match = (message: string): PatternMatch | undefined => {
    const fields = delimitedFields(message);
    const values = new Map<string, string>();
    if (ellipses === 0) {
      if (fields.length !== names.length) return undefined;
      names.forEach((n, i) => values.set(n, fields[i]!));
    } else {
      const cut = names.indexOf('...');
      const after = names.length - cut - 1;
      if (fields.length < cut + after) return undefined;
      for (let i = 0; i < cut; i++) values.set(names[i]!, fields[i]!);
      for (let i = 0; i < after; i++) values.set(names[cut + 1 + i]!, fields[fields.length - after + i]!);
    }
    if (!conditions.every((c) => evalCondition(c, values))) return undefined;
    const extracted = Object.fromEntries(named.map((n) => [`$${n}`, values.get(n)!]));
    return { extracted, field: (ref) => (ref.startsWith('$') ? values.get(ref.slice(1)) : undefined) };
  };
  return { kind: 'delimited', fields: named.map((n) => `$${n}`), match };
}

function parseCondition(text: string): Condition {
  const or = text.split('||');
  if (or.length > 1) return or.map((p) => parseCondition(p)).reduce((left, right) => ({ kind: 'or', left, right }));
  const and = text.split('&&');
  if (and.length > 1) return and.map((p) => parseCondition(p)).reduce((left, right) => ({ kind: 'and', left, right }));
  const m = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*(!=|>=|<=|=|>|<)\s*(.+?)\s*$/.exec(text);
  if (!m) throw invalid();
  const value = literal(m[3]!);
  if (value.kind === 'string' && m[2] !== '=' && m[2] !== '!=') throw invalid();
  return { kind: 'compare', field: m[1]!, op: m[2] as Op, value };
}

function evalCondition(c: Condition, values: Map<string, string>): boolean {
  if (c.kind !== 'compare') {
    return c.kind === 'and' ? evalCondition(c.left, values) && evalCondition(c.right, values) : evalCondition(c.left, values) || evalCondition(c.right, values);
  }
  const actual = values.get(c.field);
  return actual !== undefined && compare(actual, c.op, c.value);
}
