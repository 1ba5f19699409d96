/**
 * What IAM needs to know about a secret when it authorizes an action on it: its resource policy,
 * its tags (`aws:ResourceTag/*`) and the account that owns it. Identity's authority asks this for
 * `arn:aws:secretsmanager:<region>:<account>:secret:<name>` ARNs, full or partial.
 */
import type { Clock } from '../common/index.ts';
import { getDoc, type Store } from '../state/index.ts';
import { keys, type SecretRecord } from './records.ts';
import { candidatesFor } from './select.ts';

/** A secret as IAM sees it (the shape of identity's ResourceInfo). */
export interface SecretResourceInfo {
  policy?: string;
  tags: Record<string, string>;
  account: string;
}

const ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/;

/**
 * Looks secrets up by ARN for the authority: undefined for an ARN that is not a secret's; for
 * one that does not exist (or is gone), only its account.
 */
export function secretResourceInfo(store: Store, clock: Clock): (arn: string) => Promise<SecretResourceInfo | undefined> {
  return async (arn) => {
    const m = ARN.exec(arn);
    if (!m) return undefined;
    const [, region, account] = m as unknown as [string, string, string];
    const scope = { account, region };
    for (const c of candidatesFor(scope, arn)) {
      const record = (await getDoc<SecretRecord>(store, keys.secret(scope, c.name)))?.value;
      if (!record || !c.matches(record) || (record.deletionDate !== undefined && record.deletionDate <= clock.now())) continue;
      return {
        ...(record.resourcePolicy !== undefined ? { policy: record.resourcePolicy } : {}),
        tags: Object.fromEntries(record.tags.map((t) => [t.key, t.value])),
        account,
      };
    }
    return { tags: {}, account };
  };
}
