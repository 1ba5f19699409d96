import type { ConstraintPlugin } from '../plugin.ts';
import { evaluateQuery, parseQuery, QuerySyntaxError } from '../query/index.ts';
import { REASONS } from '../reasons.ts';

/**
 * `memberOf`: only instances a cluster query language expression selects (attributes,
 * `ec2InstanceId`, `task:group`, ...). `task:group` sees the tasks this request has placed too.
 */
export const memberOf: ConstraintPlugin = {
  validate(c, path) {
    if (c.expression === undefined || c.expression.trim() === '') return `${path}.expression is required for a memberOf constraint.`;
    try {
      parseQuery(c.expression);
    } catch (e) {
      if (e instanceof QuerySyntaxError) return `${path}.expression: ${e.message}`;
      throw e;
    }
    return undefined;
  },
  filter(c) {
    const expr = parseQuery(c.expression ?? '');
    return (i, snapshot) => (evaluateQuery(expr, snapshot.subject(i)) ? undefined : REASONS.memberOf);
  },
};
