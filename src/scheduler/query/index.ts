/**
 * The ECS cluster query language: the expressions of `memberOf` placement constraints and of
 * ListContainerInstances' `filter`. Pure (no I/O, no clock): parse once, evaluate against
 * each candidate container instance.
 *
 *   const expr = parseQuery('attribute:ecs.instance-type =~ t2.* and not(task:group == database)');
 *   const ok = evaluateQuery(expr, { attributes, ec2InstanceId, taskGroups });
 */
export {
  FIELD_OPERATORS, OPERATOR_SYMBOLS, QUERY_FIELDS, QUERY_OPERATORS, QuerySyntaxError,
  type QueryCondition, type QueryExpr, type QueryField, type QueryOperator, type QuerySubject, type QuerySubjectRef,
} from './ast.ts';
export { MAX_QUERY_DEPTH, MAX_QUERY_LENGTH, parseQuery } from './parse.ts';
export { evaluateQuery } from './evaluate.ts';
export { printQuery } from './print.ts';
