/**
 * Moving a Wharf between stores with the `wharf` command: state made through the SDK on a
 * SQLite `wharf server` is backed up, restored into etcd, and served from there by
 * `wharf server --store etcd://...` (the same clusters, the same IAM users and keys). A restore
 * into a store that holds anything, or of a damaged backup, is refused and writes nothing; an
 * etcd backup can come with etcd's own snapshot.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateClusterCommand, DescribeClustersCommand, ECSClient } from '@aws-sdk/client-ecs';
import { AttachUserPolicyCommand, CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { EtcdCluster, freePort } from '../src/state/index.ts';
import { credentials, ecsClient, rootKeyEnv, spawnWharf, tempDir } from './support/wharf.ts';

const root = new URL('..', import.meta.url).pathname;
let etcd: EtcdCluster;
const dir = tempDir();

/** Runs `wharf <args>` to completion. */
function wharf(...args: string[]): { code: number; output: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/wharf.js'), ...args], { cwd: root, env: { ...process.env, ...rootKeyEnv }, encoding: 'utf8' });
  return { code: r.status ?? -1, output: `${r.stdout}${r.stderr}` };
}

async function server(...flags: string[]) {
  return spawnWharf(['server', '--port', String(await freePort()), ...flags], /Wharf server ready at http:\/\//);
}

before(async () => {
  etcd = await EtcdCluster.start({ members: 1, dir: tempDir('wharf-etcd-') });
});
after(async () => {
  await etcd?.stop();
});

describe('wharf backup and wharf restore', () => {
  let userKey: { accessKeyId: string; secretAccessKey: string };
  const backupFile = join(dir, 'backup.jsonl');

  it('back up a SQLite Wharf (stopped) and restore it into etcd, where a server serves the same state', { timeout: 120_000 }, async () => {
    const sqliteDir = join(dir, 'sqlite');
    const first = await server('--data-dir', sqliteDir);
    await ecsClient(first.url).send(new CreateClusterCommand({ clusterName: 'moved' }));
    const iam = new IAMClient({ endpoint: first.url, region: 'us-east-1', credentials });
    await iam.send(new CreateUserCommand({ UserName: 'mover' }));
    await iam.send(new AttachUserPolicyCommand({ UserName: 'mover', PolicyArn: 'arn:aws:iam::aws:policy/AmazonECS_FullAccess' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'mover' }));
    userKey = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };

    const locked = wharf('backup', '--data-dir', sqliteDir, '--out', backupFile);
    assert.notEqual(locked.code, 0);
    assert.match(locked.output, /in use by a running wharf: stop it first/);
    await first.stop();

    const made = wharf('backup', '--data-dir', sqliteDir, '--out', backupFile);
    assert.equal(made.code, 0, made.output);
    assert.match(made.output, /backed up \d+ keys at revision \d+/);
    assert.equal(statSync(backupFile).mode & 0o777, 0o600, 'a backup holds secrets: its owner alone reads it');

    const restored = wharf('restore', backupFile, '--store', `${etcd.storeUrl}/moved`);
    assert.equal(restored.code, 0, restored.output);
    assert.match(restored.output, /restored \d+ keys/);
    const onEtcd = await server('--data-dir', join(dir, 'etcd-replica'), '--store', `${etcd.storeUrl}/moved`);
    try {
      const { clusters } = await ecsClient(onEtcd.url).send(new DescribeClustersCommand({ clusters: ['moved'] }));
      assert.equal(clusters?.[0]?.status, 'ACTIVE');
      const asUser = new ECSClient({ endpoint: onEtcd.url, region: 'us-east-1', credentials: userKey });
      const seen = await asUser.send(new DescribeClustersCommand({ clusters: ['moved'] }));
      assert.equal(seen.clusters?.[0]?.clusterName, 'moved', 'the IAM user and its key came along');
    } finally {
      await onEtcd.stop();
    }
  });

  it('refuse a store that holds anything, and a damaged backup, writing nothing', () => {
    const again = wharf('restore', backupFile, '--store', `${etcd.storeUrl}/moved`);
    assert.notEqual(again.code, 0);
    assert.match(again.output, /not empty/);
    const cut = join(dir, 'cut.jsonl');
    writeFileSync(cut, readFileSync(backupFile, 'utf8').split('\n').slice(0, 5).join('\n'));
    const damaged = wharf('restore', cut, '--store', `${etcd.storeUrl}/fresh`);
    assert.notEqual(damaged.code, 0);
    assert.match(damaged.output, /cut short.*Nothing was restored/);
    const backupOfFresh = wharf('backup', '--store', `${etcd.storeUrl}/fresh`, '--out', join(dir, 'fresh.jsonl'));
    assert.match(backupOfFresh.output, /backed up 0 keys/);
  });

  it('back up etcd while it serves, with etcd\'s own snapshot beside it', () => {
    const snapshot = join(dir, 'etcd.snapshot');
    const made = wharf('backup', '--store', `${etcd.storeUrl}/moved`, '--out', join(dir, 'etcd.jsonl'), '--etcd-snapshot', snapshot);
    assert.equal(made.code, 0, made.output);
    assert.match(made.output, /etcd snapshot of \d+ bytes/);
    assert.ok(statSync(snapshot).size > 0);
    assert.equal(statSync(snapshot).mode & 0o777, 0o600);
  });
});
