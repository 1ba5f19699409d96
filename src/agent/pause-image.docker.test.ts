/**
 * The pause image on the real Docker Engine: imported by ensurePauseImage, it runs with
 * NetworkMode none and stays up until it is stopped with a timeout of 0 (SIGKILL).
 * Skipped when Docker is not reachable. Removes its container, and the image only when this
 * test imported it.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import Docker from 'dockerode';
import { PAUSE_IMAGE, ensurePauseImage } from './pause-image.ts';

const docker = new Docker();

async function dockerUnreachable(): Promise<string | false> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      docker.ping(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error('no answer within 5 s')), 5000); }),
    ]);
    return false;
  } catch (err) {
    return `Docker is not reachable: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    clearTimeout(timer);
  }
}

async function imageExists(): Promise<boolean> {
  try {
    await docker.getImage(PAUSE_IMAGE).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('pause image (Docker)', { skip: await dockerUnreachable() }, () => {
  const name = `wharf-pause-test-${randomUUID().slice(0, 8)}`;
  let importedHere = false;

  before(async () => {
    importedHere = !(await imageExists());
  });

  after(async () => {
    await docker.getContainer(name).remove({ force: true }).catch((err: { statusCode?: number }) => {
      if (err.statusCode !== 404) throw err;
    });
    if (importedHere) await docker.getImage(PAUSE_IMAGE).remove().catch(() => undefined);
  });

  it('ensurePauseImage (twice at once) makes the image for the host architecture, with /pause as its command', { timeout: 60_000 }, async () => {
    await Promise.all([ensurePauseImage(docker), ensurePauseImage(docker)]);
    const image = await docker.getImage(PAUSE_IMAGE).inspect();
    assert.deepEqual(image.Config.Cmd, ['/pause']);
    assert.equal(image.Architecture, process.arch === 'x64' ? 'amd64' : 'arm64');
    assert.ok(image.Size < 4096, `a few hundred bytes, not ${image.Size}`);
    await ensurePauseImage(docker);
    assert.equal((await docker.getImage(PAUSE_IMAGE).inspect()).Id, image.Id, 'an existing image is kept');
  });

  it('a container from it runs with NetworkMode none, stays running until killed', { timeout: 60_000 }, async () => {
    await ensurePauseImage(docker);
    const container = await docker.createContainer({
      name,
      Image: PAUSE_IMAGE,
      Labels: { 'wharf.test': 'pause-image' },
      HostConfig: { NetworkMode: 'none' },
    });
    await container.start();
    await sleep(1000);
    const running = await container.inspect();
    assert.equal(running.State.Status, 'running', `state after a second: ${running.State.Status} (exit ${running.State.ExitCode})`);
    assert.equal(running.HostConfig.NetworkMode, 'none');
    assert.ok(running.State.Pid > 0, 'has a process whose namespace others can join');

    await container.stop({ t: 0 });
    const stopped = await container.inspect();
    assert.equal(stopped.State.Running, false);
    assert.equal(stopped.State.ExitCode, 137, 'killed by SIGKILL');
    await container.remove({ force: true });
  });
});
