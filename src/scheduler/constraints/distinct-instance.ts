import type { ConstraintPlugin } from '../plugin.ts';
import { REASONS } from '../reasons.ts';

/**
 * `distinctInstance`: each task of the group on a different instance. Counts the group's tasks
 * already on the instance (those not desired STOPPED, as ECS does) as well as the ones this
 * request has placed, so a second RunTask of the same group avoids the first one's instances.
 */
export const distinctInstance: ConstraintPlugin = {
  validate(c, path) {
    if (c.expression !== undefined) return `${path}.expression: an expression can't be specified for a distinctInstance constraint.`;
    return undefined;
  },
  filter() {
    return (i, snapshot) => (snapshot.groupCount[i] > 0 ? REASONS.distinctInstance : undefined);
  },
};
