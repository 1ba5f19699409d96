/**
 * AWS's `pattern` constraints are Java regular expressions (java.util.regex), applied to the
 * whole value. This converts one to a matcher that accepts exactly the values Java would:
 * Java's ASCII `\s`, POSIX classes (`\p{Print}`), `\x{..}`, `\Q..\E`, octal and surrogate-pair
 * escapes, possessive quantifiers and atomic groups, inline flags (`(?i)` as the ASCII case
 * expansion Java applies), nested classes. A regular pattern runs as an automaton in linear time
 * (`pattern-nfa.ts`); the rest as JavaScript source (unicode mode). What JavaScript cannot
 * express (class intersections, Unicode blocks, `\G`, ...) is reported, never guessed.
 */
import { complement, emitPattern, type PatternNode, type Range } from './pattern-ast.ts';
import { compileNfa } from './pattern-nfa.ts';

/**
 * A converted pattern: `test` matches a whole value (in linear time when `linear`), `source` is
 * the JavaScript form; or why the pattern could not be converted.
 */
export type CompiledPattern =
  | { ok: true; test: (value: string) => boolean; source: string; linear: boolean }
  | { ok: false; reason: string };

type SetNode = Extract<PatternNode, { kind: 'set' }>;
/** A character class item: code point ranges, or a JavaScript class escape (`\d`, `\p{L}`). */
type ClassItem = { ranges: Range[] } | { escape: string };

const MAX = 0x10ffff;
const LINE_TERMINATORS = '\\n\\r\\u0085\\u2028\\u2029';
const LINE_TERMINATOR_RANGES: Range[] = [[10, 10], [13, 13], [0x85, 0x85], [0x2028, 0x2029]];
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

const EMPTY: PatternNode = { kind: 'seq', items: [] };

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
  /** Java group number → the JavaScript group name it became. */
  private readonly groupNames = new Map<number, string>();

  constructor(pattern: string) {
    this.cps = [...pattern].map((c) => c.codePointAt(0)!);
  }

  private peek(offset = 0): string | undefined {
    const cp = this.cps[this.pos + offset];
    return cp === undefined ? undefined : String.fromCodePoint(cp);
  }

  private ahead(length: number): string {
    return String.fromCodePoint(...this.cps.slice(this.pos, this.pos + length));
  }

  private fail(what: string): never {
    throw new Unconvertible(`${what} at offset ${this.pos}`);
  }

  parse(): PatternNode {
    const node = this.alternation();
    if (this.pos < this.cps.length) this.fail('unbalanced )');
    return node;
  }

  private alternation(): PatternNode {
    const branches = [this.sequence()];
    while (this.peek() === '|') {
      this.pos++;
      branches.push(this.sequence());
    }
    return branches.length === 1 ? branches[0]! : { kind: 'alt', branches };
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

  private sequence(): PatternNode {
    const items: PatternNode[] = [];
    for (;;) {
      this.skipComments();
      const ch = this.peek();
      if (ch === undefined || ch === '|' || ch === ')') return items.length === 1 ? items[0]! : { kind: 'seq', items };
      const atom = this.atom();
      if (atom !== null) items.push(this.quantified(atom));
    }
  }

  /** One atom; null for what matches nothing by itself (an inline flag switch). */
  private atom(): PatternNode | null {
    const ch = this.peek()!;
    this.pos++;
    const d = this.flags.d;
    switch (ch) {
      case '(':
        return this.group();
      case '[':
        return this.characterClass();
      case '.':
        return { kind: 'set', ranges: this.flags.s ? [] : d ? [[10, 10]] : LINE_TERMINATOR_RANGES, escapes: [], negated: true };
      case '^':
        if (!this.flags.m) return { kind: 'assert', source: '^' };
        return { kind: 'assert', source: d ? '(?:^|(?<=\\n))' : `(?:^|(?<=[${LINE_TERMINATORS}]))` };
      case '$':
        if (this.flags.m) return { kind: 'assert', source: d ? '(?=\\n|$)' : `(?=[${LINE_TERMINATORS}]|$)` };
        // Java's `$` also matches before a line terminator that ends the input.
        return { kind: 'assert', source: d ? '(?=\\n?$)' : `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)` };
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

  private literal(cp: number): SetNode {
    const ranges: Range[] = [[cp, cp]];
    return { kind: 'set', ranges: this.flags.i ? withAsciiCase(ranges) : ranges, escapes: [], negated: false };
  }

  private quantified(atom: PatternNode): PatternNode {
    this.skipComments();
    let min: number;
    let max: number;
    const ch = this.peek();
    if (ch === '*' || ch === '+' || ch === '?') {
      [min, max] = ch === '*' ? [0, Infinity] : ch === '+' ? [1, Infinity] : [0, 1];
      this.pos++;
    } else if (ch === '{') {
      const bound = /^\{(\d+)(,(\d*))?\}/.exec(this.ahead(24));
      if (!bound) return this.fail('illegal repetition {');
      min = Number(bound[1]);
      max = bound[2] === undefined ? min : bound[3] === '' ? Infinity : Number(bound[3]);
      if (max < min) this.fail('illegal repetition range');
      this.pos += bound[0].length;
    } else {
      return atom;
    }
    const lazy = this.peek() === '?';
    const possessive = this.peek() === '+';
    if (lazy || possessive) this.pos++;
    const repeat: PatternNode = { kind: 'repeat', node: atom, min, max, lazy };
    return possessive ? { kind: 'atomic', node: repeat } : repeat;
  }

  /** After `(`: a group, or null for a flag switch `(?i)` that applies to the rest of its group. */
  private group(): PatternNode | null {
    const saved = { ...this.flags };
    let wrap: (inner: PatternNode) => PatternNode;
    if (this.peek() === '?') {
      this.pos++;
      const rest = this.ahead(40);
      const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(rest);
      const flagGroup = /^([idmsuxU]*)(?:-([idmsuxU]*))?([:)])/.exec(rest);
      const look = /^(=|!|<=|<!)/.exec(rest);
      if (look) {
        this.pos += look[1]!.length;
        wrap = (node) => ({ kind: 'look', behind: look[1]!.startsWith('<'), negated: look[1]!.endsWith('!'), node });
      } else if (rest.startsWith('>')) {
        this.pos += 1;
        wrap = (node) => ({ kind: 'atomic', node });
      } else if (named) {
        this.groupNames.set(++this.groups, named[1]!);
        this.pos += named[0].length;
        wrap = (node) => ({ kind: 'group', name: named[1]!, node });
      } else if (flagGroup) {
        this.pos += flagGroup[0].length;
        this.setFlags(flagGroup[1]!, true);
        this.setFlags(flagGroup[2] ?? '', false);
        if (flagGroup[3] === ')') return null;
        wrap = (node) => node;
      } else {
        return this.fail('unknown group construct');
      }
    } else {
      const name = `_g${++this.groups}`;
      this.groupNames.set(this.groups, name);
      wrap = (node) => ({ kind: 'group', name, node });
    }
    const inner = this.alternation();
    if (this.peek() !== ')') this.fail('unclosed group');
    this.pos++;
    this.flags = saved;
    return wrap(inner);
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
    const rest = this.ahead(12);
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
      // Java reads an escaped surrogate pair as the one code point it encodes.
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
    // Java: a backslash before any other non-letter, non-digit is that character.
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
    const binary = BINARY[(name.startsWith('Is') ? name.slice(2) : name).toLowerCase()];
    if (binary) return { escape: `\\${p}{${binary}}` };
    const script = /^(?:Is|sc=|script=)([A-Za-z_]+)$/.exec(name);
    if (script) {
      try {
        new RegExp(`\\p{Script=${script[1]}}`, 'u');
        return { escape: `\\${p}{Script=${script[1]}}` };
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
      // Java's \s is ASCII whitespace; JavaScript's includes every Unicode space.
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

  private escape(): PatternNode {
    const letter = this.peek() ?? this.fail('trailing backslash');
    this.pos++;
    switch (letter) {
      case 'b': case 'B': return { kind: 'assert', source: `\\${letter}` };
      case 'A': return { kind: 'assert', source: '^' };
      case 'z': return { kind: 'assert', source: '$' };
      case 'Z': return { kind: 'assert', source: `(?=(?:\\r\\n|[${LINE_TERMINATORS}])?$)` };
      case 'R':
        return { kind: 'alt', branches: [{ kind: 'seq', items: [this.literal(13), this.literal(10)] }, { kind: 'set', ranges: [...VSPACE], escapes: [], negated: false }] };
      case 'Q': {
        const items: PatternNode[] = [];
        while (this.pos < this.cps.length && !(this.peek() === '\\' && this.peek(1) === 'E')) items.push(this.literal(this.cps[this.pos++]!));
        if (this.pos < this.cps.length) this.pos += 2;
        return { kind: 'seq', items };
      }
      case 'E': return EMPTY;
      case 'k': {
        const named = /^<([a-zA-Z][a-zA-Z0-9]*)>/.exec(this.ahead(40));
        if (!named) return this.fail('bad \\k');
        this.pos += named[0].length;
        return { kind: 'backref', name: named[1]! };
      }
    }
    if (/[1-9]/.test(letter)) {
      let number = Number(letter);
      while (/[0-9]/.test(this.peek() ?? '') && number * 10 + Number(this.peek()) <= this.groups) number = number * 10 + (this.cps[this.pos++]! - 48);
      const name = this.groupNames.get(number);
      return name ? { kind: 'backref', name } : this.fail(`backreference \\${number} to a group not yet defined`);
    }
    if (letter === 'G' || letter === 'X' || letter === 'N') return this.fail(`escape \\${letter}`);
    const item = this.classEscape(letter);
    if (typeof item === 'number') return this.literal(item);
    return this.setOf([item], false);
  }

  private setOf(items: ClassItem[], negated: boolean): SetNode {
    let ranges: Range[] = [];
    const escapes: string[] = [];
    for (const item of items) {
      if ('ranges' in item) ranges.push(...item.ranges);
      else escapes.push(item.escape);
    }
    if (this.flags.i) ranges = withAsciiCase(ranges);
    return { kind: 'set', ranges, escapes, negated };
  }

  /** After `[`: a class, nested classes (unions) flattened. */
  private characterClass(): SetNode {
    const { items, negated } = this.classItems();
    return this.setOf(items, negated);
  }

  private classItems(): { items: ClassItem[]; negated: boolean } {
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
        const nested = this.classItems();
        if (nested.negated) return this.fail('negated nested character class');
        items.push(...nested.items);
        continue;
      }
      const start = this.classAtom();
      // A dash between two characters is a range; anywhere else (after \w, before ]) a dash.
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
      const ranges: Range[] = [];
      while (this.pos < this.cps.length && !(this.peek() === '\\' && this.peek(1) === 'E')) {
        const c = this.cps[this.pos++]!;
        ranges.push([c, c]);
      }
      if (this.pos < this.cps.length) this.pos += 2;
      return { ranges };
    }
    return this.classEscape(letter);
  }
}

/**
 * Converts a Java pattern to a whole-value matcher: an automaton taking linear time when the
 * pattern is regular, else JavaScript's engine. Why not, when JavaScript cannot express it.
 */
export function compileJavaPattern(pattern: string): CompiledPattern {
  try {
    const node = new Translator(pattern).parse();
    const source = `^(?:${emitPattern(node)})$`;
    const regex = new RegExp(source, 'u');
    const linear = compileNfa(node);
    return linear ? { ok: true, test: linear, source, linear: true } : { ok: true, test: (value) => regex.test(value), source, linear: false };
  } catch (error) {
    if (error instanceof Unconvertible) return { ok: false, reason: error.message };
    if (error instanceof SyntaxError) return { ok: false, reason: `converted form rejected: ${error.message}` };
    throw error;
  }
}
