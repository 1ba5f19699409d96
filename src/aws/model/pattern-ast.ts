/**
 * A parsed pattern, between the Java text AWS's models carry and the two ways Wharf matches it:
 * as JavaScript regular-expression source (`emitPattern`), and as an automaton that takes time
 * linear in the value (`pattern-nfa.ts`), so no request can stall a process on a pattern that
 * backtracks badly.
 */

/** An inclusive range of code points. */
export type Range = [number, number];

/** A node of a parsed pattern. */
export type PatternNode =
  | { kind: 'seq'; items: PatternNode[] }
  | { kind: 'alt'; branches: PatternNode[] }
  /** One character: in `ranges` or one of the JavaScript class `escapes` (`\d`, `\p{L}`), or not when negated. */
  | { kind: 'set'; ranges: Range[]; escapes: string[]; negated: boolean }
  | { kind: 'repeat'; node: PatternNode; min: number; max: number; lazy: boolean }
  | { kind: 'group'; name: string; node: PatternNode }
  /** Java's atomic group (and a possessive quantifier): once matched, never backtracked into. */
  | { kind: 'atomic'; node: PatternNode }
  | { kind: 'look'; behind: boolean; negated: boolean; node: PatternNode }
  | { kind: 'backref'; name: string }
  /** A zero-width assertion written directly as JavaScript source (`^`, `\b`, `(?=\n?$)`). */
  | { kind: 'assert'; source: string };

const MAX = 0x10ffff;

/** The code points not in the ranges. */
export function complement(ranges: Range[]): Range[] {
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

function escaped(cp: number, specials: string): string {
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0xa0) || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0x2028 || cp === 0x2029) return `\\u{${cp.toString(16)}}`;
  const ch = String.fromCodePoint(cp);
  return specials.includes(ch) ? `\\${ch}` : ch;
}

function rangesSource(ranges: Range[]): string {
  const one = (cp: number) => escaped(cp, '\\]-[^/');
  return ranges.map(([lo, hi]) => (lo === hi ? one(lo) : `${one(lo)}-${one(hi)}`)).join('');
}

/** A set as a JavaScript character class (or a single literal character). */
export function setSource(node: Extract<PatternNode, { kind: 'set' }>): string {
  const [only] = node.ranges;
  if (!node.negated && node.escapes.length === 0 && node.ranges.length === 1 && only && only[0] === only[1]) return escaped(only[0], '^$\\.*+?()[]{}|/');
  return `[${node.negated ? '^' : ''}${rangesSource(node.ranges)}${node.escapes.join('')}]`;
}

/** Nodes a JavaScript quantifier applies to as they are. */
function isUnit(node: PatternNode): boolean {
  return node.kind === 'set' || node.kind === 'group' || node.kind === 'backref' || node.kind === 'alt';
}

/** JavaScript source (unicode mode) for a node; atomic groups become a lookahead and a backreference. */
export function emitPattern(node: PatternNode, context: { atomics: number } = { atomics: 0 }): string {
  switch (node.kind) {
    case 'seq':
      return node.items.map((item) => emitPattern(item, context)).join('');
    case 'alt':
      return `(?:${node.branches.map((branch) => emitPattern(branch, context)).join('|')})`;
    case 'set':
      return setSource(node);
    case 'repeat': {
      const inner = emitPattern(node.node, context);
      const atom = isUnit(node.node) ? inner : `(?:${inner})`;
      const { min, max } = node;
      const quantifier = min === 0 && max === Infinity ? '*' : min === 1 && max === Infinity ? '+' : min === 0 && max === 1 ? '?'
        : max === Infinity ? `{${min},}` : min === max ? `{${min}}` : `{${min},${max}}`;
      return `${atom}${quantifier}${node.lazy ? '?' : ''}`;
    }
    case 'group':
      return `(?<${node.name}>${emitPattern(node.node, context)})`;
    case 'atomic': {
      // JavaScript's lookaheads are atomic: match once, capture, and consume what was captured.
      const name = `_a${++context.atomics}`;
      return `(?=(?<${name}>${emitPattern(node.node, context)}))\\k<${name}>`;
    }
    case 'look':
      return `(?${node.behind ? '<' : ''}${node.negated ? '!' : '='}${emitPattern(node.node, context)})`;
    case 'backref':
      return `\\k<${node.name}>`;
    case 'assert':
      return node.source;
  }
}
