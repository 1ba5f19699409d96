/**
 * What IAM needs to know about an ECR repository when it authorizes an action on it: the
 * repository policy (a resource-based policy, evaluated beside the caller's identity
 * policies), its tags (`aws:ResourceTag/*`) and the account that owns it. Identity's
 * authority asks this for `arn:aws:ecr:<region>:<account>:repository/<name>` ARNs.
 */
import { getDoc, type Store } from '../state/index.ts';
import { parseRepositoryArn, registryKeys, type RepositoryRecord } from './records.ts';

/** A repository as IAM sees it (the shape of identity's ResourceInfo). */
export interface RepositoryResourceInfo {
  policy?: string;
  tags: Record<string, string>;
  account: string;
}

/**
 * Looks repositories up by ARN for the authority: undefined for an ARN that is not an ECR
 * repository's; for a repository that does not exist, only its account (so IAM still tells a
 * cross-account request apart), no policy and no tags.
 */
export function repositoryResourceInfo(store: Store): (arn: string) => Promise<RepositoryResourceInfo | undefined> {
  return async (arn) => {
    const named = parseRepositoryArn(arn);
    if (!named) return undefined;
    const { account } = named.scope;
    const doc = await getDoc<RepositoryRecord>(store, registryKeys.repository(named.scope, named.name));
    if (!doc) return { tags: {}, account };
    const tags: Record<string, string> = {};
    for (const t of doc.value.tags) tags[t.Key] = t.Value;
    return { ...(doc.value.policyText !== undefined ? { policy: doc.value.policyText } : {}), tags, account };
  };
}
