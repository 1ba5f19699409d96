/**
 * The ContainerRuntime contract: one suite, run against Docker (`docker-runtime.test.ts`) and
 * the fake (`fake-runtime.test.ts`), so the fake the engine tests rely on behaves like Docker.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RuntimeError, type ContainerCreateOptions, type ContainerRuntime, type RuntimeEvent } from './runtime.ts';

/** The image every runtime under test has locally (built by scripts/build-test-images.sh). */
export const TEST_IMAGE = 'wharf-test/busybox:latest';

/** Runs the contract against the runtime `make` returns. */
export function runtimeContract(name: string, make: () => Promise<ContainerRuntime>): void {
  describe(`ContainerRuntime contract: ${name}`, () => {
    let rt: ContainerRuntime;
    const run = randomUUID();
    const labels = { 'wharf.test-run': run };
    const events: RuntimeEvent[] = [];
    let closeEvents = (): void => {};

    const opts = (suffix: string, extra: Partial<ContainerCreateOptions> = {}): ContainerCreateOptions => ({
      name: `wharf-contract-${run.slice(0, 8)}-${suffix}`,
      Image: TEST_IMAGE,
      Labels: { ...labels, 'wharf.case': suffix },
      Cmd: ['sleep', '1000'],
      HostConfig: { NetworkMode: 'bridge' },
      ...extra,
    });

    const waitFor = async <T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> => {
      const until = Date.now() + ms;
      for (;;) {
        const v = probe();
        if (v !== undefined) return v;
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };

    before(async () => {
      rt = await make();
      const sub = await rt.subscribe(labels, (e) => events.push(e));
      closeEvents = () => sub.close();
    });

    after(async () => {
      closeEvents();
      for (const c of await rt.listContainers(labels)) await rt.removeContainer(c.id);
      for (const v of await rt.listVolumes(labels)) await rt.removeVolume(v.name);
    });

    it('answers version()', async () => {
      const v = await rt.version();
      assert.match(v.version, /\d+\.\d+/);
      assert.match(v.apiVersion, /^1\.\d+$/);
    });

    it('knows which images are present and fails to pull unknown ones', async () => {
      assert.equal(await rt.imageExists(TEST_IMAGE), true);
      assert.equal(await rt.imageExists('wharf-test/busybox'), true, 'a reference without a tag means :latest');
      assert.equal(await rt.imageExists('wharf-test/no-such-image:1'), false);
      await assert.rejects(rt.pullImage('wharf-test/no-such-image:1'), (e: unknown) => e instanceof RuntimeError && e.kind === 'pull');
    });

    it('creates, lists by label, starts and inspects a container', async () => {
      const o = opts('lifecycle', { Env: ['A=1'] });
      const id = await rt.createContainer(o);
      const listed = await rt.listContainers({ ...labels, 'wharf.case': 'lifecycle' });
      assert.deepEqual(listed.map((c) => [c.id, c.name, c.state]), [[id, o.name, 'created']]);
      assert.deepEqual(await rt.listContainers({ ...labels, 'wharf.case': 'nothing' }), []);
      let info = await rt.inspectContainer(id);
      assert.equal(info?.startedAt, undefined, 'not started yet');
      await rt.startContainer(id);
      info = await rt.inspectContainer(id);
      assert.equal(info?.state, 'running');
      assert.equal(info?.name, o.name);
      assert.equal(info?.labels['wharf.case'], 'lifecycle');
      assert.equal(info?.exitCode, undefined);
      assert.ok(info?.startedAt && info.startedAt > Date.UTC(2000, 0, 1), 'startedAt is a real time');
      await rt.removeContainer(id);
      assert.equal(await rt.inspectContainer(id), undefined);
    });

    it('refuses a second container with the same name, and a missing image', async () => {
      const o = opts('dup');
      await rt.createContainer(o);
      await assert.rejects(rt.createContainer(o), (e: unknown) => e instanceof RuntimeError && e.kind === 'create');
      await assert.rejects(rt.createContainer({ ...opts('noimage'), Image: 'wharf-test/no-such-image:1' }),
        (e: unknown) => e instanceof RuntimeError && e.kind === 'create');
    });

    it('publishes a dynamic host port on the requested host IP', async () => {
      const id = await rt.createContainer(opts('ports', {
        Cmd: ['httpd', '-f', '-p', '80', '-h', '/www'],
        ExposedPorts: { '80/tcp': {} },
        HostConfig: { NetworkMode: 'bridge', PortBindings: { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] } },
      }));
      await rt.startContainer(id);
      const info = await rt.inspectContainer(id);
      assert.equal(info?.ports.length, 1);
      const [p] = info!.ports;
      assert.equal(p!.containerPort, 80);
      assert.equal(p!.protocol, 'tcp');
      assert.equal(p!.hostIp, '127.0.0.1');
      assert.ok(p!.hostPort > 0, 'a host port was chosen');
    });

    it('reports an exit with its code as an event and in inspect', async () => {
      const id = await rt.createContainer(opts('exit3', { Cmd: ['sh', '-c', 'exit 3'] }));
      await rt.startContainer(id);
      const e = await waitFor('exit event', () => events.find((x) => x.type === 'exit' && x.id === id));
      assert.deepEqual(e, { type: 'exit', id, exitCode: 3 });
      const info = await rt.inspectContainer(id);
      assert.equal(info?.state, 'exited');
      assert.equal(info?.exitCode, 3);
      // Docker may stamp a very short-lived container's FinishedAt a millisecond before its StartedAt.
      assert.ok(info?.startedAt && info.finishedAt, 'started and finished times are set');
    });

    it('stop sends TERM first and SIGKILLs after the timeout', async () => {
      const ignores = await rt.createContainer(opts('ignore-term', { Cmd: ['sh', '-c', 'trap "" TERM; sleep 1000'] }));
      // With an init process, TERM reaches the shell whether or not its trap is installed yet:
      // it exits 0 (trap) or 143 (killed by TERM), never 137, however slow the machine.
      const handles = await rt.createContainer(opts('handle-term', {
        Cmd: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1000 & wait $!; done'],
        HostConfig: { NetworkMode: 'bridge', Init: true },
      }));
      await rt.startContainer(ignores);
      await rt.startContainer(handles);
      const t0 = Date.now();
      await Promise.all([rt.stopContainer(ignores, 1), rt.stopContainer(handles, 1)]);
      assert.ok(Date.now() - t0 >= 900, 'the TERM-ignoring container got its full timeout');
      assert.equal((await rt.inspectContainer(ignores))?.exitCode, 137, 'SIGKILLed');
      const handled = (await rt.inspectContainer(handles))?.exitCode;
      assert.ok(handled === 0 || handled === 143, `received TERM, not SIGKILL (exit code ${handled})`);
      await rt.stopContainer(ignores, 1); // stopping a stopped container is fine
    });

    it('treats missing containers as already stopped and removed', async () => {
      const missing = 'f'.repeat(64);
      assert.equal(await rt.inspectContainer(missing), undefined);
      await rt.stopContainer(missing, 1);
      await rt.removeContainer(missing);
    });

    it('removes a running container', async () => {
      const id = await rt.createContainer(opts('rm-running'));
      await rt.startContainer(id);
      await rt.removeContainer(id);
      assert.equal(await rt.inspectContainer(id), undefined);
      assert.deepEqual(await rt.listContainers({ ...labels, 'wharf.case': 'rm-running' }), []);
    });

    it('reports health check results as events', async () => {
      const id = await rt.createContainer(opts('health', {
        Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 200_000_000, Timeout: 1_000_000_000, Retries: 3 },
      }));
      await rt.startContainer(id);
      const e = await waitFor('health event', () => events.find((x) => x.type === 'health' && x.id === id));
      assert.deepEqual(e, { type: 'health', id, health: 'healthy' });
      assert.equal((await rt.inspectContainer(id))?.health, 'healthy');
    });

    it('a failing health check turns unhealthy after its retries, and an exit keeps the last result', async () => {
      const id = await rt.createContainer(opts('unhealthy', {
        Healthcheck: { Test: ['CMD', 'false'], Interval: 200_000_000, Timeout: 1_000_000_000, Retries: 2 },
      }));
      await rt.startContainer(id);
      const e = await waitFor('unhealthy event', () => events.find((x) => x.type === 'health' && x.id === id));
      assert.deepEqual(e, { type: 'health', id, health: 'unhealthy' }, 'no healthy or starting event before it');
      assert.equal((await rt.inspectContainer(id))?.health, 'unhealthy');
      await rt.stopContainer(id, 0);
      const info = await rt.inspectContainer(id);
      assert.equal(info?.state, 'exited');
      assert.equal(info?.health, 'unhealthy');
    });

    it('a health check is starting until its first interval; containers without one have no health', async () => {
      const id = await rt.createContainer(opts('starting', {
        Healthcheck: { Test: ['CMD-SHELL', 'true'], Interval: 60_000_000_000, Timeout: 1_000_000_000, Retries: 3 },
      }));
      const plain = await rt.createContainer(opts('no-check'));
      await rt.startContainer(id);
      await rt.startContainer(plain);
      assert.equal((await rt.inspectContainer(id))?.health, 'starting');
      assert.equal((await rt.inspectContainer(plain))?.health, undefined);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(events.some((x) => x.type === 'health' && (x.id === id || x.id === plain)), false, 'no health event yet');
    });

    it('creates, inspects, lists by label and removes volumes; a second create returns the first', async () => {
      const name = `wharf-contract-${run.slice(0, 8)}-vol`;
      const created = await rt.createVolume({ Name: name, Driver: 'local', DriverOpts: { type: 'tmpfs', device: 'tmpfs' }, Labels: { ...labels, 'wharf.case': 'vol' } });
      assert.deepEqual(created, { name, driver: 'local', labels: { ...labels, 'wharf.case': 'vol' }, options: { type: 'tmpfs', device: 'tmpfs' } });
      assert.deepEqual(await rt.inspectVolume(name), created);
      assert.deepEqual((await rt.createVolume({ Name: name, Labels: { other: 'labels' } })).labels, created.labels, 'an existing volume is returned as it is');
      assert.deepEqual((await rt.listVolumes({ ...labels, 'wharf.case': 'vol' })).map((v) => v.name), [name]);
      assert.deepEqual(await rt.listVolumes({ ...labels, 'wharf.case': 'nothing' }), []);
      await rt.removeVolume(name);
      assert.equal(await rt.inspectVolume(name), undefined);
      await rt.removeVolume(name); // removing a missing volume is fine
      await assert.rejects(rt.createVolume({ Name: `${name}-plugin`, Driver: 'wharf-no-such-driver' }), (e: unknown) => e instanceof RuntimeError && e.kind === 'volume');
    });

    it('a volume a container mounts cannot be removed until the container is', async () => {
      const name = `wharf-contract-${run.slice(0, 8)}-used`;
      await rt.createVolume({ Name: name, Labels: labels });
      const id = await rt.createContainer(opts('uses-volume', { HostConfig: { NetworkMode: 'bridge', Binds: [`${name}:/data:ro`] } }));
      await assert.rejects(rt.removeVolume(name), (e: unknown) => e instanceof RuntimeError && e.kind === 'volume');
      await rt.removeContainer(id);
      await rt.removeVolume(name);
      assert.equal(await rt.inspectVolume(name), undefined);
    });

    it('a bind naming a missing volume creates it; volumesFrom must name a container', async () => {
      const name = `wharf-contract-${run.slice(0, 8)}-implicit`;
      const id = await rt.createContainer(opts('implicit-volume', { HostConfig: { NetworkMode: 'bridge', Binds: [`${name}:/data`] } }));
      assert.equal((await rt.inspectVolume(name))?.driver, 'local');
      await assert.rejects(rt.createContainer(opts('volumes-from-missing', { HostConfig: { NetworkMode: 'bridge', VolumesFrom: [`wharf-contract-${run}-none`] } })),
        (e: unknown) => e instanceof RuntimeError && e.kind === 'create');
      await rt.removeContainer(id);
      await rt.removeVolume(name);
    });
  });
}
