/** Sample container instances for the query language's tests. */
import type { QuerySubject } from './ast.ts';

/** A subject with the given attributes (a name alone = set without a value) and fields. */
export function instance(
  attributes: Record<string, string | undefined>,
  over: Partial<Omit<QuerySubject, 'attributes' | 'taskGroups'>> & { taskGroups?: Iterable<string> } = {},
): QuerySubject {
  const { taskGroups, ...rest } = over;
  return {
    ec2InstanceId: 'i-0123',
    ...rest,
    attributes: new Map(Object.entries(attributes)),
    taskGroups: new Set(taskGroups ?? []),
  };
}
