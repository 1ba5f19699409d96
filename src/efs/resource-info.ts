/**
 * What IAM needs to know about a file system or an access point when it authorizes an action on
 * it: its tags (`aws:ResourceTag/*`) and the owning account. A file system policy governs NFS
 * clients (`elasticfilesystem:ClientMount`, ...), not the API, so it is not offered. Identity's
 * authority asks this for `arn:aws:elasticfilesystem:…` ARNs.
 */
import { getDoc, type Store } from '../state/index.ts';
import { keys, type AccessPointRecord, type FileSystemRecord } from './records.ts';

/** An EFS resource as IAM sees it (the shape of identity's ResourceInfo). */
export interface EfsResourceInfo {
  tags: Record<string, string>;
  account: string;
}

const ARN = /^arn:aws[a-z-]*:elasticfilesystem:([a-z0-9-]+):(\d{12}):(file-system|access-point)\/([a-z0-9-]+)$/;

/** Looks file systems and access points up by ARN; for one that does not exist, only its account. */
export function efsResourceInfo(store: Store): (arn: string) => Promise<EfsResourceInfo | undefined> {
  return async (arn) => {
    const m = ARN.exec(arn);
    if (!m) return undefined;
    const [, region, account, type, id] = m as unknown as [string, string, string, string, string];
    const scope = { account, region };
    const record = type === 'file-system'
      ? (await getDoc<FileSystemRecord>(store, keys.fileSystem(scope, id)))?.value
      : (await getDoc<AccessPointRecord>(store, keys.accessPoint(scope, id)))?.value;
    if (!record) return { tags: {}, account };
    return { tags: Object.fromEntries(record.tags.map((t) => [t.key, t.value])), account };
  };
}
