/**
 * What EFS does with file systems, over the store: CreateFileSystem (one per creation token),
 * DescribeFileSystems, DeleteFileSystem (refused while mount targets remain; its access points
 * go with it), tags on file systems and access points, and file system policies. Every write
 * is one transaction guarded on the records it read.
 */
import type { Clock, Ids } from '../common/index.ts';
import { availabilityZones } from '../network/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { EfsErrors } from './errors.ts';
import { efsId, fileSystemArn, keys, type AccessPointRecord, type EfsTag, type FileSystemRecord, type Scope } from './records.ts';

/** What the EFS domain runs on. */
export interface EfsEnv {
  store: Store;
  clock: Clock;
  ids: Ids;
}

/** What CreateFileSystem asks for. */
export interface CreateFileSystemRequest {
  creationToken: string;
  performanceMode?: FileSystemRecord['performanceMode'];
  throughputMode?: FileSystemRecord['throughputMode'];
  provisionedThroughputInMibps?: number;
  encrypted?: boolean;
  kmsKeyId?: string;
  availabilityZoneName?: string;
  backup?: boolean;
  tags: EfsTag[];
}

/** The size a new, empty file system reports (its metadata). */
export const EMPTY_SIZE_BYTES = 6144;

/** The most tags a resource may have. */
const MAX_TAGS = 50;

/** The file system `id` names, read through `tx`. */
export async function findFileSystem(tx: Tx, scope: Scope, id: string): Promise<FileSystemRecord> {
  const record = await tx.get<FileSystemRecord>(keys.fileSystem(scope, id));
  if (!record) throw EfsErrors.fileSystemNotFound(id);
  return record;
}

/** The request's cross-field rules, which the model cannot say. */
function checkCreate(req: CreateFileSystemRequest, region: string): { zoneId?: string } {
  if (req.throughputMode === 'provisioned' && req.provisionedThroughputInMibps === undefined) {
    throw EfsErrors.badRequest('ProvisionedThroughputInMibps is required when ThroughputMode is provisioned.');
  }
  if (req.throughputMode !== 'provisioned' && req.provisionedThroughputInMibps !== undefined) {
    throw EfsErrors.badRequest('ProvisionedThroughputInMibps can be set only when ThroughputMode is provisioned.');
  }
  if (req.kmsKeyId !== undefined && req.encrypted !== true) throw EfsErrors.badRequest('KmsKeyId can be set only when Encrypted is true.');
  if (req.performanceMode === 'maxIO' && req.throughputMode === 'elastic') throw EfsErrors.badRequest('Elastic throughput is not supported with the maxIO performance mode.');
  if (req.performanceMode === 'maxIO' && req.availabilityZoneName !== undefined) throw EfsErrors.badRequest('One Zone file systems do not support the maxIO performance mode.');
  checkTags(req.tags);
  if (req.availabilityZoneName === undefined) return {};
  const zone = availabilityZones(region).find((z) => z.zoneName === req.availabilityZoneName);
  if (!zone) throw EfsErrors.unsupportedAvailabilityZone(req.availabilityZoneName);
  return { zoneId: zone.zoneId };
}

/** Tags EFS refuses: duplicate keys, too many, and the reserved `aws:` prefix. */
export function checkTags(tags: readonly EfsTag[]): void {
  const keysSeen = new Set<string>();
  for (const t of tags) {
    if (t.key.toLowerCase().startsWith('aws:')) throw EfsErrors.badRequest(`Tag key '${t.key}' is invalid: the aws: prefix is reserved.`);
    if (keysSeen.has(t.key)) throw EfsErrors.badRequest(`Tag key '${t.key}' appears more than once.`);
    keysSeen.add(t.key);
  }
  if (tags.length > MAX_TAGS) throw EfsErrors.badRequest(`A resource can have at most ${MAX_TAGS} tags.`);
}

/**
 * CreateFileSystem: a new file system, `creating` in the answer and `available` from then on (it
 * is a record here, ready at once). A creation token already used answers FileSystemAlreadyExists
 * with the id of the file system it made, which is how a caller learns that a retried call did succeed.
 */
export async function createFileSystem(env: EfsEnv, scope: Scope, req: CreateFileSystemRequest): Promise<FileSystemRecord> {
  const { zoneId } = checkCreate(req, scope.region);
  const now = env.clock.now();
  const id = efsId('fs', env.ids.hex32());
  return transact(env.store, async (tx) => {
    const held = await tx.get<{ fileSystemId: string }>(keys.creationToken(scope, req.creationToken));
    if (held) throw EfsErrors.fileSystemAlreadyExists(req.creationToken, held.fileSystemId);
    const throughputMode = req.throughputMode ?? 'bursting';
    const record: FileSystemRecord = {
      fileSystemId: id, arn: fileSystemArn(scope, id), ownerId: scope.account, creationToken: req.creationToken, createdAt: now,
      lifeCycleState: 'available', performanceMode: req.performanceMode ?? 'generalPurpose', throughputMode,
      ...(req.provisionedThroughputInMibps !== undefined ? { provisionedThroughputInMibps: req.provisionedThroughputInMibps } : {}),
      encrypted: req.encrypted ?? false,
      ...(req.kmsKeyId !== undefined ? { kmsKeyId: req.kmsKeyId } : req.encrypted ? { kmsKeyId: `arn:aws:kms:${scope.region}:${scope.account}:alias/aws/elasticfilesystem` } : {}),
      ...(req.availabilityZoneName !== undefined ? { availabilityZoneName: req.availabilityZoneName, availabilityZoneId: zoneId } : {}),
      backup: req.backup ?? false, numberOfMountTargets: 0, tags: req.tags,
    };
    tx.put(keys.creationToken(scope, req.creationToken), { fileSystemId: id });
    tx.put(keys.fileSystem(scope, id), record);
    return record;
  });
}

/** DescribeFileSystems: one by id, the one a creation token made, or all, in creation order. */
export async function describeFileSystems(store: Store, scope: Scope, by: { fileSystemId?: string; creationToken?: string }): Promise<FileSystemRecord[]> {
  if (by.fileSystemId !== undefined && by.creationToken !== undefined) {
    throw EfsErrors.badRequest('FileSystemId and CreationToken cannot both be given.');
  }
  if (by.fileSystemId !== undefined) {
    const doc = await getDoc<FileSystemRecord>(store, keys.fileSystem(scope, by.fileSystemId));
    if (!doc) throw EfsErrors.fileSystemNotFound(by.fileSystemId);
    return [doc.value];
  }
  if (by.creationToken !== undefined) {
    const held = await getDoc<{ fileSystemId: string }>(store, keys.creationToken(scope, by.creationToken));
    const doc = held && (await getDoc<FileSystemRecord>(store, keys.fileSystem(scope, held.value.fileSystemId)));
    return doc ? [doc.value] : [];
  }
  const all = (await listDocs<FileSystemRecord>(store, keys.fileSystems(scope))).map((d) => d.value);
  return all.sort((a, b) => a.createdAt - b.createdAt || (a.fileSystemId < b.fileSystemId ? -1 : 1));
}

/** DeleteFileSystem: refused while it has mount targets; its access points and its creation token go with it. */
export async function deleteFileSystem(store: Store, scope: Scope, id: string): Promise<void> {
  await transact(store, async (tx) => {
    const record = await findFileSystem(tx, scope, id);
    if (record.numberOfMountTargets > 0) throw EfsErrors.fileSystemInUse(id);
    for (const ap of await tx.list<AccessPointRecord>(keys.accessPoints(scope))) {
      if (ap.fileSystemId !== id) continue;
      tx.delete(keys.accessPoint(scope, ap.accessPointId));
      tx.delete(keys.clientToken(scope, ap.clientToken));
    }
    tx.delete(keys.creationToken(scope, record.creationToken));
    tx.delete(keys.fileSystem(scope, id));
  });
}

/** A file system or access point, by its id or ARN: the one record tags are read from and written to. */
async function taggable(tx: Tx, scope: Scope, resourceId: string): Promise<{ key: string; record: FileSystemRecord | AccessPointRecord }> {
  const id = resourceId.slice(resourceId.lastIndexOf('/') + 1);
  const key = id.startsWith('fsap-') ? keys.accessPoint(scope, id) : keys.fileSystem(scope, id);
  const record = await tx.get<FileSystemRecord | AccessPointRecord>(key);
  if (!record) throw id.startsWith('fsap-') ? EfsErrors.accessPointNotFound(id) : EfsErrors.fileSystemNotFound(id);
  return { key, record };
}

/** The tags of a file system or access point (ListTagsForResource, DescribeTags). */
export async function tagsOf(store: Store, scope: Scope, resourceId: string): Promise<EfsTag[]> {
  return transact(store, async (tx) => (await taggable(tx, scope, resourceId)).record.tags);
}

/** TagResource / CreateTags: a key already there takes the new value. */
export async function tagResource(store: Store, scope: Scope, resourceId: string, tags: EfsTag[]): Promise<void> {
  await transact(store, async (tx) => {
    const { key, record } = await taggable(tx, scope, resourceId);
    const byKey = new Map(record.tags.map((t) => [t.key, t]));
    for (const t of tags) byKey.set(t.key, t);
    const merged = [...byKey.values()];
    checkTags(merged);
    tx.put(key, { ...record, tags: merged });
  });
}

/** UntagResource / DeleteTags: keys that are not there are ignored. */
export async function untagResource(store: Store, scope: Scope, resourceId: string, tagKeys: string[]): Promise<void> {
  await transact(store, async (tx) => {
    const { key, record } = await taggable(tx, scope, resourceId);
    tx.put(key, { ...record, tags: record.tags.filter((t) => !tagKeys.includes(t.key)) });
  });
}

/** PutFileSystemPolicy (a JSON policy with statements) and DeleteFileSystemPolicy (`undefined`). */
export async function setFileSystemPolicy(store: Store, scope: Scope, id: string, policy: string | undefined): Promise<FileSystemRecord> {
  if (policy !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      throw EfsErrors.invalidPolicy('The policy is not valid JSON.');
    }
    if (typeof parsed !== 'object' || parsed === null || !('Statement' in parsed)) throw EfsErrors.invalidPolicy('The policy has no Statement.');
  }
  return transact(store, async (tx) => {
    const record = await findFileSystem(tx, scope, id);
    const { policy: _old, ...rest } = record;
    const updated = policy === undefined ? rest : { ...rest, policy };
    tx.put(keys.fileSystem(scope, id), updated);
    return updated;
  });
}
