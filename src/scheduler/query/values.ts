/**
 * How the cluster query language reads its arguments and compares them: bare values,
 * dates (`registeredAt`), agent versions, whole numbers, and `=~` patterns. Shared by the
 * parser (which rejects arguments that cannot be read) and the evaluator.
 */

/** Whether `c` separates tokens (any Unicode white space, as `\s` matches). */
export const isSpace = (c: string): boolean => /\s/.test(c);

/**
 * Where a bare (unquoted) value starting at `start` ends. A bare value stops at white space,
 * a quote, `&&` or `||`. In a `[...]` list it also stops at `,`, brackets and parentheses;
 * elsewhere it may hold balanced parentheses, brackets and commas (so `=~ t2.(micro|small)`
 * and `=~ [tm]5.*` read whole) and stops at a `)` that closes an enclosing group.
 */
export function bareValueEnd(text: string, start: number, inList: boolean): number {
  return scanBare(text, start, inList).end;
}

function scanBare(text: string, start: number, inList: boolean): { end: number; open: number } {
  let depth = 0;
  let i = start;
  for (; i < text.length; i++) {
    const c = text[i];
    if (isSpace(c) || c === "'" || c === '"') break;
    if ((c === '&' || c === '|') && text[i + 1] === c) break;
    if (inList) {
      if (c === ',' || c === '[' || c === ']' || c === '(' || c === ')') break;
    } else if (c === '(') depth++;
    else if (c === ')') {
      if (depth === 0) break;
      depth--;
    }
  }
  return { end: i, open: depth };
}

/**
 * Where a value sits, for reading it bare: in a `[...]` list, as a `=~` / `!~` pattern (which
 * may start with `(`, as in `(t2|t3).*`), or as any other single argument (which may not, so
 * that `attribute:x == (a)` is an error rather than the value `(a)`).
 */
export type ValueContext = 'list' | 'pattern' | 'value';

/** Whether `value` can be written without quotes in `context` and read back as itself. */
export function isBareSafe(value: string, context: ValueContext): boolean {
  if (value.length === 0 || (context === 'value' && value[0] === '(')) return false;
  // A value left with an open '(' would swallow the ')' written after it.
  const { end, open } = scanBare(value, 0, context === 'list');
  return end === value.length && open === 0;
}

/** A `registeredAt` argument: the instant it names and how precisely it was written. */
export interface DateArgument {
  readonly ms: number;
  /** `day` for `2018-06-18` (compared by UTC calendar day), `second` for a full timestamp. */
  readonly precision: 'day' | 'second';
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * Reads a date in one of the formats ECS documents for `registeredAt`: `2018-06-18T22:28:28+00:00`,
 * `2018-06-18T22:28:28Z`, `2018-06-18T22:28:28` (UTC) or `2018-06-18`. Undefined if it is not one.
 */
export function parseDateArgument(text: string): DateArgument | undefined {
  const m = DATE.exec(text);
  if (!m) return undefined;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(local).getUTCDate() !== day) return undefined; // e.g. 2018-02-30
  let offset = 0;
  const zone = m[7];
  if (zone && zone !== 'Z') {
    const [h, min] = [Number(zone.slice(1, 3)), Number(zone.slice(4, 6))];
    if (h > 23 || min > 59) return undefined;
    offset = (zone[0] === '-' ? -1 : 1) * (h * 60 + min) * 60_000;
  }
  return { ms: local - offset, precision: m[4] === undefined ? 'day' : 'second' };
}

/** An instant cut down to the precision of the argument it is compared with. */
export function truncateTo(ms: number, precision: DateArgument['precision']): number {
  const unit = precision === 'day' ? 86_400_000 : 1000;
  return Math.floor(ms / unit) * unit;
}

const VERSION = /^\d+(?:\.\d+)*$/;
const VERSION_PREFIX = /^\d+(?:\.\d+)*/;

/** Reads an `agentVersion` argument such as `1.14.5`; undefined if it is not dotted numbers. */
export function parseVersion(text: string): number[] | undefined {
  return VERSION.test(text) ? text.split('.').map(Number) : undefined;
}

/** Reads an agent's reported version by its leading dotted numbers (`1.80.0` of `1.80.0-dev`). */
export function versionOf(text: string): number[] | undefined {
  const m = VERSION_PREFIX.exec(text);
  return m ? m[0].split('.').map(Number) : undefined;
}

/** Compares versions part by part, a missing part counting as 0 (so 1.14 equals 1.14.0). */
export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Orders two attribute or group values for `>`, `>=`, `<`, `<=`: as numbers when both read as
 * numbers (so `10 > 9`), otherwise as strings by UTF-16 code units.
 */
export function compareValues(a: string, b: string): number {
  if (NUMBER.test(a) && NUMBER.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

const LEADING_FLAGS = /^\(\?([ims]+)\)/;

/**
 * Compiles a `=~` / `!~` argument. ECS documents it as a Java regular expression
 * (java.util.regex.Pattern); it must match the whole value, as Java's `matches()` does, so
 * `t2.*` selects `t2.micro` but not `xt2.micro`. Leading inline flags `(?i)`, `(?s)`, `(?m)`
 * become RegExp flags. Returns the reason when the pattern is not a valid expression.
 */
export function compilePattern(pattern: string): RegExp | { error: string } {
  const flags = LEADING_FLAGS.exec(pattern);
  const body = flags ? pattern.slice(flags[0].length) : pattern;
  const flagText = flags ? [...new Set(flags[1])].join('') : '';
  if (unboundedRepeatOfChoice(body)) {
    return { error: 'a repeated group may not itself contain a repetition or an alternation (it could take exponential time)' };
  }
  if (/\\[1-9k]/.test(body)) return { error: 'backreferences are not supported' };
  try {
    new RegExp(body, flagText); // on its own first, so `a)|(b` cannot escape the anchoring group
    return new RegExp(`^(?:${body})$`, flagText);
  } catch (e) {
    return { error: e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e) };
  }
}

/**
 * True when a group that contains a repetition or an alternation is itself repeated without
 * bound (`(a+)+`, `(a|a)*`, `(x*){2,}`): the shapes that make a backtracking engine take
 * exponential time. The control plane evaluates callers' patterns, so these are refused.
 */
export function unboundedRepeatOfChoice(pattern: string): boolean {
  const groups: boolean[] = []; // per open group: does it contain a repetition or alternation?
  let afterRiskyGroup = false; // the previous token closed such a group
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    const unbounded = c === '*' || c === '+' || (c === '{' && /^\{\d+,\}/.test(pattern.slice(i)));
    if (unbounded && afterRiskyGroup) return true;
    if ((unbounded || c === '{' || c === '|') && groups.length) groups[groups.length - 1] = true;
    if (c === '\\') i++;
    if (c === '[') for (i++; i < pattern.length && pattern[i] !== ']'; i++) if (pattern[i] === '\\') i++;
    if (c === '(') groups.push(false);
    afterRiskyGroup = c === ')' && (groups.pop() ?? false);
    if (afterRiskyGroup && groups.length) groups[groups.length - 1] = true;
  }
  return false;
}
