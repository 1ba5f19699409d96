/**
 * Describe-by-references as the AWS APIs answer it (ECS's DescribeClusters, DescribeTasks,
 * DescribeServices, ...): each reference the caller names is resolved to the ARN it means and
 * the record there, if any; records come back once each, in the order named, and references
 * that name nothing come back as `{ arn, reason: 'MISSING' }` failures instead of an error.
 */

/** A reference resolved: the ARN it names (reported when missing) and the record there, if any. */
export interface ResolvedReference<T> {
  arn: string;
  value?: T;
}

/** A reference that named nothing. */
export interface MissingReference {
  arn: string;
  reason: 'MISSING';
}

/** Resolves every reference in order; the same ARN named twice is described (or reported) once. */
export async function describeByReferences<T>(
  refs: readonly string[], resolve: (ref: string) => Promise<ResolvedReference<T>>,
): Promise<{ found: T[]; failures: MissingReference[] }> {
  const found: T[] = [];
  const failures: MissingReference[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const { arn, value } = await resolve(ref);
    if (seen.has(arn)) continue;
    seen.add(arn);
    if (value === undefined) failures.push({ arn, reason: 'MISSING' });
    else found.push(value);
  }
  return { found, failures };
}
