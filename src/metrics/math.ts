/**
 * Metric math, as GetMetricData and metric-math alarms read it: arithmetic (+ − * / ^) and
 * comparisons (> < >= <= == != AND OR) over series and scalars, SUM, AVG, MIN, MAX (across an
 * array of series per timestamp; over time, to a scalar, for one series), FILL(m, value |
 * REPEAT | LINEAR), METRICS([filter]), IF(condition, a[, b]), and array literals `[m1, m2]`.
 * Pure: a parser to a small tree, an evaluator over the series already read.
 */
import { MetricsErrors } from './errors.ts';

/** A time series: values by timestamp (ascending). */
export interface Series {
  label: string;
  timestamps: number[];
  values: number[];
}

export type Value = number | Series | Series[];

type Node =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'id'; name: string }
  | { kind: 'array'; items: Node[] }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'unary'; op: '-'; arg: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

const TOKEN = /\s*(?:(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+)|([A-Za-z_][A-Za-z0-9_]*)|("(?:[^"\\]|\\.)*")|(>=|<=|==|!=|&&|\|\||[-+*/^(),[\]<>]))/y;

function tokenize(text: string): string[] {
  const tokens: string[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN.lastIndex))) break;
    const at = TOKEN.lastIndex;
    const m = TOKEN.exec(text);
    if (!m) throw new Error(`Unexpected character at position ${at + 1}.`);
    tokens.push(m[1] ?? m[2] ?? m[3] ?? m[4]!);
  }
  return tokens;
}

/** Binary operators by precedence, loosest first. */
const LEVELS: string[][] = [['OR', '||'], ['AND', '&&'], ['>', '<', '>=', '<=', '==', '!='], ['+', '-'], ['*', '/'], ['^']];

/** Parses an expression; throws an Error whose message says what is wrong. */
export function parseExpression(text: string): Node {
  const tokens = tokenize(text);
  let i = 0;
  const peek = () => tokens[i];
  const expect = (t: string) => {
    if (tokens[i] !== t) throw new Error(`Expected "${t}" but found ${tokens[i] === undefined ? 'the end' : `"${tokens[i]}"`}.`);
    i++;
  };
  const level = (n: number): Node => {
    if (n === LEVELS.length) return unary();
    let left = level(n + 1);
    while (peek() !== undefined && LEVELS[n]!.includes(peek()!.toUpperCase())) {
      const op = tokens[i++]!.toUpperCase();
      left = { kind: 'binary', op: op === '&&' ? 'AND' : op === '||' ? 'OR' : op, left, right: level(n + 1) };
    }
    return left;
  };
  const list = (close: string): Node[] => {
    const items: Node[] = [];
    if (peek() === close) return items;
    for (;;) {
      items.push(level(0));
      if (peek() !== ',') return items;
      i++;
    }
  };
  const unary = (): Node => {
    if (peek() === '-') {
      i++;
      return { kind: 'unary', op: '-', arg: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = tokens[i++];
    if (t === undefined) throw new Error('Unexpected end of expression.');
    if (t === '(') {
      const inner = level(0);
      expect(')');
      return inner;
    }
    if (t === '[') {
      const items = list(']');
      expect(']');
      return { kind: 'array', items };
    }
    if (/^[\d.]/.test(t)) return { kind: 'num', value: Number(t) };
    if (t.startsWith('"')) return { kind: 'str', value: JSON.parse(t) as string };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() === '(') {
        i++;
        const args = list(')');
        expect(')');
        return { kind: 'call', name: t.toUpperCase(), args };
      }
      return { kind: 'id', name: t };
    }
    throw new Error(`Unexpected "${t}".`);
  };
  const tree = level(0);
  if (i < tokens.length) throw new Error(`Unexpected "${tokens[i]}".`);
  return tree;
}

/** The ids an expression refers to (to order queries and find unknown ones). */
export function referencedIds(node: Node): string[] {
  switch (node.kind) {
    case 'id': return [node.name];
    case 'array': return node.items.flatMap(referencedIds);
    case 'call': return node.args.flatMap(referencedIds);
    case 'unary': return referencedIds(node.arg);
    case 'binary': return [...referencedIds(node.left), ...referencedIds(node.right)];
    default: return [];
  }
}

/** What an expression is evaluated against. */
export interface MathContext {
  /** The results of the other queries, by id. */
  results: ReadonlyMap<string, Series>;
  /** The ids of the MetricStat queries, for METRICS(). */
  metricIds: readonly string[];
  /** Every timestamp of the range at its period (FILL's grid; a scalar result is spread over it). */
  grid: readonly number[];
}

const isSeries = (v: Value): v is Series => typeof v === 'object' && !Array.isArray(v);

/** Applies `f` pointwise where both sides have a value (a scalar has one everywhere). */
function pointwise(a: Value, b: Value, f: (x: number, y: number) => number, label: string): Value {
  if (Array.isArray(a)) return a.map((s) => pointwise(s, b, f, s.label) as Series);
  if (Array.isArray(b)) return b.map((s) => pointwise(a, s, f, s.label) as Series);
  if (typeof a === 'number' && typeof b === 'number') return f(a, b);
  if (typeof a === 'number') return mapSeries(b as Series, (y) => f(a, y), label);
  if (typeof b === 'number') return mapSeries(a, (x) => f(x, b), label);
  const other = new Map(b.timestamps.map((t, k) => [t, b.values[k]!]));
  const out: Series = { label, timestamps: [], values: [] };
  a.timestamps.forEach((t, k) => {
    const y = other.get(t);
    if (y === undefined) return;
    const v = f(a.values[k]!, y);
    if (Number.isFinite(v)) {
      out.timestamps.push(t);
      out.values.push(v);
    }
  });
  return out;
}

function mapSeries(s: Series, f: (x: number) => number, label = s.label): Series {
  const out: Series = { label, timestamps: [], values: [] };
  s.timestamps.forEach((t, k) => {
    const v = f(s.values[k]!);
    if (Number.isFinite(v)) {
      out.timestamps.push(t);
      out.values.push(v);
    }
  });
  return out;
}

const OPS: Record<string, (x: number, y: number) => number> = {
  '+': (x, y) => x + y, '-': (x, y) => x - y, '*': (x, y) => x * y, '/': (x, y) => x / y, '^': (x, y) => x ** y,
  '>': (x, y) => Number(x > y), '<': (x, y) => Number(x < y), '>=': (x, y) => Number(x >= y), '<=': (x, y) => Number(x <= y),
  '==': (x, y) => Number(x === y), '!=': (x, y) => Number(x !== y), AND: (x, y) => Number(x !== 0 && y !== 0), OR: (x, y) => Number(x !== 0 || y !== 0),
};

const REDUCERS: Record<string, (xs: number[]) => number> = {
  SUM: (xs) => xs.reduce((a, b) => a + b, 0),
  AVG: (xs) => xs.reduce((a, b) => a + b, 0) / xs.length,
  MIN: (xs) => Math.min(...xs),
  MAX: (xs) => Math.max(...xs),
};

/** SUM/AVG/MIN/MAX: across an array per timestamp, or over one series' time to a scalar. */
function reduce(name: string, v: Value): Value {
  const f = REDUCERS[name]!;
  if (typeof v === 'number') return v;
  if (isSeries(v)) return v.values.length ? f(v.values) : NaN;
  const byTime = new Map<number, number[]>();
  for (const s of v) s.timestamps.forEach((t, k) => byTime.set(t, [...(byTime.get(t) ?? []), s.values[k]!]));
  const timestamps = [...byTime.keys()].sort((a, b) => a - b);
  return { label: name, timestamps, values: timestamps.map((t) => f(byTime.get(t)!)) };
}

/** FILL: a value at every grid timestamp the series lacks: a constant, the last value (REPEAT), or interpolated (LINEAR). */
function fill(s: Series, how: number | 'REPEAT' | 'LINEAR', grid: readonly number[]): Series {
  const known = new Map(s.timestamps.map((t, k) => [t, s.values[k]!]));
  if (known.size === 0 && typeof how !== 'number') return s;
  const times = [...new Set([...grid, ...s.timestamps])].sort((a, b) => a - b);
  const values = times.map((t, k) => {
    const v = known.get(t);
    if (v !== undefined) return v;
    if (typeof how === 'number') return how;
    const before = times.slice(0, k).reverse().find((x) => known.has(x));
    const after = times.slice(k + 1).find((x) => known.has(x));
    if (how === 'REPEAT' || before === undefined || after === undefined) return known.get(before ?? after!)!;
    const [v0, v1] = [known.get(before)!, known.get(after)!];
    return v0 + ((v1 - v0) * (t - before)) / (after - before);
  });
  return { label: s.label, timestamps: times, values };
}

/** Evaluates a parsed expression. Errors are Errors whose message says what is wrong. */
export function evaluate(node: Node, ctx: MathContext): Value {
  switch (node.kind) {
    case 'num': return node.value;
    case 'str': throw new Error(`A string ("${node.value}") can only be an argument of METRICS.`);
    case 'id': {
      if (['REPEAT', 'LINEAR'].includes(node.name.toUpperCase())) throw new Error(`${node.name} can only be FILL's second argument.`);
      const s = ctx.results.get(node.name);
      if (!s) throw new Error(`Unrecognized metric or expression id: ${node.name}.`);
      return s;
    }
    case 'array': return node.items.flatMap((item) => {
      const v = evaluate(item, ctx);
      if (typeof v === 'number') throw new Error('An array can only hold time series.');
      return Array.isArray(v) ? v : [v];
    });
    case 'unary': return pointwise(0, evaluate(node.arg, ctx), OPS['-']!, '');
    case 'binary': return pointwise(evaluate(node.left, ctx), evaluate(node.right, ctx), OPS[node.op]!, '');
    case 'call': return call(node.name, node.args, ctx);
  }
}

function call(name: string, args: Node[], ctx: MathContext): Value {
  const arity = (min: number, max = min) => {
    if (args.length < min || args.length > max) throw new Error(`${name} takes ${min === max ? min : `${min} to ${max}`} argument(s), not ${args.length}.`);
  };
  if (REDUCERS[name]) {
    arity(1);
    return reduce(name, evaluate(args[0]!, ctx));
  }
  switch (name) {
    case 'METRICS': {
      arity(0, 1);
      const filter = args[0]?.kind === 'str' ? args[0].value : undefined;
      if (args.length && filter === undefined) throw new Error('METRICS takes a string filter.');
      return ctx.metricIds.map((id) => ctx.results.get(id)!).filter((s) => s && (filter === undefined || s.label.includes(filter)));
    }
    case 'FILL': {
      arity(2);
      const target = evaluate(args[0]!, ctx);
      const how = args[1]!;
      const mode = how.kind === 'id' && ['REPEAT', 'LINEAR'].includes(how.name.toUpperCase()) ? (how.name.toUpperCase() as 'REPEAT' | 'LINEAR') : evaluate(how, ctx);
      if (typeof mode !== 'number' && typeof mode !== 'string') throw new Error('FILL\'s second argument must be a number, REPEAT or LINEAR.');
      if (typeof target === 'number') return target;
      return Array.isArray(target) ? target.map((s) => fill(s, mode, ctx.grid)) : fill(target, mode, ctx.grid);
    }
    case 'IF': {
      arity(2, 3);
      const cond = evaluate(args[0]!, ctx);
      const a = evaluate(args[1]!, ctx);
      const b = args[2] ? evaluate(args[2], ctx) : undefined;
      if (!isSeries(cond)) throw new Error('IF\'s condition must be a time series.');
      if (Array.isArray(a) || Array.isArray(b)) throw new Error('IF takes time series or numbers, not arrays.');
      const at = (v: number | Series | undefined, t: number) => (v === undefined ? undefined : typeof v === 'number' ? v : v.values[v.timestamps.indexOf(t)]);
      const out: Series = { label: '', timestamps: [], values: [] };
      cond.timestamps.forEach((t, k) => {
        const v = cond.values[k] !== 0 ? at(a, t) : at(b, t);
        if (v !== undefined) {
          out.timestamps.push(t);
          out.values.push(v);
        }
      });
      return out;
    }
    default:
      throw new Error(`Unsupported function: ${name}.`);
  }
}

/** Parses and evaluates `text`, refusing (ValidationError naming the query) what cannot be read or computed. */
export function computeExpression(id: string, text: string, ctx: MathContext): Value {
  try {
    return evaluate(parseExpression(text), ctx);
  } catch (error) {
    throw MetricsErrors.validation(`Error in expression ${id}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
