/**
 * What IAM needs to know about an EC2 network resource when it authorizes an action on it: its
 * tags (`aws:ResourceTag/*`, `ec2:ResourceTag/*`) and the account that owns it. Identity's
 * authority asks this for `arn:aws:ec2:<region>:<account>:<type>/<id>` ARNs.
 */
import { getDoc, listDocs, type Store } from '../state/index.ts';
import { keys, type Ec2Tag, type NetworkInterfaceRecord, type Scope, type SecurityGroupRecord, type SubnetRecord, type VpcRecord } from './records.ts';

/** A network resource as IAM sees it (the shape of identity's ResourceInfo). */
export interface NetworkResourceInfo {
  tags: Record<string, string>;
  account: string;
}

const ARN = /^arn:aws[a-z-]*:ec2:([a-z0-9-]+):(\d{12}):(vpc|subnet|security-group|security-group-rule|network-interface)\/(.+)$/;

async function tagsOf(store: Store, scope: Scope, type: string, id: string): Promise<Ec2Tag[] | undefined> {
  const tagged = async <T extends { tags: Ec2Tag[] }>(key: string) => (await getDoc<T>(store, key))?.value.tags;
  switch (type) {
    case 'vpc': return tagged<VpcRecord>(keys.vpc(scope, id));
    case 'subnet': return tagged<SubnetRecord>(keys.subnet(scope, id));
    case 'security-group': return tagged<SecurityGroupRecord>(keys.securityGroup(scope, id));
    case 'network-interface': return tagged<NetworkInterfaceRecord>(keys.networkInterface(scope, id));
    default: {
      const groups = await listDocs<SecurityGroupRecord>(store, keys.securityGroups(scope));
      return groups.flatMap((g) => g.value.rules).find((r) => r.ruleId === id)?.tags;
    }
  }
}

/**
 * Looks network resources up by ARN for the authority: undefined for an ARN that is not one;
 * for one that does not exist (or `*`), only its account and no tags.
 */
export function networkResourceInfo(store: Store): (arn: string) => Promise<NetworkResourceInfo | undefined> {
  return async (arn) => {
    const m = ARN.exec(arn);
    if (!m) return undefined;
    const [, region, account, type, id] = m as unknown as [string, string, string, string, string];
    const tags = id === '*' ? undefined : await tagsOf(store, { account, region }, type, id);
    return { tags: Object.fromEntries((tags ?? []).map((t) => [t.key, t.value])), account };
  };
}
