import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FileCheckpointStore, CHECKPOINT_FORMAT, CheckpointWriter, decodeCheckpoint, decodeTask, encodeTask, type AgentCheckpoint, type CheckpointStore } from './checkpoint.ts';
import { newTask, reduce } from './task-lifecycle.ts';
import { desiredTask } from './testing.ts';

const task = () => {
  let t = newTask(desiredTask('s1', [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }]));
  t = { ...t, known: 'PENDING', containers: t.containers.map((c) => (c.name === 'b' ? { ...c, known: 'PULLED', busy: 'create' } : c)) };
  return reduce(t, { type: 'created', container: 'a', runtimeId: 'c0ffee', dockerName: 'ecs-x' }, 1000);
};

describe('checkpoint', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'wharf-state-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('encodes tasks as stored records and decodes them back into models', () => {
    const model = task();
    const stored = encodeTask(model);
    assert.equal('busy' in stored.containers[1]!, false, 'in-flight actions are not stored');
    assert.equal('def' in stored.containers[0]!, false, 'definitions live once, in the desired spec');
    const back = decodeTask(JSON.parse(JSON.stringify(stored)));
    const a = back.containers.find((c) => c.name === 'a')!;
    assert.equal(a.known, 'CREATED');
    assert.equal(a.runtimeId, 'c0ffee');
    assert.equal(a.def.image, 'x');
    assert.equal(back.containers.find((c) => c.name === 'b')!.known, 'NONE', 'PULLED is checked again after a restart');
    assert.equal(back.containers[1]!.busy, undefined);
  });

  it('writes atomically and reads back; a missing file is no checkpoint', async () => {
    const store = new FileCheckpointStore(join(dir, 'sub', 'agent-state.json'));
    assert.equal(await store.load(), undefined);
    const record: AgentCheckpoint = { format: CHECKPOINT_FORMAT, agentId: 'a-1', tasks: [encodeTask(task())], forgotten: ['arn:old'] };
    await store.save(record);
    assert.deepEqual(await store.load(), record);
    assert.deepEqual(await readdir(join(dir, 'sub')), ['agent-state.json'], 'no temp files left behind');
  });

  it('refuses a file that is not a checkpoint, naming the file', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, JSON.stringify({ format: 'something-else', agentId: 'x', tasks: [] }));
    await assert.rejects(new FileCheckpointStore(path).load(), (e: Error) => e.message.includes(path) && /format/.test(e.message));
    assert.throws(() => decodeCheckpoint({ format: CHECKPOINT_FORMAT, agentId: 'x', tasks: [{ containers: [] }] }), /desired spec/);
    assert.throws(() => decodeCheckpoint(null), /not an object/);
  });

  it('coalesces saves: one write at a time, and the last one has everything', async () => {
    let inFlight = 0;
    let most = 0;
    const saved: number[] = [];
    let version = 0;
    const slow: CheckpointStore = {
      load: async () => undefined,
      save: async (r) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((res) => setTimeout(res, 20));
        saved.push(r.forgotten.length);
        inFlight--;
      },
    };
    const writer = new CheckpointWriter(slow, () => ({ format: CHECKPOINT_FORMAT, agentId: 'a', tasks: [], forgotten: Array.from({ length: version }, String) }));
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 10; i++) {
      version++;
      waits.push(writer.request());
    }
    await Promise.all(waits);
    assert.equal(most, 1);
    assert.ok(saved.length <= 2, `10 requests, ${saved.length} writes`);
    assert.equal(saved.at(-1), 10);
  });

  it('the file on disk is JSON a person can read', async () => {
    const store = FileCheckpointStore.inDataDir(dir);
    await store.save({ format: CHECKPOINT_FORMAT, agentId: 'readable', tasks: [], forgotten: [] });
    assert.equal(JSON.parse(await readFile(join(dir, 'agent-state.json'), 'utf8')).agentId, 'readable');
  });
});
