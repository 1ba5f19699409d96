/**
 * A group's tags for IAM, by ARN: what `aws:ResourceTag/<key>`
 * conditions read. Other `autoscaling` ARNs (Application Auto Scaling's policies) are not groups.
 */
import { getDoc, type Store } from '../state/index.ts';
import { autoscalingKeys, type GroupRecord } from './records.ts';

const GROUP_ARN = /^arn:aws[-a-z]*:autoscaling:([^:]+):(\d{12}):autoScalingGroup:([^:]+):autoScalingGroupName\/(.+)$/;

/** The tags and account of the group an ARN names (an ARN with `*` for its uuid names the group of that name). */
export function autoscalingResourceInfo(store: Store): (arn: string) => Promise<{ tags: Record<string, string>; account: string } | undefined> {
  return async (arn) => {
    const m = GROUP_ARN.exec(arn);
    if (!m) return undefined;
    const [, region, account, uuid, name] = m as unknown as [string, string, string, string, string];
    const g = (await getDoc<GroupRecord>(store, autoscalingKeys.group({ account, region }, name)))?.value;
    if (!g || (uuid !== '*' && g.arn !== arn)) return { tags: {}, account };
    const tags = Object.fromEntries(g.tags.map((t) => [t.key, t.value]));
    return { tags, account };
  };
}
