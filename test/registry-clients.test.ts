/**
 * The registry driven by the real clients: docker (login, push, rmi, pull, a locally built
 * multi-layer image, an unauthenticated push refused) and skopeo (an OCI image and an OCI
 * image index, pushed and copied back). Plain HTTP on 127.0.0.1, which docker treats as an
 * insecure registry without configuration. Every image and temp dir made here is removed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getDoc, listDocs } from '../src/state/index.ts';
import { MediaTypes, registryKeys, type ImageRecord, type TagRecord } from '../src/registry/index.ts';
import { startTestRegistry, type TestRegistry } from '../src/registry/testing.ts';

const BASE_IMAGE = 'wharf-test/busybox:latest';

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop (the registry answers from this process). */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; input?: string; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, cwd: options.cwd });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.stdin.on('error', () => {}); // a command that does not read its input may close it first
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

async function ok(command: string, args: string[], options: Parameters<typeof run>[2] = {}): Promise<string> {
  const result = await run(command, args, options);
  assert.equal(result.code, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

let reg: TestRegistry;
const temp = mkdtempSync(join(tmpdir(), 'wharf-registry-clients-'));
const dockerConfig = join(temp, 'docker-config');
const loggedIn = { DOCKER_CONFIG: dockerConfig };
const anonymous = { DOCKER_CONFIG: join(temp, 'anonymous-config') };
const built = `wharf-registry-test/multi:${randomBytes(4).toString('hex')}`;
const created: string[] = [];
const docker = (args: string[], env: NodeJS.ProcessEnv = loggedIn, input?: string) => ok('docker', args, { env, input });
const tag = async (source: string, target: string) => {
  await docker(['tag', source, target]);
  created.push(target);
};
const image = async (repository: string, digest: string) => (await getDoc<ImageRecord>(reg.store, registryKeys.image(reg.scope, repository, digest)))?.value;
const tagRecord = async (repository: string, name: string) => (await getDoc<TagRecord>(reg.store, registryKeys.tag(reg.scope, repository, name)))?.value;
const requestsSince = (mark: number) => reg.requests.slice(mark);

describe('registry with docker and skopeo', { timeout: 300_000 }, () => {
  before(async () => {
    reg = await startTestRegistry();
    for (const name of ['my-app', 'team/multi', 'oci-app', 'idx/multi-arch']) await reg.createRepository(name);
    const context = join(temp, 'build');
    rmSync(context, { recursive: true, force: true });
    await ok('mkdir', ['-p', context]);
    writeFileSync(join(context, 'hello.txt'), 'hello from a COPY layer\n');
    writeFileSync(join(context, 'Dockerfile'), [
      `FROM ${BASE_IMAGE}`,
      'RUN echo from a RUN layer > /one.txt',
      'COPY hello.txt /hello.txt',
      'RUN cat /hello.txt /one.txt > /both.txt',
      '',
    ].join('\n'));
    // No cache: every built layer is this build's own, never one another image still holds (the pull below must fetch all three).
    await ok('docker', ['build', '--no-cache', '-q', '-t', built, context], { env: { DOCKER_BUILDKIT: '0' } });
    created.push(built);
  });

  after(async () => {
    for (const ref of created.reverse()) await run('docker', ['rmi', ref]);
    await reg?.close();
    rmSync(temp, { recursive: true, force: true });
  });

  it('docker login, push, rmi, pull; a re-push reuses the layers', async () => {
    const login = await docker(['login', reg.host, '--username', 'AWS', '--password-stdin'], loggedIn, reg.password);
    assert.match(login, /Login Succeeded/);
    const target = `${reg.host}/my-app:latest`;
    await tag(BASE_IMAGE, target);
    const push = await docker(['push', target]);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push)?.[1];
    assert.ok(digest, push);
    assert.equal((await tagRecord('my-app', 'latest'))?.digest, digest);
    const record = await image('my-app', digest);
    assert.equal(record?.mediaType, MediaTypes.dockerManifest);
    assert.deepEqual(record?.tags, ['latest']);
    assert.equal(record?.blobs.length, 2);

    const mark = reg.requests.length;
    const again = await docker(['push', target]);
    assert.match(again, /Layer already exists/);
    assert.ok(!requestsSince(mark).some((r) => r.method === 'POST' || r.method === 'PATCH'), 'no blob was uploaded again');

    await docker(['rmi', target]);
    created.pop();
    const pullMark = reg.requests.length;
    const pull = await docker(['pull', target]);
    created.push(target);
    assert.match(pull, new RegExp(`Digest: ${digest}`));
    // docker already holds this image's content, so it only checks the tag's digest
    assert.ok(requestsSince(pullMark).some((r) => r.method === 'HEAD' && r.path === '/v2/my-app/manifests/latest' && r.status === 200));
  });

  it('an unauthenticated push is refused with 401 and stores nothing', async () => {
    const target = `${reg.host}/my-app:anonymous`;
    await tag(BASE_IMAGE, target);
    const mark = reg.requests.length;
    const push = await run('docker', ['push', target], { env: anonymous });
    assert.notEqual(push.code, 0);
    assert.match(push.stderr + push.stdout, /no basic auth credentials|unauthorized|authentication required/i);
    const seen = requestsSince(mark);
    assert.ok(seen.length > 0 && seen.every((r) => r.status === 401), JSON.stringify(seen));
    assert.equal(await tagRecord('my-app', 'anonymous'), undefined);
  });

  it('a multi-layer image built locally: push, re-push reuses layers, rmi, pull, run', async () => {
    const v1 = `${reg.host}/team/multi:v1`;
    await tag(built, v1);
    const push = await docker(['push', v1]);
    const digest = /digest: (sha256:[a-f0-9]{64})/.exec(push)![1];
    const record = await image('team/multi', digest);
    assert.equal(record?.blobs.length, 5, 'a config and four layers');
    assert.ok((record?.sizeInBytes ?? 0) > 1_000_000);

    const v2 = `${reg.host}/team/multi:v2`;
    await tag(built, v2);
    const mark = reg.requests.length;
    const again = await docker(['push', v2]);
    assert.equal(again.match(/Layer already exists/g)?.length, 4, again);
    assert.ok(!requestsSince(mark).some((r) => r.method === 'PATCH'));
    assert.deepEqual((await image('team/multi', digest))?.tags, ['v2', 'v1']);

    for (const ref of [v1, v2, built]) await docker(['rmi', ref]);
    created.splice(created.indexOf(v1), 1);
    created.splice(created.indexOf(v2), 1);
    created.splice(created.indexOf(built), 1);
    assert.notEqual((await run('docker', ['image', 'inspect', v1])).code, 0);

    const pullMark = reg.requests.length;
    assert.equal((await image('team/multi', digest))?.lastRecordedPullTime, undefined);
    const pulled = await docker(['pull', v1]);
    created.push(v1);
    assert.ok((await image('team/multi', digest))?.lastRecordedPullTime, 'the pull was recorded');
    // Every layer docker says it pulled (the three built ones; the base it has) was a blob served by
    // Wharf. The registry logs a response when its connection closes, which can come a moment after
    // docker has the bytes, so the log is given that moment.
    const layers = [...pulled.matchAll(/^(\w{12}): Pull complete$/gm)].map((m) => m[1]!);
    assert.equal(layers.length, 3, pulled);
    const served = () => requestsSince(pullMark).filter((r) => r.method === 'GET' && r.path.includes('/blobs/') && r.status === 200).map((r) => r.path);
    for (let i = 0; i < 50 && !layers.every((l) => served().some((p) => p.includes(`sha256:${l}`))); i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(layers.filter((l) => !served().some((p) => p.includes(`sha256:${l}`))), [], `every pulled layer served by Wharf:\n${pulled}\n${JSON.stringify(requestsSince(pullMark))}`);
    const out = await docker(['run', '--rm', v1, 'cat', '/both.txt']);
    assert.equal(out, 'hello from a COPY layer\nfrom a RUN layer\n');
    await tag(v1, built); // for the index test below
  });

  it('skopeo: an OCI image pushed, inspected and copied back', async () => {
    const creds = `AWS:${reg.password}`;
    await ok('skopeo', ['copy', '--format', 'oci', '--dest-tls-verify=false', '--dest-creds', creds, `docker-daemon:${BASE_IMAGE}`, `docker://${reg.host}/oci-app:v1`]);
    const head = await fetch(`${reg.url}/v2/oci-app/manifests/v1`, { method: 'HEAD', headers: { authorization: reg.basic, accept: MediaTypes.ociManifest } });
    assert.equal(head.headers.get('content-type'), MediaTypes.ociManifest);
    const digest = head.headers.get('docker-content-digest')!;
    const inspect = JSON.parse(await ok('skopeo', ['inspect', '--tls-verify=false', '--creds', creds, `docker://${reg.host}/oci-app:v1`])) as { Digest: string; Layers: string[] };
    assert.equal(inspect.Digest, digest);

    const layout = join(temp, 'oci-copy');
    await ok('skopeo', ['copy', '--src-tls-verify=false', '--src-creds', creds, `docker://${reg.host}/oci-app:v1`, `oci:${layout}:v1`]);
    const index = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(index.manifests[0].digest, digest);
    for (const layer of inspect.Layers) {
      const bytes = readFileSync(join(layout, 'blobs', 'sha256', layer.slice(7)));
      assert.equal(`sha256:${createHash('sha256').update(bytes).digest('hex')}`, layer, 'layer bytes round-trip');
    }
  });

  it('skopeo: an OCI image index (two platforms) pushed with --all, pulled by docker and copied back', async () => {
    const creds = `AWS:${reg.password}`;
    const layout = join(temp, 'index-layout');
    await ok('skopeo', ['copy', `docker-daemon:${BASE_IMAGE}`, `oci:${layout}:amd64`]);
    await ok('skopeo', ['copy', `docker-daemon:${built}`, `oci:${layout}:arm64`]);
    const indexPath = join(layout, 'index.json');
    const layoutIndex = JSON.parse(readFileSync(indexPath, 'utf8')) as { manifests: { mediaType: string; digest: string; size: number; annotations: Record<string, string> }[] };
    const byName = new Map(layoutIndex.manifests.map((m) => [m.annotations['org.opencontainers.image.ref.name'], m]));
    const child = (name: string, architecture: string) => {
      const m = byName.get(name)!;
      return { mediaType: m.mediaType, digest: m.digest, size: m.size, platform: { architecture, os: 'linux' } };
    };
    const imageIndex = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [child('amd64', 'amd64'), child('arm64', 'arm64')] }));
    const indexDigest = `sha256:${createHash('sha256').update(imageIndex).digest('hex')}`;
    writeFileSync(join(layout, 'blobs', 'sha256', indexDigest.slice(7)), imageIndex);
    layoutIndex.manifests.push({ mediaType: MediaTypes.ociIndex, digest: indexDigest, size: imageIndex.length, annotations: { 'org.opencontainers.image.ref.name': 'multi' } });
    writeFileSync(indexPath, JSON.stringify(layoutIndex));

    await ok('skopeo', ['copy', '--all', '--dest-tls-verify=false', '--dest-creds', creds, `oci:${layout}:multi`, `docker://${reg.host}/idx/multi-arch:latest`]);
    const record = await image('idx/multi-arch', indexDigest);
    assert.equal(record?.mediaType, MediaTypes.ociIndex);
    assert.deepEqual(record?.children, [byName.get('amd64')!.digest, byName.get('arm64')!.digest]);
    const children = (await listDocs<ImageRecord>(reg.store, registryKeys.images(reg.scope, 'idx/multi-arch'))).map((d) => d.value);
    assert.equal(children.length, 3);
    assert.equal(record?.sizeInBytes, Math.max(...children.filter((c) => c.digest !== indexDigest).map((c) => c.sizeInBytes)));

    const target = `${reg.host}/idx/multi-arch:latest`;
    await docker(['pull', target]);
    created.push(target);
    const pulledArch = (await docker(['image', 'inspect', '--format', '{{.Architecture}}', target])).trim();
    assert.equal(pulledArch, 'amd64');

    const back = join(temp, 'index-back');
    await ok('skopeo', ['copy', '--all', '--src-tls-verify=false', '--src-creds', creds, `docker://${target}`, `oci:${back}:latest`]);
    const copied = JSON.parse(readFileSync(join(back, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
    assert.equal(copied.manifests[0].digest, indexDigest, 'the index comes back byte for byte');
  });
});
