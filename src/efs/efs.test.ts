/**
 * The EFS domain on both stores (SQLite and etcd): creation tokens, mount targets holding an interface and an
 * address of their subnet (one per zone, one VPC), deletion order, and what a task's EFS volume
 * resolves to (or why it cannot).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { ManualClock, randomIds } from '../common/index.ts';
import { defaultNetwork, keys as networkKeys, type NetworkInterfaceRecord } from '../network/index.ts';
import { getDoc } from '../state/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import {
  EfsVolumeProblem, createAccessPoint, createFileSystem, createMountTarget, deleteFileSystem, deleteMountTarget, describeAccessPoints,
  resolveEfsVolume, type EfsEnv,
} from './index.ts';

const scope = { account: '123456789012', region: 'eu-west-1' };
const code = (expected: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  return true;
};
const [subnetA, subnetB] = defaultNetwork(scope, 0).subnets;
const backends = storeBackends('efs');

for (const [backend, open] of Object.entries(backends)) describe(`EFS domain on ${backend}`, () => {
  const fresh = async (): Promise<EfsEnv> => ({ store: await open(), clock: new ManualClock(Date.UTC(2026, 11, 3)), ids: randomIds });

  it('a creation token makes one file system; reusing it names the one it made', async () => {
    const env = await fresh();
    const fs = await createFileSystem(env, scope, { creationToken: 't', tags: [] });
    assert.match(fs.fileSystemId, /^fs-[0-9a-f]{17}$/);
    assert.equal(fs.arn, `arn:aws:elasticfilesystem:eu-west-1:123456789012:file-system/${fs.fileSystemId}`);
    await assert.rejects(createFileSystem(env, scope, { creationToken: 't', tags: [] }), (e: AwsError) => code('FileSystemAlreadyExists')(e) && e.details?.FileSystemId === fs.fileSystemId);
    await assert.rejects(createFileSystem(env, scope, { creationToken: 'u', tags: [], kmsKeyId: 'k' }), code('BadRequest'));
  });

  it('a mount target holds an interface and an address of its subnet; one per zone; the file system cannot go before it', async () => {
    const env = await fresh();
    const fs = await createFileSystem(env, scope, { creationToken: 't', tags: [] });
    const mt = await createMountTarget(env, scope, { fileSystemId: fs.fileSystemId, subnetId: subnetA!.subnetId });
    assert.equal(mt.ipAddress, '172.31.0.4', 'the lowest address AWS gives out');
    const eni = (await getDoc<NetworkInterfaceRecord>(env.store, networkKeys.networkInterface(scope, mt.networkInterfaceId)))?.value;
    assert.equal(eni?.privateIpAddress, '172.31.0.4');
    assert.ok(eni?.requesterManaged && eni.description.includes(mt.mountTargetId));
    await assert.rejects(createMountTarget(env, scope, { fileSystemId: fs.fileSystemId, subnetId: subnetA!.subnetId }), code('MountTargetConflict'));
    const other = await createFileSystem(env, scope, { creationToken: 'o', tags: [] });
    await assert.rejects(createMountTarget(env, scope, { fileSystemId: other.fileSystemId, subnetId: subnetA!.subnetId, ipAddress: '172.31.0.4' }), code('IpAddressInUse'));
    await assert.rejects(createMountTarget(env, scope, { fileSystemId: other.fileSystemId, subnetId: subnetB!.subnetId, ipAddress: '172.31.0.4' }), code('BadRequest'));
    await assert.rejects(createMountTarget(env, scope, { fileSystemId: other.fileSystemId, subnetId: 'subnet-00000000000000000' }), code('SubnetNotFound'));
    await assert.rejects(createMountTarget(env, scope, { fileSystemId: other.fileSystemId, subnetId: subnetB!.subnetId, securityGroups: ['sg-00000000000000000'] }), code('SecurityGroupNotFound'));

    await assert.rejects(deleteFileSystem(env.store, scope, fs.fileSystemId), code('FileSystemInUse'));
    await deleteMountTarget(env.store, scope, mt.mountTargetId);
    assert.equal(await getDoc(env.store, networkKeys.networkInterface(scope, mt.networkInterfaceId)), undefined, 'the interface goes with it');
    await createAccessPoint(env, scope, { clientToken: 'c', fileSystemId: fs.fileSystemId, tags: [] });
    await deleteFileSystem(env.store, scope, fs.fileSystemId);
    assert.deepEqual(await describeAccessPoints(env.store, scope, {}), [], 'its access points go with it');
  });

  it('resolveEfsVolume: the access point\'s root, identity and creation info; typed problems otherwise', async () => {
    const env = await fresh();
    const fs = await createFileSystem(env, scope, { creationToken: 't', tags: [] });
    const other = await createFileSystem(env, scope, { creationToken: 'o', tags: [] });
    const ap = await createAccessPoint(env, scope, {
      clientToken: 'c', fileSystemId: fs.fileSystemId, rootDirectory: '/data', tags: [],
      posixUser: { uid: 1000, gid: 1000, secondaryGids: [27] }, creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: '0750' },
    });
    assert.deepEqual(await resolveEfsVolume(env.store, scope, fs.fileSystemId), { fileSystemId: fs.fileSystemId });
    assert.deepEqual(await resolveEfsVolume(env.store, scope, fs.fileSystemId, ap.accessPointId), {
      fileSystemId: fs.fileSystemId,
      accessPoint: {
        accessPointId: ap.accessPointId, rootDirectory: '/data', posixUser: { uid: 1000, gid: 1000, secondaryGids: [27] },
        creationInfo: { ownerUid: 1000, ownerGid: 1000, permissions: '0750' },
      },
    });
    const reason = (r: string) => (e: unknown) => e instanceof EfsVolumeProblem && e.reason === r;
    await assert.rejects(resolveEfsVolume(env.store, scope, 'fs-00000000000000000'), reason('file-system-not-found'));
    await assert.rejects(resolveEfsVolume(env.store, scope, fs.fileSystemId, 'fsap-00000000000000000'), reason('access-point-not-found'));
    await assert.rejects(resolveEfsVolume(env.store, scope, other.fileSystemId, ap.accessPointId), reason('access-point-mismatch'));
    await assert.rejects(resolveEfsVolume(env.store, { ...scope, region: 'us-east-1' }, fs.fileSystemId), reason('file-system-not-found'));
  });
});
