import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { TaskEfsVolume } from '../common/index.ts';
import { EfsMountError, efsVolumePlan, prepareEfsVolume } from './efs-volumes.ts';

const FS = 'fs-0123456789abcdef0';
const AP = 'fsap-0123456789abcdef0';
const asRoot = process.getuid?.() === 0;
const withAccessPoint = (rootDirectory: string, creation = true): TaskEfsVolume => ({
  fileSystemId: FS, rootDirectory,
  accessPoint: {
    accessPointId: AP, rootDirectory, posixUser: { uid: 1000, gid: 1000 },
    ...(creation && { creationInfo: { ownerUid: 1000, ownerGid: 1001, permissions: '0750' } }),
  },
});

describe('efsVolumePlan', () => {
  it('maps a volume to <efsDir>/<fileSystemId>/<path>, normalised', () => {
    assert.deepEqual(efsVolumePlan('/efs', { fileSystemId: FS, rootDirectory: '/' }), {
      fileSystemDir: `/efs/${FS}`, hostPath: `/efs/${FS}`,
      missing: "b'mount.nfs4: mounting 127.0.0.1:/ failed, reason given by server: No such file or directory'",
    });
    assert.equal(efsVolumePlan('/efs', { fileSystemId: FS, rootDirectory: 'a//b/./c/' }).hostPath, `/efs/${FS}/a/b/c`);
  });

  it("takes the access point's CreationInfo as the owner and octal permissions of a missing root directory", () => {
    const plan = efsVolumePlan('/efs', withAccessPoint('/apps/one'));
    assert.equal(plan.hostPath, `/efs/${FS}/apps/one`);
    assert.deepEqual(plan.create, { uid: 1000, gid: 1001, mode: 0o750 });
    assert.equal(efsVolumePlan('/efs', withAccessPoint('/apps/one', false)).create, undefined);
    assert.match(efsVolumePlan('/efs', withAccessPoint('/x', false)).missing, /access denied by server/);
  });

  it('never leaves the file system, and takes only EFS file system ids', () => {
    assert.throws(() => efsVolumePlan('/efs', { fileSystemId: FS, rootDirectory: '/a/../../etc' }), /leaves the file system/);
    assert.throws(() => efsVolumePlan('/efs', { fileSystemId: FS, rootDirectory: '..' }), /leaves the file system/);
    for (const id of ['..', 'fs-../x', '', 'fs-XYZ', `${FS}/..`]) {
      assert.throws(() => efsVolumePlan('/efs', { fileSystemId: id, rootDirectory: '/' }), /is not an EFS file system id/, id);
    }
    const bad = withAccessPoint('/a');
    bad.accessPoint!.creationInfo!.permissions = '9z';
    assert.throws(() => efsVolumePlan('/efs', bad), /not octal/);
  });
});

describe('prepareEfsVolume', () => {
  const efsDir = mkdtempSync(join(tmpdir(), 'wharf-efs-'));
  after(() => rmSync(efsDir, { recursive: true, force: true }));
  const failsWith = (volume: TaskEfsVolume, reason: RegExp) => assert.rejects(prepareEfsVolume(efsDir, volume), (e: Error) => {
    assert.ok(e instanceof EfsMountError);
    assert.match(e.message, /^ResourceInitializationError: failed to invoke EFS utils commands to set up EFS volumes: stderr: /);
    assert.match(e.message, reason);
    return true;
  });

  it("creates the file system's directory on first use", async () => {
    assert.equal(await prepareEfsVolume(efsDir, { fileSystemId: FS, rootDirectory: '/' }), join(efsDir, FS));
    assert.ok(statSync(join(efsDir, FS)).isDirectory());
  });

  it("creates a missing access point root with CreationInfo's owner and permissions, and leaves an existing one as it is", { skip: !asRoot && 'chown needs root' }, async () => {
    const path = await prepareEfsVolume(efsDir, withAccessPoint('/apps/one'));
    const st = statSync(path);
    assert.deepEqual([st.uid, st.gid, st.mode & 0o7777], [1000, 1001, 0o750]);
    writeFileSync(join(path, 'kept'), 'yes');
    const other = withAccessPoint('/apps/one');
    other.accessPoint!.creationInfo = { ownerUid: 2000, ownerGid: 2000, permissions: '0777' };
    assert.equal(await prepareEfsVolume(efsDir, other), path);
    const again = statSync(path);
    assert.deepEqual([again.uid, again.gid, again.mode & 0o7777], [1000, 1001, 0o750], 'an existing root directory is left as it is');
    assert.equal(readFileSync(join(path, 'kept'), 'utf8'), 'yes');
  });

  it('refuses the mount of a missing directory it may not create', async () => {
    await failsWith(withAccessPoint('/nowhere', false), /access denied by server/);
    await failsWith({ fileSystemId: FS, rootDirectory: '/missing' }, /mounting 127\.0\.0\.1:\/missing failed, reason given by server: No such file or directory/);
    await failsWith({ fileSystemId: FS, rootDirectory: '/../x' }, /leaves the file system/);
  });

  it('follows no symbolic link out of the file system', async () => {
    mkdirSync(join(efsDir, FS), { recursive: true });
    symlinkSync(tmpdir(), join(efsDir, FS, 'escape'));
    await failsWith({ fileSystemId: FS, rootDirectory: '/escape' }, /leads out of the file system/);
    await failsWith(withAccessPoint('/escape/made'), /leads out of the file system/);
  });
});
