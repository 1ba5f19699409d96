/**
 * The failure reasons RunTask and StartTask report per container instance, worded as ECS
 * words them (see the ECS developer guide's "API failure reasons", and the constraint
 * messages ECS returns in `failures` and service events).
 */
export const REASONS = {
  cpu: 'RESOURCE:CPU',
  memory: 'RESOURCE:MEMORY',
  ports: 'RESOURCE:PORTS',
  gpu: 'RESOURCE:GPU',
  eni: 'RESOURCE:ENI',
  /** The instance's agent is disconnected. */
  agent: 'AGENT',
  /** The instance lacks an attribute the task definition requires (`requiresAttributes`). */
  attribute: 'ATTRIBUTE',
  /** StartTask named a deregistered instance. */
  inactive: 'INACTIVE',
  distinctInstance: 'DistinctInstance placement constraint unsatisfied.',
  memberOf: 'MemberOf placement constraint unsatisfied.',
} as const;
