/**
 * The cluster query language parser: text → {@link QueryExpr}, or a {@link QuerySyntaxError}
 * naming the 1-based position of the first problem. Grammar (keywords case-insensitive):
 *
 *   expression := term (('or' | '||') term)*
 *   term       := factor (('and' | '&&') factor)*
 *   factor     := ('not' | '!') factor | '(' expression ')' | condition
 *   condition  := subject operator [argument]
 *   subject    := 'attribute:' name | 'task:group' | agentConnected | agentVersion
 *                 | ec2InstanceId | registeredAt | runningTasksCount
 *   argument   := value | '[' value (',' value)* ']'      (lists for in / not_in only)
 *   value      := bare word | '...' | "..."
 *
 * `and` binds tighter than `or`, as the documentation's `(expression1 or expression2) and
 * expression3` example implies.
 */
import {
  FIELD_OPERATORS, OPERATOR_SYMBOLS, QUERY_FIELDS, QUERY_OPERATORS, QuerySyntaxError, operatorArity,
  type QueryCondition, type QueryExpr, type QueryField, type QueryOperator, type QuerySubjectRef,
} from './ast.ts';
import { bareValueEnd, compilePattern, isSpace, parseDateArgument, parseVersion } from './values.ts';

/** The longest expression ECS accepts (PlacementConstraint `expression`: 2000 characters). */
export const MAX_QUERY_LENGTH = 2000;
/** How deeply `not` and parentheses may nest; far beyond any real query, it keeps recursion bounded. */
export const MAX_QUERY_DEPTH = 100;
/** ECS limits attribute names to 128 characters. */
const MAX_ATTRIBUTE_NAME = 128;

const SYMBOLS: readonly [string, QueryOperator][] = [
  ['==', 'equals'], ['!=', 'not_equals'], ['>=', 'greater_than_equal'], ['<=', 'less_than_equal'],
  ['=~', 'matches'], ['!~', 'not_matches'], ['>', 'greater_than'], ['<', 'less_than'],
];
const OPERATOR_LIST = '==, !=, >, >=, <, <=, exists, !exists, in, !in, =~, !~';
const SUBJECT_CHAR = /[A-Za-z0-9_.\-/\\:]/;
const WORD_CHAR = /[A-Za-z0-9_]/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.\-/\\]+$/;

/**
 * Parses a cluster query language expression (a memberOf constraint's `expression` or a
 * ListContainerInstances `filter`). Throws {@link QuerySyntaxError} for anything ECS would
 * reject: bad syntax, an unknown subject, an operator the subject does not take, an argument
 * that is not a date / version / number / pattern where one is needed, or more than
 * {@link MAX_QUERY_LENGTH} characters.
 */
export function parseQuery(text: string): QueryExpr {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new QuerySyntaxError(MAX_QUERY_LENGTH + 1, `the expression is ${text.length} characters long; the maximum is ${MAX_QUERY_LENGTH}`);
  }
  return new Parser(text).parse();
}

class Parser {
  private i = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  private fail(at: number, reason: string): never {
    throw new QuerySyntaxError(at + 1, reason);
  }

  private skipSpace(): void {
    while (this.i < this.text.length && isSpace(this.text[this.i])) this.i++;
  }

  private wordAt(at: number, chars = WORD_CHAR): string {
    let j = at;
    while (j < this.text.length && chars.test(this.text[j])) j++;
    return this.text.slice(at, j);
  }

  private keywordAt(...words: string[]): string | undefined {
    const w = this.wordAt(this.i).toLowerCase();
    return words.includes(w) ? w : undefined;
  }

  /** What the text holds at `at`, for "found ..." in messages. */
  private describe(at: number): string {
    const t = this.text;
    if (at >= t.length) return 'end of expression';
    if (t.startsWith('&&', at) || t.startsWith('||', at)) return `'${t.slice(at, at + 2)}'`;
    const run = t.slice(at, bareValueEnd(t, at, true));
    return run ? `'${run.length > 30 ? `${run.slice(0, 30)}...` : run}'` : `'${t[at]}'`;
  }

  parse(): QueryExpr {
    this.skipSpace();
    if (this.i >= this.text.length) this.fail(0, 'empty expression');
    const expr = this.expression();
    this.skipSpace();
    if (this.i < this.text.length) this.fail(this.i, `expected 'and', 'or' or end of expression, found ${this.describe(this.i)}`);
    return expr;
  }

  private expression(): QueryExpr {
    let left = this.term();
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('||', this.i)) this.i += 2;
      else if (this.keywordAt('or')) this.i += 2;
      else return left;
      left = { type: 'or', left, right: this.term() };
    }
  }

  private term(): QueryExpr {
    let left = this.factor();
    for (;;) {
      this.skipSpace();
      if (this.text.startsWith('&&', this.i)) this.i += 2;
      else if (this.keywordAt('and')) this.i += 3;
      else return left;
      left = { type: 'and', left, right: this.factor() };
    }
  }

  private nested<T>(at: number, inner: () => T): T {
    if (++this.depth > MAX_QUERY_DEPTH) this.fail(at, `'not' and parentheses nest more than ${MAX_QUERY_DEPTH} deep`);
    const result = inner();
    this.depth--;
    return result;
  }

  private factor(): QueryExpr {
    this.skipSpace();
    const at = this.i;
    if (this.text[at] === '!' || this.keywordAt('not')) {
      this.i += this.text[at] === '!' ? 1 : 3;
      return this.nested(at, () => ({ type: 'not', expr: this.factor() }));
    }
    if (this.text[at] === '(') {
      this.i++;
      const inner = this.nested(at, () => this.expression());
      this.skipSpace();
      if (this.text[this.i] !== ')') {
        this.fail(this.i, `expected 'and', 'or' or ')' to close the '(' at position ${at + 1}, found ${this.describe(this.i)}`);
      }
      this.i++;
      return inner;
    }
    return this.condition();
  }

  private subject(): QuerySubjectRef {
    const at = this.i;
    const word = this.wordAt(at, SUBJECT_CHAR);
    if (!word) this.fail(at, `expected a subject such as attribute:<name> or task:group, found ${this.describe(at)}`);
    this.i += word.length;
    if (word.startsWith('attribute:')) {
      const name = word.slice('attribute:'.length);
      if (!name) this.fail(at, 'attribute: needs an attribute name');
      if (!ATTRIBUTE_NAME.test(name)) {
        this.fail(at, `'${name}' is not an attribute name (letters, numbers, hyphens, underscores, slashes, backslashes and periods)`);
      }
      if (name.length > MAX_ATTRIBUTE_NAME) this.fail(at, `attribute names are at most ${MAX_ATTRIBUTE_NAME} characters`);
      return { kind: 'attribute', name };
    }
    if (word === 'task:group') return { kind: 'taskGroup' };
    const field = QUERY_FIELDS.find((f) => f === word);
    if (field) return { kind: 'field', name: field };
    return this.fail(at, `unknown subject '${word}' (expected attribute:<name>, task:group, ${QUERY_FIELDS.join(', ')})`);
  }

  private operator(): { op: QueryOperator; text: string } {
    this.skipSpace();
    const at = this.i;
    const t = this.text;
    for (const [symbol, op] of SYMBOLS) {
      if (t.startsWith(symbol, at)) {
        this.i += symbol.length;
        return { op, text: symbol };
      }
    }
    if (t[at] === '!') {
      this.i++;
      this.skipSpace();
      const negated = this.keywordAt('exists', 'in');
      if (!negated) this.fail(this.i, `expected 'exists' or 'in' after '!', found ${this.describe(this.i)}`);
      this.i += negated.length;
      return negated === 'exists' ? { op: 'not_exists', text: '!exists' } : { op: 'not_in', text: '!in' };
    }
    if (t[at] === '=') this.fail(at, "'=' is not an operator; use '==' or 'equals'");
    const word = this.wordAt(at);
    const op = QUERY_OPERATORS.find((o) => o === word.toLowerCase());
    if (!op) this.fail(at, `expected an operator (${OPERATOR_LIST}), found ${this.describe(at)}`);
    this.i += word.length;
    return { op, text: word };
  }

  private condition(): QueryCondition {
    const subject = this.subject();
    const opAt = this.i;
    const { op, text } = this.operator();
    if (subject.kind === 'field' && !FIELD_OPERATORS[subject.name].includes(op)) {
      const valid = FIELD_OPERATORS[subject.name].map((o) => OPERATOR_SYMBOLS[o]).join(', ');
      this.fail(this.operatorStart(opAt), `operator '${text}' is not valid for ${subject.name} (valid: ${valid})`);
    }
    const arity = operatorArity(op);
    if (arity === 'none') return { type: 'condition', subject, operator: op, values: [] };
    this.skipSpace();
    if (arity === 'one') return { type: 'condition', subject, operator: op, values: [this.value(subject, op, `after '${text}'`, false)] };
    if (this.text[this.i] !== '[') this.fail(this.i, `expected '[' to start the value list after '${text}', found ${this.describe(this.i)}`);
    this.i++;
    const values: string[] = [];
    for (;;) {
      this.skipSpace();
      values.push(this.value(subject, op, values.length ? "after ','" : "after '['", true));
      this.skipSpace();
      const c = this.text[this.i];
      if (c === ']') break;
      if (c !== ',') this.fail(this.i, `expected ',' or ']', found ${this.describe(this.i)}`);
      this.i++;
    }
    this.i++;
    return { type: 'condition', subject, operator: op, values };
  }

  private operatorStart(from: number): number {
    let j = from;
    while (j < this.text.length && isSpace(this.text[j])) j++;
    return j;
  }

  private value(subject: QuerySubjectRef, op: QueryOperator, where: string, inList: boolean): string {
    const at = this.i;
    const t = this.text;
    const c = t[at];
    let value: string;
    if (c === "'" || c === '"') {
      const close = t.indexOf(c, at + 1);
      if (close < 0) this.fail(at, 'unterminated quoted value');
      value = t.slice(at + 1, close);
      this.i = close + 1;
    } else {
      if (c === '(' && !inList && op !== 'matches' && op !== 'not_matches') {
        this.fail(at, "a value can't start with '(' (parentheses only group expressions); quote the value");
      }
      const end = bareValueEnd(t, at, inList);
      if (end === at) this.fail(at, `expected a value ${where}, found ${this.describe(at)}`);
      value = t.slice(at, end);
      this.i = end;
    }
    const problem = argumentProblem(subject, op, value);
    if (problem) this.fail(at, problem);
    return value;
  }
}

/** Why `value` cannot be the argument of `op` on `subject`, or undefined if it can. */
function argumentProblem(subject: QuerySubjectRef, op: QueryOperator, value: string): string | undefined {
  if (op === 'matches' || op === 'not_matches') {
    const compiled = compilePattern(value);
    return compiled instanceof RegExp ? undefined : `invalid pattern '${value}': ${compiled.error}`;
  }
  if (subject.kind !== 'field') return undefined;
  const field: QueryField = subject.name;
  switch (field) {
    case 'agentVersion':
      return parseVersion(value) ? undefined : `agentVersion takes a version such as 1.14.5, found '${value}'`;
    case 'registeredAt':
      return parseDateArgument(value)
        ? undefined
        : `registeredAt takes a date such as 2018-06-18, 2018-06-18T22:28:28, 2018-06-18T22:28:28Z or 2018-06-18T22:28:28+00:00, found '${value}'`;
    case 'runningTasksCount':
      return /^\d+$/.test(value) ? undefined : `runningTasksCount takes a whole number, found '${value}'`;
    case 'agentConnected':
      return /^(true|false)$/i.test(value) ? undefined : `agentConnected takes true or false, found '${value}'`;
    case 'ec2InstanceId':
      return undefined;
  }
}
