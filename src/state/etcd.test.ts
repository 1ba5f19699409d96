import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { storeContract } from './contract.testing.ts';
import { EtcdCluster } from './etcd-cluster.ts';
import { EtcdElection, LocalElection } from './election.ts';
import { NotLeaderError, StoreUnavailableError } from './errors.ts';
import { bytesPrefixEnd, EtcdStore } from './etcd.ts';

const here = dirname(fileURLToPath(import.meta.url));
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

describe('EtcdElection', () => {
  const hosts = async () => (await cluster(3)).hosts;

  it('one candidate leads; when it resigns, the next one takes over', async () => {
    const rootPrefix = `election-${++counter}/`;
    const a = new EtcdElection(new EtcdStore({ hosts: await hosts(), root: rootPrefix }), { name: 'controllers', candidate: 'a', ttlSeconds: 2, pollMs: 50 });
    const b = new EtcdElection(new EtcdStore({ hosts: await hosts(), root: rootPrefix }), { name: 'controllers', candidate: 'b', ttlSeconds: 2, pollMs: 50 });
    const termA = await a.campaign();
    assert.equal(termA.leader, 'a');
    let bLeads = false;
    const campaignB = b.campaign().then((term) => ((bLeads = true), term));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(bLeads, false, 'a second candidate waits while the first leads');
    assert.equal(await b.leader(), 'a');
    await termA.store.txn([], [{ type: 'put', key: 'written-by', value: 'a' }]);
    await a.close();
    await termA.ended;
    const termB = await campaignB;
    assert.equal(await b.leader(), 'b');
    // a's term is over: its store refuses, b's writes.
    await assert.rejects(termA.store.txn([], [{ type: 'put', key: 'written-by', value: 'a again' }]), NotLeaderError);
    await termB.store.txn([], [{ type: 'put', key: 'written-by', value: 'b' }]);
    await b.close();
  });

  it('a leader killed with SIGKILL is replaced once its lease expires, and its term\'s writes are fenced', async () => {
    const rootPrefix = `election-${++counter}/`;
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'election-child.testing.ts'), (await hosts()).join(','), rootPrefix, 'doomed', '1'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
      assert.equal(line, 'leading doomed');
      const store = new EtcdStore({ hosts: await hosts(), root: rootPrefix });
      const survivor = new EtcdElection(store, { name: 'controllers', candidate: 'survivor', ttlSeconds: 1, pollMs: 50 });
      assert.equal(await survivor.leader(), 'doomed');
      const doomedRevision = (await store.etcd.get(`${rootPrefix}leader/controllers`).exec()).kvs[0].create_revision;
      child.kill('SIGKILL');
      await exited;
      const term = await survivor.campaign();
      assert.equal(term.leader, 'survivor');
      // A write still in flight from the dead leader's term is refused by the fence.
      const stale = store.fenced(`${rootPrefix}leader/controllers`, Number(doomedRevision));
      await assert.rejects(stale.txn([], [{ type: 'put', key: 'written-by', value: 'doomed, late' }]), NotLeaderError);
      assert.equal((await store.get('written-by'))?.value, 'doomed');
      await term.store.txn([], [{ type: 'put', key: 'written-by', value: 'survivor' }]);
      await survivor.close();
      await store.close();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('a fenced store lets ordinary conflicts through as failed transactions', async () => {
    const store = await open(1);
    const leaderKey = `${store.rootPrefix}leader/test`;
    const created = await store.etcd.put(leaderKey).value('me').exec();
    const fenced = store.fenced(leaderKey, Number(created.header.revision));
    const first = await fenced.txn([{ key: 'k', modRevision: 0 }], [{ type: 'put', key: 'k', value: '1' }]);
    assert.equal(first.succeeded, true);
    const conflict = await fenced.txn([{ key: 'k', modRevision: 0 }], [{ type: 'put', key: 'k', value: '2' }]);
    assert.equal(conflict.succeeded, false);
    await store.etcd.delete().key(leaderKey).exec();
    await assert.rejects(fenced.txn([], [{ type: 'put', key: 'k', value: '3' }]), NotLeaderError);
    assert.equal((await store.get('k'))?.value, '1');
  });
});

describe('LocalElection', () => {
  it('leads at once and ends its term on close', async () => {
    const store = await open(1);
    const election = new LocalElection(store, 'dev');
    const term = await election.campaign();
    assert.equal(term.store, store);
    assert.equal(await election.leader(), 'dev');
    await election.close();
    await term.ended;
    assert.equal(await election.leader(), undefined);
  });
});
