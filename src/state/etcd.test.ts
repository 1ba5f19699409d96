import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeContract } from './contract.testing.ts';
import { EtcdCluster } from './etcd-cluster.ts';
import { bytesPrefixEnd, EtcdStore, StoreUnavailableError } from './etcd.ts';

const root = mkdtempSync(join(tmpdir(), 'wharf-etcd-'));
const clusters = new Map<number, Promise<EtcdCluster>>();
const stores: EtcdStore[] = [];
let counter = 0;

/** A cluster of `members`, started on first use and stopped when the file is done. */
function cluster(members: number): Promise<EtcdCluster> {
  let started = clusters.get(members);
  if (!started) {
    started = EtcdCluster.start({ members, dir: join(root, `cluster-${members}`) });
    clusters.set(members, started);
  }
  return started;
}

/** A fresh store: its own root prefix in the shared cluster, so it starts empty. */
async function open(members: number): Promise<EtcdStore> {
  const store = new EtcdStore({ hosts: (await cluster(members)).hosts, root: `contract-${++counter}/` });
  stores.push(store);
  return store;
}

after(async () => {
  for (const store of stores) await store.close();
  for (const started of clusters.values()) await (await started).stop();
  rmSync(root, { recursive: true, force: true });
});

storeContract('EtcdStore (1 member)', () => open(1));
storeContract('EtcdStore (3 members)', () => open(3));

describe('EtcdStore', () => {
  it('computes etcd range ends for prefixes, byte-wise', () => {
    assert.deepEqual(bytesPrefixEnd(Buffer.from('a/')), Buffer.from('a0'));
    assert.deepEqual(bytesPrefixEnd(Buffer.from([0x61, 0xff])), Buffer.from('b'));
    assert.deepEqual(bytesPrefixEnd(Buffer.from([0xff, 0xff])), Buffer.from([0]));
  });

  it('keeps its keys under its root, beside other roots in the same etcd', async () => {
    const a = await open(1);
    const b = await open(1);
    await a.txn([], [{ type: 'put', key: 'k', value: 'a' }]);
    await b.txn([], [{ type: 'put', key: 'k', value: 'b' }]);
    assert.equal((await a.get('k'))?.value, 'a');
    assert.equal((await b.get('k'))?.value, 'b');
    await a.txn([], [{ type: 'deletePrefix', prefix: '' }]);
    assert.equal(await a.get('k'), undefined);
    assert.equal((await b.get('k'))?.value, 'b');
  });

  it('a watch reaches progress for a revision written outside its root, through the barrier', async () => {
    const a = await open(1);
    const b = await open(1);
    const seen: number[] = [];
    const stop = a.watch('x/', () => {}, { fromRevision: (await a.revision()) + 1, onProgress: (r) => seen.push(r) });
    const outside = await b.txn([], [{ type: 'put', key: 'elsewhere', value: '1' }]);
    // `a` learns of the revision (as a caller that read it would), and its watch gets there.
    assert.ok((await a.revision()) >= outside.revision);
    while (!seen.some((r) => r >= outside.revision)) await new Promise((resolve) => setTimeout(resolve, 5));
    stop();
  });

  it('refuses with StoreUnavailableError when no member answers', async () => {
    const store = new EtcdStore({ hosts: ['http://127.0.0.1:9'], root: 'nowhere/', callTimeoutMs: 500 });
    await assert.rejects(store.get('k'), StoreUnavailableError);
    await assert.rejects(store.txn([], [{ type: 'put', key: 'k', value: 'v' }]), StoreUnavailableError);
    await store.close();
  });
});
