/**
 * A small evaluator for the cluster query language as ListContainerInstances' `filter` uses
 * it: `attribute:NAME == value`, `!=`, `exists`, `!exists`, `in [a, b]`, `!in [...]`, joined
 * with `and` / `or` (`&&` / `||`), negated with `not` / `!`, grouped with parentheses.
 * The full language (task:group, ordering and pattern operators, dates) replaces this later;
 * callers only see `parseInstanceFilter` and `matchesInstanceFilter`.
 */
import { EcsErrors } from './errors.ts';

/** What an expression can ask about: an attribute by name, or one of the instance's own fields. */
export type FilterSubject =
  | { kind: 'attribute'; name: string }
  | { kind: 'field'; name: 'ec2InstanceId' | 'agentConnected' | 'agentVersion' };

/** A parsed filter expression. */
export type FilterExpr =
  | { op: 'and' | 'or'; left: FilterExpr; right: FilterExpr }
  | { op: 'not'; expr: FilterExpr }
  | { op: 'eq' | 'ne'; subject: FilterSubject; value: string }
  | { op: 'exists' | 'notExists'; subject: FilterSubject }
  | { op: 'in' | 'notIn'; subject: FilterSubject; values: string[] };

/** What the evaluator reads of one container instance. */
export interface FilterTarget {
  attributes: { name?: string; value?: string }[];
  ec2InstanceId?: string;
  agentConnected?: boolean;
  agentVersion?: string;
}

const FIELDS = ['ec2InstanceId', 'agentConnected', 'agentVersion'] as const;

interface Token {
  /** `word` (bare), `str` (quoted), or the punctuation itself. */
  kind: 'word' | 'str' | '(' | ')' | '[' | ']' | ',' | '==' | '!=' | '&&' | '||' | '!' | 'op' | 'end';
  text: string;
  /** 1-based character position in the filter, for messages. */
  pos: number;
}

const fail = (pos: number, what: string): never => {
  throw EcsErrors.invalidParameter(`filter: invalid expression at position ${pos}: ${what}.`);
};

const PUNCT = new Set(['(', ')', '[', ']', ',']);

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i + 1;
    const two = text.slice(i, i + 2);
    if (two === '==' || two === '!=' || two === '&&' || two === '||') {
      tokens.push({ kind: two, text: two, pos });
      i += 2;
    } else if (two === '=~' || two === '!~' || two === '>=' || two === '<=') {
      tokens.push({ kind: 'op', text: two, pos });
      i += 2;
    } else if (c === '>' || c === '<' || c === '=') {
      tokens.push({ kind: 'op', text: c, pos });
      i++;
    } else if (c === '!') {
      tokens.push({ kind: '!', text: c, pos });
      i++;
    } else if (PUNCT.has(c)) {
      tokens.push({ kind: c as Token['kind'], text: c, pos });
      i++;
    } else if (c === '"' || c === "'") {
      const close = text.indexOf(c, i + 1);
      if (close < 0) fail(pos, 'unterminated quoted value');
      tokens.push({ kind: 'str', text: text.slice(i + 1, close), pos });
      i = close + 1;
    } else {
      let j = i;
      while (j < text.length && !/[\s()[\],=!&|<>~"']/.test(text[j])) j++;
      if (j === i) fail(pos, `unexpected character '${c}'`);
      tokens.push({ kind: 'word', text: text.slice(i, j), pos });
      i = j;
    }
  }
  tokens.push({ kind: 'end', text: '', pos: text.length + 1 });
  return tokens;
}

const keyword = (t: Token, ...words: string[]) => t.kind === 'word' && words.includes(t.text.toLowerCase());

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.i];
  }

  private next(): Token {
    return this.tokens[this.i++];
  }

  private describe(t: Token): string {
    return t.kind === 'end' ? 'end of filter' : `'${t.text}'`;
  }

  parse(): FilterExpr {
    if (this.peek().kind === 'end') fail(1, 'empty expression');
    const expr = this.or();
    const t = this.peek();
    if (t.kind !== 'end') fail(t.pos, `expected 'and', 'or' or end of filter, found ${this.describe(t)}`);
    return expr;
  }

  private or(): FilterExpr {
    let left = this.and();
    while (this.peek().kind === '||' || keyword(this.peek(), 'or')) {
      this.next();
      left = { op: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): FilterExpr {
    let left = this.unary();
    while (this.peek().kind === '&&' || keyword(this.peek(), 'and')) {
      this.next();
      left = { op: 'and', left, right: this.unary() };
    }
    return left;
  }

  private unary(): FilterExpr {
    const t = this.peek();
    if (t.kind === '!' || keyword(t, 'not')) {
      this.next();
      return { op: 'not', expr: this.unary() };
    }
    if (t.kind === '(') {
      this.next();
      const inner = this.or();
      const close = this.next();
      if (close.kind !== ')') fail(close.pos, `expected ')', found ${this.describe(close)}`);
      return inner;
    }
    return this.comparison();
  }

  private subject(): FilterSubject {
    const t = this.next();
    if (t.kind !== 'word') fail(t.pos, `expected a subject such as attribute:name, found ${this.describe(t)}`);
    if (t.text.startsWith('attribute:')) {
      const name = t.text.slice('attribute:'.length);
      if (!name) fail(t.pos, 'attribute: needs an attribute name');
      return { kind: 'attribute', name };
    }
    const field = FIELDS.find((f) => f === t.text);
    if (!field) fail(t.pos, `unsupported subject '${t.text}' (supported: attribute:name, ${FIELDS.join(', ')})`);
    return { kind: 'field', name: field! };
  }

  private value(): string {
    const t = this.next();
    if (t.kind !== 'word' && t.kind !== 'str') fail(t.pos, `expected a value, found ${this.describe(t)}`);
    return t.text;
  }

  private list(): string[] {
    const open = this.next();
    if (open.kind !== '[') fail(open.pos, `expected '[' to start a value list, found ${this.describe(open)}`);
    const values = [this.value()];
    for (;;) {
      const t = this.next();
      if (t.kind === ']') return values;
      if (t.kind !== ',') fail(t.pos, `expected ',' or ']', found ${this.describe(t)}`);
      values.push(this.value());
    }
  }

  private comparison(): FilterExpr {
    const subject = this.subject();
    const t = this.next();
    if (t.kind === '==' || keyword(t, 'equals')) return { op: 'eq', subject, value: this.value() };
    if (t.kind === '!=' || keyword(t, 'not_equals')) return { op: 'ne', subject, value: this.value() };
    if (keyword(t, 'exists')) return { op: 'exists', subject };
    if (keyword(t, 'not_exists')) return { op: 'notExists', subject };
    if (keyword(t, 'in')) return { op: 'in', subject, values: this.list() };
    if (keyword(t, 'not_in')) return { op: 'notIn', subject, values: this.list() };
    if (t.kind === '!') {
      const w = this.next();
      if (keyword(w, 'exists')) return { op: 'notExists', subject };
      if (keyword(w, 'in')) return { op: 'notIn', subject, values: this.list() };
      fail(w.pos, `expected 'exists' or 'in' after '!', found ${this.describe(w)}`);
    }
    if (t.kind === 'op') fail(t.pos, `operator '${t.text}' is not supported yet`);
    return fail(t.pos, `expected an operator (==, !=, exists, !exists, in, !in), found ${this.describe(t)}`);
  }
}

/** Parses a filter, or throws InvalidParameterException naming the position of the first error. */
export function parseInstanceFilter(text: string): FilterExpr {
  return new Parser(tokenize(text)).parse();
}

function subjectValue(subject: FilterSubject, target: FilterTarget): { present: boolean; value?: string } {
  if (subject.kind === 'attribute') {
    const attr = target.attributes.find((a) => a.name === subject.name);
    return attr ? { present: true, value: attr.value } : { present: false };
  }
  const raw = subject.name === 'agentConnected' ? target.agentConnected : target[subject.name];
  return raw === undefined ? { present: false } : { present: true, value: String(raw) };
}

/** Whether one container instance satisfies a parsed filter. */
export function matchesInstanceFilter(expr: FilterExpr, target: FilterTarget): boolean {
  switch (expr.op) {
    case 'and':
      return matchesInstanceFilter(expr.left, target) && matchesInstanceFilter(expr.right, target);
    case 'or':
      return matchesInstanceFilter(expr.left, target) || matchesInstanceFilter(expr.right, target);
    case 'not':
      return !matchesInstanceFilter(expr.expr, target);
    case 'exists':
      return subjectValue(expr.subject, target).present;
    case 'notExists':
      return !subjectValue(expr.subject, target).present;
    case 'eq':
      return subjectValue(expr.subject, target).value === expr.value;
    case 'ne':
      return subjectValue(expr.subject, target).value !== expr.value;
    case 'in': {
      const v = subjectValue(expr.subject, target).value;
      return v !== undefined && expr.values.includes(v);
    }
    case 'notIn': {
      const v = subjectValue(expr.subject, target).value;
      return v === undefined || !expr.values.includes(v);
    }
  }
}
