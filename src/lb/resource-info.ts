/**
 * What IAM needs to know about a load balancer, target group, listener or rule when it
 * authorizes an action on it: its tags (`aws:ResourceTag/*`, `elasticloadbalancing:ResourceTag/*`)
 * and the owning account. Identity's authority asks this for `arn:aws:elasticloadbalancing:…` ARNs.
 */
import { getDoc, type Store } from '../state/index.ts';
import { parseLbArn, type LbTag } from './records.ts';
import { recordKeyOf } from './tags.ts';

/** Looks ELBv2 resources up by ARN; for one that does not exist, only its account. */
export function lbResourceInfo(store: Store): (arn: string) => Promise<{ tags: Record<string, string>; account: string } | undefined> {
  return async (arn) => {
    const p = parseLbArn(arn);
    if (!p) return undefined;
    const record = (await getDoc<{ arn: string; tags: LbTag[] }>(store, recordKeyOf(p.scope, arn)))?.value;
    if (!record || record.arn !== arn) return { tags: {}, account: p.scope.account };
    return { tags: Object.fromEntries(record.tags.map((t) => [t.key, t.value])), account: p.scope.account };
  };
}
