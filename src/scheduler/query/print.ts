/**
 * Prints a parsed query back as cluster query language text in one canonical form: symbolic
 * operators, `attribute:name`, values bare where they read back unchanged and quoted
 * otherwise, `not(...)`, and parentheses only where precedence needs them.
 * `parseQuery(printQuery(e))` gives back `e`; used for messages, logs and tests.
 */
import { OPERATOR_SYMBOLS, operatorArity, type QueryExpr, type QuerySubjectRef } from './ast.ts';
import { isBareSafe, type ValueContext } from './values.ts';

/**
 * The canonical text of `expr`. Throws RangeError for a value holding both `'` and `"`,
 * which the language has no way to write (the parser never produces one).
 */
export function printQuery(expr: QueryExpr): string {
  return print(expr, 0);
}

const PRECEDENCE = { or: 1, and: 2 } as const;

function print(expr: QueryExpr, needed: number): string {
  switch (expr.type) {
    case 'and':
    case 'or': {
      const own = PRECEDENCE[expr.type];
      // Left-associative: a right operand of the same precedence needs parentheses to keep its shape.
      const text = `${print(expr.left, own)} ${expr.type} ${print(expr.right, own + 1)}`;
      return own < needed ? `(${text})` : text;
    }
    case 'not':
      return `not(${print(expr.expr, 0)})`;
    case 'condition': {
      const head = `${subjectText(expr.subject)} ${OPERATOR_SYMBOLS[expr.operator]}`;
      switch (operatorArity(expr.operator)) {
        case 'none':
          return head;
        case 'one':
          return `${head} ${valueText(expr.values[0], expr.operator === 'matches' || expr.operator === 'not_matches' ? 'pattern' : 'value')}`;
        case 'list':
          return `${head} [${expr.values.map((v) => valueText(v, 'list')).join(', ')}]`;
      }
    }
  }
}

function subjectText(subject: QuerySubjectRef): string {
  if (subject.kind === 'attribute') return `attribute:${subject.name}`;
  return subject.kind === 'taskGroup' ? 'task:group' : subject.name;
}

function valueText(value: string, context: ValueContext): string {
  if (isBareSafe(value, context)) return value;
  if (!value.includes("'")) return `'${value}'`;
  if (!value.includes('"')) return `"${value}"`;
  throw new RangeError(`a query value can't hold both ' and ": ${value}`);
}
