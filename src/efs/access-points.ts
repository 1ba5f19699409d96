/**
 * Access points: a root directory, the identity requests through it take, and how the directory
 * is made when missing. CreateAccessPoint (one per client token), DescribeAccessPoints,
 * DeleteAccessPoint.
 */
import { getDoc, listDocs, transact, type Store } from '../state/index.ts';
import { EfsErrors } from './errors.ts';
import { checkTags, findFileSystem, type EfsEnv } from './file-systems.ts';
import { accessPointArn, efsId, keys, type AccessPointRecord, type CreationInfo, type EfsTag, type PosixUser, type Scope } from './records.ts';

/** What CreateAccessPoint asks for. */
export interface CreateAccessPointRequest {
  clientToken: string;
  fileSystemId: string;
  rootDirectory?: string;
  creationInfo?: CreationInfo;
  posixUser?: PosixUser;
  tags: EfsTag[];
}

/** A root directory EFS accepts: absolute, without `.` or `..` parts or empty ones. */
function checkPath(path: string): void {
  if (!path.startsWith('/')) throw EfsErrors.badRequest(`RootDirectory.Path '${path}' must be an absolute path.`);
  const parts = path.split('/').slice(1);
  if (path !== '/' && parts.some((p) => p === '' || p === '.' || p === '..')) {
    throw EfsErrors.badRequest(`RootDirectory.Path '${path}' must not have empty, '.' or '..' components.`);
  }
}

/** CreateAccessPoint: on an available file system; `creating` in the answer, `available` from then on. */
export async function createAccessPoint(env: EfsEnv, scope: Scope, req: CreateAccessPointRequest): Promise<AccessPointRecord> {
  const rootDirectory = req.rootDirectory ?? '/';
  checkPath(rootDirectory);
  checkTags(req.tags);
  const now = env.clock.now();
  const id = efsId('fsap', env.ids.hex32());
  return transact(env.store, async (tx) => {
    const held = await tx.get<{ accessPointId: string }>(keys.clientToken(scope, req.clientToken));
    if (held) throw EfsErrors.accessPointAlreadyExists(req.clientToken, held.accessPointId);
    const fs = await findFileSystem(tx, scope, req.fileSystemId);
    if (fs.lifeCycleState !== 'available') throw EfsErrors.incorrectLifeCycleState(fs.fileSystemId, fs.lifeCycleState);
    const record: AccessPointRecord = {
      accessPointId: id, arn: accessPointArn(scope, id), fileSystemId: fs.fileSystemId, ownerId: scope.account, clientToken: req.clientToken,
      lifeCycleState: 'available', rootDirectory,
      ...(req.creationInfo ? { creationInfo: req.creationInfo } : {}),
      ...(req.posixUser ? { posixUser: req.posixUser } : {}),
      tags: req.tags, createdAt: now,
    };
    tx.put(keys.clientToken(scope, req.clientToken), { accessPointId: id });
    tx.put(keys.accessPoint(scope, id), record);
    return record;
  });
}

/** DescribeAccessPoints: one by id, a file system's, or all the account's in the region, in creation order. */
export async function describeAccessPoints(store: Store, scope: Scope, by: { accessPointId?: string; fileSystemId?: string }): Promise<AccessPointRecord[]> {
  if (by.accessPointId !== undefined && by.fileSystemId !== undefined) {
    throw EfsErrors.badRequest('AccessPointId and FileSystemId cannot both be given.');
  }
  if (by.accessPointId !== undefined) {
    const doc = await getDoc<AccessPointRecord>(store, keys.accessPoint(scope, by.accessPointId));
    if (!doc) throw EfsErrors.accessPointNotFound(by.accessPointId);
    return [doc.value];
  }
  if (by.fileSystemId !== undefined && !(await getDoc(store, keys.fileSystem(scope, by.fileSystemId)))) {
    throw EfsErrors.fileSystemNotFound(by.fileSystemId);
  }
  const all = (await listDocs<AccessPointRecord>(store, keys.accessPoints(scope))).map((d) => d.value)
    .filter((ap) => by.fileSystemId === undefined || ap.fileSystemId === by.fileSystemId);
  return all.sort((a, b) => a.createdAt - b.createdAt || (a.accessPointId < b.accessPointId ? -1 : 1));
}

/** DeleteAccessPoint: its client token may be used again. */
export async function deleteAccessPoint(store: Store, scope: Scope, id: string): Promise<void> {
  await transact(store, async (tx) => {
    const record = await tx.get<AccessPointRecord>(keys.accessPoint(scope, id));
    if (!record) throw EfsErrors.accessPointNotFound(id);
    tx.delete(keys.accessPoint(scope, id));
    tx.delete(keys.clientToken(scope, record.clientToken));
  });
}
