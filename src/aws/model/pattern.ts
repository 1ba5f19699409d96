/**
 * AWS's `pattern` constraints are Java regular expressions (java.util.regex), applied to the
 * whole value. This converts one to a JavaScript RegExp (unicode mode) that accepts exactly the
 * same values: Java's ASCII `\s`, POSIX classes (`\p{Print}`), `\x{..}`, `\Q..\E`, octal and
 * surrogate-pair escapes, possessive quantifiers and atomic groups (as a lookahead and a
 * backreference, which JavaScript keeps atomic), inline flags (`(?i)` as ASCII case
 * expansion, as Java applies it), nested classes. What JavaScript cannot express (class
 * intersections, Unicode blocks, `\G`, ...) is reported, never guessed.
 */

/** A converted pattern, or why it could not be converted. */
export type CompiledPattern = { ok: true; regex: RegExp; source: string } | { ok: false; reason: string };

const MAX = 0x10ffff;
type Range = [number, number];
/** A character class item: code point ranges, or a JavaScript class escape (`\d`, `\p{L}`). */
type ClassItem = { ranges: Range[] } | { escape: string };

const LINE_TERMINATORS = '\\n\\r\\u0085\\u2028\\u2029';
const SPACE: Range[] = [[9, 13], [32, 32]];
const HSPACE: Range[] = [[32, 32], [9, 9], [0xa0, 0xa0], [0x1680, 0x1680], [0x180e, 0x180e], [0x2000, 0x200a], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000]];
const VSPACE: Range[] = [[10, 13], [0x85, 0x85], [0x2028, 0x2029]];
const POSIX: Record<string, Range[]> = {
  Lower: [[97, 122]], Upper: [[65, 90]], ASCII: [[0, 127]], Alpha: [[65, 90], [97, 122]], Digit: [[48, 57]],
  Alnum: [[48, 57], [65, 90], [97, 122]], Punct: [[33, 47], [58, 64], [91, 96], [123, 126]], Graph: [[33, 126]],
  Print: [[32, 126]], Blank: [[32, 32], [9, 9]], Cntrl: [[0, 31], [127, 127]], XDigit: [[48, 57], [65, 70], [97, 102]],
  Space: [[9, 13], [32, 32]],
};
const CATEGORIES = new Set('L Lu Ll Lt Lm Lo LC M Mn Mc Me N Nd Nl No P Pc Pd Ps Pe Pi Pf Po S Sm Sc Sk So Z Zs Zl Zp C Cc Cf Cs Co Cn'.split(' '));
/** Java's binary properties (`\p{IsAlphabetic}`) and java.lang.Character classes, in JavaScript's names. */
const BINARY: Record<string, string> = {
  alphabetic: 'Alphabetic', ideographic: 'Ideographic', letter: 'L', lowercase: 'Lowercase', uppercase: 'Uppercase',
  titlecase: 'Lt', punctuation: 'P', control: 'Cc', white_space: 'White_Space', whitespace: 'White_Space', digit: 'Nd',
  hex_digit: 'Hex_Digit', hexdigit: 'Hex_Digit', join_control: 'Join_Control', joincontrol: 'Join_Control',
  noncharacter_code_point: 'Noncharacter_Code_Point', assigned: 'Assigned', emoji: 'Emoji',
  javalowercase: 'Lowercase', javauppercase: 'Uppercase', javaalphabetic: 'Alphabetic', javaideographic: 'Ideographic',
  javaletter: 'L', javadigit: 'Nd', javatitlecase: 'Lt', javaspacechar: 'Z', javamirrored: 'Bidi_Mirrored',
};

class Unconvertible extends Error {}

function complement(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const out: Range[] = [];
  let next = 0;
  for (const [lo, hi] of sorted) {
    if (lo > next) out.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
  }
  if (next <= MAX) out.push([next, MAX]);
  return out;
}

/** Adds the other ASCII case of every letter in the ranges (Java's default CASE_INSENSITIVE). */
function withAsciiCase(ranges: Range[]): Range[] {
  const out = [...ranges];
  for (const [lo, hi] of ranges) {
    for (const [from, to, shift] of [[97, 122, -32], [65, 90, 32]] as const) {
      const a = Math.max(lo, from);
      const b = Math.min(hi, to);
      if (a <= b) out.push([a + shift, b + shift]);
    }
  }
  return out;
}

function classChar(cp: number): string {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029) return `\\u{${cp.toString(16)}}`;
  const ch = String.fromCodePoint(cp);
  return '\\]-[^/'.includes(ch) ? `\\${ch}` : ch;
}

function literalChar(cp: number): string {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029) return `\\u{${cp.toString(16)}}`;
  const ch = String.fromCodePoint(cp);
  return '^$\\.*+?()[]{}|/'.includes(ch) ? `\\${ch}` : ch;
}

function rangesSource(ranges: Range[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('');
}

interface Flags {
  i: boolean;
  s: boolean;
  m: boolean;
  x: boolean;
  d: boolean;
}

class Translator {
  private readonly cps: number[];
  private pos = 0;
  private flags: Flags = { i: false, s: false, m: false, x: false, d: false };
  private groups = 0;
  private helpers = 0;
  /** Java group number → the JavaScript group name it became. */
  private readonly groupNames = new Map<number, string>();

  constructor(pattern: string) {
    this.cps = [...pattern].map((c) => c.codePointAt(0)!);
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private fail(what: string): never {
    throw new Unconvertible(`${what} at offset ${this.pos}`);
  }

  translate(): string {
    const source = this.alternation();
    if (this.pos < this.cps.length) this.fail('unbalanced )');
    return source;
  }

  private alternation(): string {
    const branches = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.join('|');
  }

  private skipComments(): void {
    if (!this.flags.x) return;
    for (;;) {
      const ch = this.peek();
      if (ch !== undefined && /\s/.test(ch)) this.pos++;
      else if (ch === '#') while (this.peek() !== undefined && this.peek() !== '\n') this.pos++;
      else return;
    }
  }

  private sequence(): string {
    let out = '';
    for (;;) {
      this.skipComments();
      const ch = this.peek();
      if (ch === undefined || ch === '|' || ch === ')') return out;
      const atom = this.atom();
      if (atom === null) continue;
      out += this.quantified(atom);
    }
  }

  /** One atom; null for what matches nothing by itself (an inline flag group). */
  private atom(): string | null {
    const ch = this.peek()!;
    this.pos++;
    switch (ch) {
      case '(':
        return this.group();
      case '[': {
        const { items, negated } = this.characterClass();
        return this.classSource(items, negated);
      }
      case '.':
        return this.flags.s ? '[^]' : this.flags.d ? '[^\\n]' : `[^${LINE_TERMINATORS}]`;
      case '^':
        if (!this.flags.m) return '^';
        return this.flags.d ? '(?:^|(?<=\\n))' : `(?:^|(?<=[${LINE_TERMINATORS}]))`;
      case '$':
        if (this.flags.m) return this.flags.d ? '(?=\\n|$)' : `(?=[${LINE_TERMINATORS}]|$)`;
        return this.flags.d ? '(?=\\n?$)' : `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)`;
      case '\\':
        return this.escape();
      case '*':
      case '+':
      case '?':
      case '{':
        return this.fail(`dangling quantifier ${ch}`);
      default:
        return this.literal(this.cps[this.pos - 1]!);
    }
  }

  private literal(cp: number): string {
    if (this.flags.i && ((cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122))) return `[${rangesSource(withAsciiCase([[cp, cp]]))}]`;
    return literalChar(cp);
  }

  private quantified(atom: string): string {
    this.skipComments();
    // JavaScript quantifies no lookaround (nor the lookahead-and-backreference of an atomic
    // group); Java does, so those are grouped first.
    if (/^\(\?(=|!|<=|<!)/.test(atom) && /^[*+?{]/.test(this.peek() ?? '')) atom = `(?:${atom})`;
    let quantifier: string;
    const ch = this.peek();
    if (ch === '*' || ch === '+' || ch === '?') {
      quantifier = ch;
      this.pos++;
    } else if (ch === '{') {
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 24));
      const bound = /^\{(\d+)(,(\d*))?\}/.exec(rest);
      if (!bound) return this.fail('illegal repetition {');
      if (bound[3] && Number(bound[3]) < Number(bound[1])) this.fail('illegal repetition range');
      quantifier = bound[0];
      this.pos += bound[0].length;
    } else {
      return atom;
    }
    if (this.peek() === '?') {
      this.pos++;
      return this.quantified(`${atom}${quantifier}?`);
    }
    if (this.peek() === '+') {
      this.pos++;
      return this.quantified(this.atomic(`(?:${atom})${quantifier}`));
    }
    return this.quantified(`${atom}${quantifier}`);
  }

  /** Java's atomic group as JavaScript has it: a lookahead (atomic) captured and re-matched. */
  private atomic(inner: string): string {
    const name = `_a${++this.helpers}`;
    return `(?=(?<${name}>${inner}))\\k<${name}>`;
  }

  /** After `(`: a group, or null for a flag switch `(?i)` that applies to the rest of its group. */
  private group(): string | null {
    const saved = { ...this.flags };
    let open: string;
    if (this.peek() === '?') {
      this.pos++;
      const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 40));
      const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
      const flagGroup = /^([idmsuxU]*)(?:-([idmsuxU]*))?([:)])/.exec(rest);
      const lookaround = /^(=|!|<=|<!)/.exec(rest);
      if (lookaround) {
        open = `(?${lookaround[1]}`;
        this.pos += lookaround[1]!.length;
      } else if (rest.startsWith('>')) {
        open = 'atomic';
        this.pos += 1;
      } else if (named) {
        this.groupNames.set(++this.groups, named[1]!);
        open = `(?<${named[1]}>`;
        this.pos += named[0].length;
      } else if (flagGroup) {
        this.pos += flagGroup[0].length;
        this.setFlags(flagGroup[1]!, true);
        this.setFlags(flagGroup[2] ?? '', false);
        if (flagGroup[3] === ')') return null;
        open = '(?:';
      } else {
        return this.fail('unknown group construct');
      }
    } else {
      const name = `_g${++this.groups}`;
      this.groupNames.set(this.groups, name);
      open = `(?<${name}>`;
    }
    const inner = this.alternation();
    if (this.peek() !== ')') this.fail('unclosed group');
    this.pos++;
    this.flags = saved;
    return open === 'atomic' ? this.atomic(inner) : `${open}${inner})`;
  }

  private setFlags(letters: string, on: boolean): void {
    for (const letter of letters) {
      if (letter === 'i' || letter === 's' || letter === 'm' || letter === 'x' || letter === 'd') this.flags[letter] = on;
      else if (on) this.fail(`flag (?${letter})`);
    }
  }

  /** A code point from an escape that stands for one character, or undefined. */
  private escapedCodePoint(letter: string): number | undefined {
    const simple: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, a: 7, e: 27 };
    if (letter in simple) return simple[letter];
    const rest = String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 12));
    let m: RegExpExecArray | null;
    if (letter === 'x') {
      if ((m = /^\{([0-9a-fA-F]{1,6})\}/.exec(rest)) || (m = /^([0-9a-fA-F]{2})/.exec(rest))) {
        this.pos += m[0].length;
        const cp = parseInt(m[1]!, 16);
        return cp > MAX ? this.fail('code point out of range') : cp;
      }
      return this.fail('bad \\x escape');
    }
    if (letter === 'u') {
      if (!(m = /^([0-9a-fA-F]{4})/.exec(rest))) return this.fail('bad \\u escape');
      this.pos += 4;
      const cp = parseInt(m[1]!, 16);
      const low = /^\\u(d[c-f][0-9a-f]{2})/i.exec(rest.slice(4));
      if (cp >= 0xd800 && cp <= 0xdbff && low) {
        this.pos += 6;
        return 0x10000 + ((cp - 0xd800) << 10) + (parseInt(low[1]!, 16) - 0xdc00);
      }
      return cp;
    }
    if (letter === '0') {
      if (!(m = /^([0-3][0-7]{0,2}|[0-7]{1,2})/.exec(rest))) return this.fail('bad octal escape');
      this.pos += m[1]!.length;
      return parseInt(m[1]!, 8);
    }
    if (letter === 'c') {
      const next = this.cps[this.pos];
      if (next === undefined) return this.fail('bad \\c escape');
      this.pos++;
      return next ^ 64;
    }
    if (!/[a-zA-Z0-9]/.test(letter)) return letter.codePointAt(0);
    return undefined;
  }

  /** `\p{..}` / `\P{..}` / `\pL` as a class item. */
  private property(negated: boolean): ClassItem {
    let name: string;
    if (this.peek() === '{') {
      const end = this.cps.indexOf('}'.codePointAt(0)!, this.pos);
      if (end < 0) this.fail('unclosed \\p{');
      name = String.fromCodePoint(...this.cps.slice(this.pos + 1, end));
      this.pos = end + 1;
    } else {
      name = this.peek() ?? this.fail('bad \\p');
      this.pos++;
    }
    const p = negated ? 'P' : 'p';
    const posix = POSIX[name];
    if (posix) return { ranges: negated ? complement(posix) : posix };
    const bare = name.replace(/^(Is|gc=|general_category=)/, '');
    if (CATEGORIES.has(bare)) return { escape: `\\${p}{${bare}}` };
    const script = /^(?:Is|sc=|script=)([A-Za-z_]+)$/.exec(name);
    const binary = BINARY[(name.startsWith('Is') ? name.slice(2) : name).toLowerCase()];
    if (binary) return { escape: `\\${p}{${binary}}` };
    if (script && !name.startsWith('In')) {
      const scriptName = script[1]!;
      try {
        new RegExp(`\\p{Script=${scriptName}}`, 'u');
        return { escape: `\\${p}{Script=${scriptName}}` };
      } catch {
        return this.fail(`unknown property ${name}`);
      }
    }
    return this.fail(`property ${name} (Unicode blocks and other Java-only properties have no JavaScript form)`);
  }

  /** An escape as a class item, or the code point it stands for. */
  private classEscape(letter: string): ClassItem | number {
    switch (letter) {
      case 'd': case 'D': case 'w': case 'W':
        return { escape: `\\${letter}` };
      case 's': return { ranges: SPACE };
      case 'S': return { ranges: complement(SPACE) };
      case 'h': return { ranges: HSPACE };
      case 'H': return { ranges: complement(HSPACE) };
      case 'v': return { ranges: VSPACE };
      case 'V': return { ranges: complement(VSPACE) };
      case 'p': case 'P':
        return this.property(letter === 'P');
    }
    const cp = this.escapedCodePoint(letter);
    if (cp === undefined) return this.fail(`escape \\${letter}`);
    return cp;
  }

  private escape(): string {
    const letter = this.peek() ?? this.fail('trailing backslash');
    this.pos++;
    switch (letter) {
      case 'b': case 'B': return `\\${letter}`;
      case 'A': return '^';
      case 'z': return '$';
      case 'Z': return `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)`;
      case 'R': return '(?:\\r\\n|[\\n\\u000b\\f\\r\\u0085\\u2028\\u2029])';
      case 'Q': {
        let out = '';
        while (this.pos < this.cps.length && !(this.peek() === '\\' && this.peek(1) === 'E')) out += this.literal(this.cps[this.pos++]!);
        if (this.pos < this.cps.length) this.pos += 2;
        return `(?:${out})`;
      }
      case 'E': return '';
      case 'k': {
        const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(String.fromCodePoint(...this.cps.slice(this.pos, this.pos + 40)));
        if (!named) return this.fail('bad \\k');
        this.pos += named[0].length;
        return `\\k<${named[1]}>`;
      }
    }
    if (/[1-9]/.test(letter)) {
      let number = Number(letter);
      while (/[0-9]/.test(this.peek() ?? '') && number * 10 + Number(this.peek()) <= this.groups) number = number * 10 + Number(this.cps[this.pos++]! - 48);
      const name = this.groupNames.get(number);
      return name ? `\\k<${name}>` : this.fail(`backreference \\${number} to a group not yet defined`);
    }
    if (letter === 'G' || letter === 'X' || letter === 'N') return this.fail(`escape \\${letter}`);
    const item = this.classEscape(letter);
    if (typeof item === 'number') return this.literal(item);
    return this.classSource([item], false);
  }

  private classSource(items: ClassItem[], negated: boolean): string {
    let ranges: Range[] = [];
    let escapes = '';
    for (const item of items) {
      if ('ranges' in item) ranges.push(...item.ranges);
      else escapes += item.escape;
    }
    if (this.flags.i) ranges = withAsciiCase(ranges);
    if (!negated && escapes === '' && ranges.length === 1 && ranges[0]![0] === ranges[0]![1]) return literalChar(ranges[0]![0]);
    return `[${negated ? '^' : ''}${rangesSource(ranges)}${escapes}]`;
  }

  /** After `[`: the items of a class (nested classes flattened) and whether it is negated. */
  private characterClass(): { items: ClassItem[]; negated: boolean } {
    const negated = this.peek() === '^';
    if (negated) this.pos++;
    const items: ClassItem[] = [];
    let first = true;
    for (;;) {
      if (this.flags.x) while (/\s/.test(this.peek() ?? '')) this.pos++;
      const ch = this.peek();
      if (ch === undefined) return this.fail('unclosed character class');
      if (ch === ']' && !first) {
        this.pos++;
        return { items, negated };
      }
      first = false;
      if (ch === '&' && this.peek(1) === '&') return this.fail('character class intersection (&&)');
      if (ch === '[') {
        this.pos++;
        const nested = this.characterClass();
        if (nested.negated) return this.fail('negated nested character class');
        items.push(...nested.items);
        continue;
      }
      const start = this.classAtom();
      if (typeof start === 'number' && this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined && this.peek(1) !== '[') {
        const save = this.pos;
        this.pos++;
        const end = this.classAtom();
        if (typeof end === 'number') {
          if (end < start) return this.fail('illegal character range');
          items.push({ ranges: [[start, end]] });
          continue;
        }
        this.pos = save;
      }
      items.push(typeof start === 'number' ? { ranges: [[start, start]] } : start);
    }
  }

  private classAtom(): ClassItem | number {
    const cp = this.cps[this.pos++]!;
    if (cp !== 0x5c) return cp;
    const letter = this.peek() ?? this.fail('trailing backslash');
    this.pos++;
    if (letter === 'Q') {
      const items: Range[] = [];
      while (this.pos < this.cps.length && !(this.peek() === '\\' && this.peek(1) === 'E')) {
        const c = this.cps[this.pos++]!;
        items.push([c, c]);
      }
      if (this.pos < this.cps.length) this.pos += 2;
      return { ranges: items };
    }
    return this.classEscape(letter);
  }
}

/** Converts a Java pattern to a RegExp matching whole values; the reason when it cannot. */
export function compileJavaPattern(pattern: string): CompiledPattern {
  try {
    const body = new Translator(pattern).translate();
    const source = `^(?:${body})$`;
    return { ok: true, regex: new RegExp(source, 'u'), source };
  } catch (error) {
    if (error instanceof Unconvertible) return { ok: false, reason: error.message };
    if (error instanceof SyntaxError) return { ok: false, reason: `converted form rejected: ${error.message}` };
    throw error;
  }
}
