/**
 * Matches a whole value against a parsed pattern in time linear in the value (Thompson's
 * construction, simulated state set by state set), where JavaScript's backtracking engine can
 * take exponential time: `^[a-z0-9*](?:[._\-/a-z0-9*]?[a-z0-9*]+)*$`, one of ECR's, needs
 * seconds for 24 characters that fail at the end. Zero-width parts (anchors, lookarounds,
 * word boundaries) are checked at their position with a small sticky JavaScript regex.
 * Backreferences and atomic groups are not regular: such patterns stay with JavaScript's engine.
 */
import { emitPattern, type PatternNode } from './pattern-ast.ts';

type State =
  | { t: 'char'; accepts: (cp: number) => boolean; out: number }
  | { t: 'split'; out: number; out2: number }
  | { t: 'eps'; out: number }
  | { t: 'check'; regex: RegExp; out: number }
  | { t: 'match' };

/** A fragment under construction: its first state and the exits still to connect. */
interface Fragment {
  start: number;
  exits: { state: number; field: 'out' | 'out2' }[];
}

/** Beyond this many states (counted repetitions expanded) a pattern stays with JavaScript's engine. */
const MAX_STATES = 20_000;

class NotRegular extends Error {}

function setMatcher(node: Extract<PatternNode, { kind: 'set' }>): (cp: number) => boolean {
  const ranges = node.ranges;
  const escapes = node.escapes.length > 0 ? new RegExp(`[${node.escapes.join('')}]`, 'u') : undefined;
  return (cp) => {
    let hit = false;
    for (const [lo, hi] of ranges) if (cp >= lo && cp <= hi) {
      hit = true;
      break;
    }
    if (!hit && escapes) hit = escapes.test(String.fromCodePoint(cp));
    return hit !== node.negated;
  };
}

class Builder {
  readonly states: State[] = [];

  private add(state: State): number {
    if (this.states.length >= MAX_STATES) throw new NotRegular('too many states');
    this.states.push(state);
    return this.states.length - 1;
  }

  private patch(exits: Fragment['exits'], to: number): void {
    for (const { state, field } of exits) (this.states[state] as Record<'out' | 'out2', number>)[field] = to;
  }

  private epsilon(): Fragment {
    const s = this.add({ t: 'eps', out: -1 });
    return { start: s, exits: [{ state: s, field: 'out' }] };
  }

  private concat(parts: Fragment[]): Fragment {
    if (parts.length === 0) return this.epsilon();
    for (let i = 0; i + 1 < parts.length; i++) this.patch(parts[i]!.exits, parts[i + 1]!.start);
    return { start: parts[0]!.start, exits: parts.at(-1)!.exits };
  }

  /** `x?`: either the fragment or nothing. */
  private optional(fragment: Fragment): Fragment {
    const s = this.add({ t: 'split', out: fragment.start, out2: -1 });
    return { start: s, exits: [...fragment.exits, { state: s, field: 'out2' }] };
  }

  build(node: PatternNode): Fragment {
    switch (node.kind) {
      case 'seq':
        return this.concat(node.items.map((item) => this.build(item)));
      case 'alt': {
        const branches = node.branches.map((branch) => this.build(branch));
        let fragment = branches.at(-1)!;
        for (let i = branches.length - 2; i >= 0; i--) {
          const s = this.add({ t: 'split', out: branches[i]!.start, out2: fragment.start });
          fragment = { start: s, exits: [...branches[i]!.exits, ...fragment.exits] };
        }
        return fragment;
      }
      case 'set': {
        const s = this.add({ t: 'char', accepts: setMatcher(node), out: -1 });
        return { start: s, exits: [{ state: s, field: 'out' }] };
      }
      case 'repeat': {
        const parts: Fragment[] = [];
        for (let i = 0; i < node.min; i++) parts.push(this.build(node.node));
        if (node.max === Infinity) {
          const body = this.build(node.node);
          const s = this.add({ t: 'split', out: body.start, out2: -1 });
          this.patch(body.exits, s);
          parts.push({ start: s, exits: [{ state: s, field: 'out2' }] });
        } else if (node.max > node.min) {
          // x{0,k} as x(x(x)?)?)? built from the innermost out.
          let tail: Fragment | undefined;
          for (let i = node.max - node.min; i > 0; i--) {
            const body = this.build(node.node);
            tail = this.optional(tail ? this.concat([body, tail]) : body);
          }
          parts.push(tail!);
        }
        return this.concat(parts);
      }
      case 'group':
        return this.build(node.node);
      case 'look':
      case 'assert': {
        const s = this.add({ t: 'check', regex: new RegExp(emitPattern(node), 'uy'), out: -1 });
        return { start: s, exits: [{ state: s, field: 'out' }] };
      }
      case 'atomic':
      case 'backref':
        throw new NotRegular(node.kind);
    }
  }
}

/** A whole-value matcher for a pattern, or undefined when it is not regular (or too large). */
export function compileNfa(node: PatternNode): ((value: string) => boolean) | undefined {
  const builder = new Builder();
  let start: number;
  try {
    const fragment = builder.build(node);
    const match = builder.states.push({ t: 'match' }) - 1;
    for (const { state, field } of fragment.exits) (builder.states[state] as Record<'out' | 'out2', number>)[field] = match;
    start = fragment.start;
  } catch (error) {
    if (error instanceof NotRegular) return undefined;
    throw error;
  }
  const states = builder.states;
  const seen = new Int32Array(states.length).fill(-1);
  let generation = 0;
  const hasChecks = states.some((state) => state.t === 'check');

  /** The char and match states reachable from `from` without consuming; checks tested at `offset`. */
  const closure = (from: number[], value: string, offset: number): number[] => {
    generation++;
    const out: number[] = [];
    const stack = [...from];
    while (stack.length > 0) {
      const s = stack.pop()!;
      if (seen[s] === generation) continue;
      seen[s] = generation;
      const state = states[s]!;
      if (state.t === 'eps') stack.push(state.out);
      else if (state.t === 'split') stack.push(state.out2, state.out);
      else if (state.t === 'check') {
        state.regex.lastIndex = offset;
        if (state.regex.test(value)) stack.push(state.out);
      } else out.push(s);
    }
    return out.sort((a, b) => a - b);
  };
  const step = (current: number[], cp: number): number[] => {
    const next: number[] = [];
    for (const s of current) {
      const state = states[s]!;
      if (state.t === 'char' && state.accepts(cp)) next.push(state.out);
    }
    return next;
  };
  const accepts = (set: number[]): boolean => set.some((s) => states[s]!.t === 'match');

  if (!hasChecks) {
    // Without position checks a state set's successors depend only on the character: cache them
    // (a DFA built lazily), so a long value costs a map lookup per character.
    interface Node { set: number[]; accept: boolean; next: Map<number, Node> }
    let nodes = new Map<string, Node>();
    const node = (set: number[]): Node => {
      const key = set.join(',');
      let found = nodes.get(key);
      if (!found) {
        if (nodes.size > 10_000) nodes = new Map();
        found = { set, accept: accepts(set), next: new Map() };
        nodes.set(key, found);
      }
      return found;
    };
    const initial = node(closure([start], '', 0));
    return (value: string): boolean => {
      let current = initial;
      for (const ch of value) {
        const cp = ch.codePointAt(0)!;
        let next = current.next.get(cp);
        if (!next) {
          next = node(closure(step(current.set, cp), '', 0));
          current.next.set(cp, next);
        }
        current = next;
        if (current.set.length === 0) return false;
      }
      return current.accept;
    };
  }

  return (value: string): boolean => {
    let offset = 0;
    let current = closure([start], value, 0);
    for (const ch of value) {
      if (current.length === 0) return false;
      offset += ch.length;
      current = closure(step(current, ch.codePointAt(0)!), value, offset);
    }
    return accepts(current);
  };
}
