/**
 * The instances controller with a fake hosts port on a real store: hosts started and the
 * instances running, a failing start retried with backoff, stop and terminate through the
 * port, running instances re-adopted by a controller that starts over, and no port at all.
 */
import { afterEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { systemClock } from '../../common/index.ts';
import {
  changeInstances, instanceKeys, runInstances, type InstanceHostSpec, type InstanceHostsPort, type InstanceRecord, type InstancesEnv,
} from '../../instances/index.ts';
import { ensureDefaultVpc } from '../../network/index.ts';
import { SqliteStore, getDoc } from '../../state/index.ts';
import { InstancesController } from './controller.ts';

const scope = { account: '123456789012', region: 'us-east-1' };
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** Hosts that record calls; `failStarts` starts fail before one succeeds. */
class FakeHosts implements InstanceHostsPort {
  calls: string[] = [];
  up = new Set<string>();
  specs: InstanceHostSpec[] = [];
  constructor(public failStarts = 0) {}
  async start(spec: InstanceHostSpec): Promise<void> {
    this.calls.push(`start ${spec.instanceId}`);
    if (this.failStarts > 0) {
      this.failStarts--;
      throw new Error('no room for the host');
    }
    this.specs.push(spec);
    this.up.add(spec.instanceId);
  }
  async stop(id: string, how: 'stop' | 'terminate'): Promise<void> {
    this.calls.push(`${how} ${id}`);
    this.up.delete(id);
  }
  running(): string[] {
    return [...this.up];
  }
}

async function world(): Promise<InstancesEnv> {
  const store = SqliteStore.open(':memory:');
  cleanup.push(() => store.close());
  await ensureDefaultVpc(store, scope, systemClock.now());
  return { store, clock: systemClock, ids: { hex32: () => randomUUID().replace(/-/g, ''), uuid: randomUUID } };
}

function controller(env: InstancesEnv, hosts?: InstanceHostsPort): InstancesController {
  const c = new InstancesController({ ...env, hosts, baseBackoffMs: 10, maxBackoffMs: 40, resyncMs: 60_000 });
  cleanup.push(() => c.close());
  return c;
}

async function launch(env: InstancesEnv, count = 1): Promise<string[]> {
  const r = await runInstances(env, scope, { imageId: 'ami-12345678', instanceType: 't3.small', minCount: count, maxCount: count }, async () => undefined);
  return r.instances.map((i) => i.instanceId);
}

const stateOf = async (env: InstancesEnv, id: string) => (await getDoc<InstanceRecord>(env.store, instanceKeys.instance(scope, id)))?.value.state;

/** Waits until `check` holds (the controller works on its own timers). */
async function eventually(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.fail(`never: ${what}`);
}

describe('InstancesController', () => {
  it('starts a host for a pending instance and records it running; stop and terminate go through the port', async () => {
    const env = await world();
    const hosts = new FakeHosts();
    await controller(env, hosts).start();
    const [id] = await launch(env);
    await eventually(async () => (await stateOf(env, id!)) === 'running', 'running');
    assert.equal(hosts.specs[0]?.cpu, 2048);
    assert.equal(hosts.specs[0]?.memoryMiB, 2048);
    await changeInstances(env, scope, [id!], 'stop');
    await eventually(async () => (await stateOf(env, id!)) === 'stopped', 'stopped');
    await changeInstances(env, scope, [id!], 'terminate');
    await eventually(async () => (await stateOf(env, id!)) === 'terminated', 'terminated');
    assert.deepEqual(hosts.calls, [`start ${id}`, `stop ${id}`, `terminate ${id}`]);
  });

  it('a start that fails is tried again with backoff, the instance pending until one succeeds', async () => {
    const env = await world();
    const hosts = new FakeHosts(3);
    await controller(env, hosts).start();
    const [id] = await launch(env);
    await eventually(async () => (await stateOf(env, id!)) === 'running', 'running after retries');
    assert.deepEqual(hosts.calls, Array(4).fill(`start ${id}`));
  });

  it('a controller that starts over re-adopts the running instances whose hosts are not up', async () => {
    const env = await world();
    const first = new FakeHosts();
    const c1 = controller(env, first);
    await c1.start();
    const ids = await launch(env, 2);
    await eventually(async () => (await Promise.all(ids.map((id) => stateOf(env, id)))).every((s) => s === 'running'), 'both running');
    await c1.close();
    // A new process: its hosts are not up until started again.
    const second = new FakeHosts();
    await controller(env, second).start();
    await eventually(() => second.up.size === 2, 're-adopted');
    assert.deepEqual(second.calls.sort(), ids.map((id) => `start ${id}`).sort());
  });

  it('a host whose instance is not recorded (a reset wiped it) is removed', async () => {
    const env = await world();
    const hosts = new FakeHosts();
    hosts.up.add('i-0123456789abcdef0');
    await controller(env, hosts).start();
    await eventually(() => hosts.up.size === 0, 'orphan removed');
    assert.deepEqual(hosts.calls, ['terminate i-0123456789abcdef0']);
  });

  it('without hosts, instances move through their states with none', async () => {
    const env = await world();
    await controller(env).start();
    const [id] = await launch(env);
    await eventually(async () => (await stateOf(env, id!)) === 'running', 'running');
    await changeInstances(env, scope, [id!], 'terminate');
    await eventually(async () => (await stateOf(env, id!)) === 'terminated', 'terminated');
  });
});
