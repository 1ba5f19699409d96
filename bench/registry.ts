/**
 * Wharf's registry beside the CNCF distribution registry (Debian's `docker-registry`), side by
 * side in one run on the same host, both on 127.0.0.1 over plain HTTP. Prints seconds and the
 * ratio Wharf / distribution; never passes or fails on a time.
 *
 *   1. a ~200 MB image of 4 random-data layers (`wharf-bench/big:1`, built once with the classic
 *      builder FROM wharf-test/busybox and kept for later runs): `docker push`; then pulls that
 *      download every byte: `skopeo copy docker://… dir:…`, and `docker pull` after the image
 *      and its layers were removed locally (the busybox base layer stays: it is another image's)
 *   2. 1,000 small OCI manifests through the HTTP API with fetch (one layer and one config blob,
 *      1,000 manifests differing by an annotation, each under its own tag): 1,000 manifest PUTs,
 *      then 1,000 manifest GETs by tag, CONCURRENCY in flight
 *
 *   npm run bench:registry   (needs Docker Engine, skopeo and scripts/build-test-images.sh;
 *                             installs docker-registry with apt-get if /usr/bin/docker-registry is missing)
 *   MANIFESTS=1000 CONCURRENCY=8 npx tsx bench/registry.ts
 *   WHARF_FIRST=1 …          pushes and pulls Wharf first (distribution first by default)
 *   REMOVE_BIG_IMAGE=1 …     also removes wharf-bench/big:1 at the end (it is kept by default, to be reused)
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { TEST_IMAGE, benchCredentials, poll, sec, spawnWharf, tempDir, env, type WharfProcess } from './support/wharf.ts';

const run = promisify(execFile);
const MANIFESTS = env('MANIFESTS', 1000);
const CONCURRENCY = env('CONCURRENCY', 8);
const BIG_IMAGE = 'wharf-bench/big:1';
const BIG_LAYERS = 4;
const LAYER_BYTES = 50_000_000;
const DISTRIBUTION = '/usr/bin/docker-registry';
const COL = 66;

const progress = (message: string) => process.stderr.write(`  … ${message}\n`);
const say = (line: string) => console.log(line);

// ---- clean-up of everything this run started, also on Ctrl-C ----

const started = {
  wharf: [] as WharfProcess[],
  children: [] as ChildProcess[],
  tags: [] as string[],
  dirs: [] as string[],
};
function dir(prefix = 'wharf-bench-registry-'): string {
  const d = tempDir(prefix);
  started.dirs.push(d);
  return d;
}
/** The docker CLI config dir of this run (docker login writes there, not to ~/.docker). */
const dockerConfig = dir('wharf-bench-docker-config-');

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid!, 'SIGTERM');
  const timer = setTimeout(() => child.exitCode === null && child.signalCode === null && process.kill(child.pid!, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
async function cleanUp(): Promise<void> {
  const quietly = (p: Promise<unknown>) => p.catch((error: unknown) => console.error(`clean-up: ${String(error)}`));
  for (const p of started.wharf.splice(0)) await quietly(p.stop());
  for (const c of started.children.splice(0)) await quietly(stopChild(c));
  for (const tag of started.tags.splice(0)) {
    if (await dockerOk('image', 'inspect', tag)) await quietly(docker('rmi', tag));
  }
  if (process.env.REMOVE_BIG_IMAGE === '1' && await dockerOk('image', 'inspect', BIG_IMAGE)) await quietly(docker('rmi', BIG_IMAGE));
  for (const d of started.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanUp().finally(() => process.exit(130)));
}

// ---- commands ----

/** The docker CLI with this run's config dir; resolves to trimmed stdout. */
async function docker(...args: string[]): Promise<string> {
  return (await run('docker', ['--config', dockerConfig, ...args], { encoding: 'utf8', maxBuffer: 64 * 2 ** 20 })).stdout.trim();
}
const dockerOk = (...args: string[]) => docker(...args).then(() => true, () => false);

/** Runs a command to completion, optionally feeding `input` on stdin; rejects with its output on failure. */
function command(file: string, args: string[], o: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...o.env }, cwd: o.cwd });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.stdin.end(o.input ?? '');
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${file} ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`))));
  });
}

/** Milliseconds `fn` takes. */
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// ---- the two registries ----

interface Registry {
  name: string;
  /** host:port, as docker and skopeo name it. */
  host: string;
  /** `Authorization` header value for the HTTP API, if any. */
  authorization?: string;
  /** skopeo's credential flag value (`AWS:<password>`), if any. */
  creds?: string;
  /** Creates a repository if the registry needs that before a push. */
  createRepository(name: string): Promise<void>;
}

async function ensureDistribution(): Promise<string> {
  if (existsSync(DISTRIBUTION)) return 'already installed';
  progress(`${DISTRIBUTION} missing: apt-get install -y docker-registry`);
  await command('apt-get', ['install', '-y', '--no-install-recommends', 'docker-registry'], { env: { DEBIAN_FRONTEND: 'noninteractive' } });
  return 'installed by this run with apt-get';
}

async function startDistribution(): Promise<Registry> {
  const root = dir();
  const port = await freePort();
  const config = join(root, 'config.yml');
  writeFileSync(config, [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(root, 'data')}`,
    '  delete:',
    '    enabled: true',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '',
  ].join('\n'));
  const child = spawn(DISTRIBUTION, ['serve', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  started.children.push(child);
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const base = `http://127.0.0.1:${port}`;
  await poll('distribution registry /v2/', async () => {
    if (child.exitCode !== null) throw new Error(`docker-registry exited (${child.exitCode}):\n${out}`);
    const r = await fetch(`${base}/v2/`).catch(() => undefined);
    return r?.status === 200 ? true : undefined;
  }, { timeoutMs: 30_000, everyMs: 100, describe: () => out.slice(-2000) });
  return { name: 'distribution', host: `127.0.0.1:${port}`, createRepository: async () => {} };
}

async function startWharf(): Promise<Registry> {
  const dev = await spawnWharf(['dev', '--port', '0', '--data-dir', dir()], /Wharf ready at http:\/\//);
  started.wharf.push(dev);
  const ecr = new ECRClient({ endpoint: dev.url, region: 'us-east-1', credentials: benchCredentials });
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  const token = authorizationData![0].authorizationToken!;
  const host = new URL(authorizationData![0].proxyEndpoint!).host;
  const password = Buffer.from(token, 'base64').toString().replace(/^AWS:/, '');
  await command('docker', ['--config', dockerConfig, 'login', '--username', 'AWS', '--password-stdin', host], { input: password });
  return {
    name: 'wharf', host, authorization: `Basic ${token}`, creds: `AWS:${password}`,
    createRepository: async (name) => void await ecr.send(new CreateRepositoryCommand({ repositoryName: name })),
  };
}

// ---- 1. a ~200 MB image: push, pull ----

async function ensureBigImage(): Promise<string> {
  if (await dockerOk('image', 'inspect', BIG_IMAGE)) return 'reused';
  progress(`building ${BIG_IMAGE} (${BIG_LAYERS} layers of ${LAYER_BYTES / 1e6} MB of random data)`);
  const context = dir();
  writeFileSync(join(context, 'Dockerfile'), [
    `FROM ${TEST_IMAGE}`,
    ...Array.from({ length: BIG_LAYERS }, (_, i) => `RUN mkdir -p /data && head -c ${LAYER_BYTES} /dev/urandom > /data/${i + 1}`),
    '',
  ].join('\n'));
  await command('docker', ['--config', dockerConfig, 'build', '-q', '-t', BIG_IMAGE, context], { env: { DOCKER_BUILDKIT: '0' } });
  return 'built by this run';
}

interface BigResult { push: number; skopeo: number; dockerPull: number; skopeoBytes: number; pulledLayers: number }

async function dirBytes(path: string): Promise<number> {
  return Number((await run('du', ['-sb', path], { encoding: 'utf8' })).stdout.split('\t')[0]);
}

async function pushBig(r: Registry): Promise<number> {
  await r.createRepository('big');
  const ref = `${r.host}/big:1`;
  await docker('tag', BIG_IMAGE, ref);
  started.tags.push(ref);
  const ms = await timed(() => docker('push', ref));
  await docker('rmi', ref);
  return ms;
}

async function skopeoPull(r: Registry): Promise<[number, number]> {
  const dest = join(dir(), 'image');
  const ms = await timed(() => command('skopeo', [
    'copy', '--src-tls-verify=false', ...(r.creds ? ['--src-creds', r.creds] : ['--src-no-creds']),
    `docker://${r.host}/big:1`, `dir:${dest}`,
  ]));
  const bytes = await dirBytes(dest);
  rmSync(dest, { recursive: true, force: true });
  return [ms, bytes];
}

/** `docker pull` with none of the image's own layers present locally; resolves to [ms, layers downloaded]. */
async function dockerPull(r: Registry): Promise<[number, number]> {
  const ref = `${r.host}/big:1`;
  started.tags.push(ref);
  let out = '';
  const ms = await timed(async () => (out = await docker('pull', ref)));
  return [ms, out.split('\n').filter((l) => /Pull complete/.test(l)).length];
}

async function bigImage(registries: Registry[]): Promise<Map<string, BigResult>> {
  const results = new Map<string, BigResult>(registries.map((r) => [r.name, { push: NaN, skopeo: NaN, dockerPull: NaN, skopeoBytes: 0, pulledLayers: 0 }]));
  const imageId = await docker('image', 'inspect', '-f', '{{.Id}}', BIG_IMAGE);
  for (const r of registries) {
    progress(`docker push → ${r.name}`);
    results.get(r.name)!.push = await pushBig(r);
  }
  for (const r of registries) {
    progress(`skopeo copy ← ${r.name}`);
    [results.get(r.name)!.skopeo, results.get(r.name)!.skopeoBytes] = await skopeoPull(r);
  }
  // docker pull: the built image goes (its layers with it); each pull is removed before the next.
  await docker('rmi', BIG_IMAGE);
  for (const [i, r] of registries.entries()) {
    progress(`docker pull ← ${r.name}`);
    const ref = `${r.host}/big:1`;
    [results.get(r.name)!.dockerPull, results.get(r.name)!.pulledLayers] = await dockerPull(r);
    const pulledId = await docker('image', 'inspect', '-f', '{{.Id}}', ref);
    if (pulledId !== imageId) throw new Error(`${r.name}: pulled image ${pulledId} is not the pushed ${imageId}`);
    // The last pull becomes the kept image again (same config, so the same id): no rebuild next run.
    if (i === registries.length - 1) await docker('tag', ref, BIG_IMAGE);
    await docker('rmi', ref);
  }
  return results;
}

// ---- 2. 1,000 small manifests through the HTTP API ----

const sha256 = (b: Buffer | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

async function api(r: Registry, method: string, path: string, init: { body?: Buffer | string; headers?: Record<string, string> } = {}): Promise<Response> {
  const url = path.startsWith('http') ? path : `http://${r.host}${path}`;
  const headers = { ...init.headers, ...(r.authorization && { authorization: r.authorization }) };
  return fetch(url, { method, headers, body: init.body === undefined ? undefined : new Uint8Array(init.body instanceof Buffer ? init.body : Buffer.from(init.body)) });
}

async function expectStatus(res: Response, status: number, what: string): Promise<Response> {
  if (res.status !== status) throw new Error(`${what}: HTTP ${res.status} (expected ${status}): ${(await res.text()).slice(0, 500)}`);
  return res;
}

/** Monolithic blob upload: POST then PUT ?digest=. */
async function putBlob(r: Registry, repo: string, body: Buffer): Promise<string> {
  const digest = sha256(body);
  const upload = await expectStatus(await api(r, 'POST', `/v2/${repo}/blobs/uploads/`), 202, 'start upload');
  await upload.arrayBuffer();
  const location = new URL(upload.headers.get('location')!, `http://${r.host}`);
  location.searchParams.set('digest', digest);
  const done = await api(r, 'PUT', location.toString(), { body, headers: { 'content-type': 'application/octet-stream', 'content-length': String(body.length) } });
  await expectStatus(done, 201, 'finish upload');
  await done.arrayBuffer();
  return digest;
}

/** Runs `fn(i)` for i in [0, n) with at most `limit` in flight. */
async function pool(n: number, limit: number, fn: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await fn(next++);
  }));
}

interface SmallResult { put: number; get: number }

async function smallManifests(r: Registry): Promise<SmallResult> {
  const repo = 'small';
  await r.createRepository(repo);
  const tar = Buffer.alloc(1024); // an empty tar: two zero blocks
  const layer = gzipSync(tar);
  const layerDigest = await putBlob(r, repo, layer);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(tar)] } }));
  const configDigest = await putBlob(r, repo, config);
  const manifests = Array.from({ length: MANIFESTS }, (_, i) => Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: layerDigest, size: layer.length }],
    annotations: { 'org.example.bench.index': String(i) },
  })));
  const tag = (i: number) => `t${String(i).padStart(4, '0')}`;
  const put = await timed(() => pool(MANIFESTS, CONCURRENCY, async (i) => {
    const res = await api(r, 'PUT', `/v2/${repo}/manifests/${tag(i)}`, { body: manifests[i], headers: { 'content-type': OCI_MANIFEST } });
    await expectStatus(res, 201, `PUT manifest ${tag(i)}`);
    await res.arrayBuffer();
  }));
  const get = await timed(() => pool(MANIFESTS, CONCURRENCY, async (i) => {
    const res = await expectStatus(await api(r, 'GET', `/v2/${repo}/manifests/${tag(i)}`, { headers: { accept: OCI_MANIFEST } }), 200, `GET manifest ${tag(i)}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (sha256(body) !== sha256(manifests[i])) throw new Error(`${r.name}: GET ${tag(i)} returned other bytes than were pushed`);
  }));
  return { put, get };
}

// ---- main ----

async function main(): Promise<void> {
  const distributionInstall = await ensureDistribution();
  const [dockerVersion, distributionVersion, skopeoVersion] = await Promise.all([
    docker('version', '--format', '{{.Server.Version}}'),
    command(DISTRIBUTION, ['--version']).then((s) => s.trim().split(/\s+/).slice(-1)[0]),
    command('skopeo', ['--version']).then((s) => s.trim().split(/\s+/).slice(-1)[0]),
  ]);
  const built = await ensureBigImage();
  const bigSize = Number(await docker('image', 'inspect', '-f', '{{.Size}}', BIG_IMAGE));

  const distribution = await startDistribution();
  const wharf = await startWharf();
  // Distribution first by default; WHARF_FIRST=1 swaps the order (to see whether the order matters).
  const registries = process.env.WHARF_FIRST === '1' ? [wharf, distribution] : [distribution, wharf];

  const big = await bigImage(registries);
  const small = new Map<string, SmallResult>();
  for (const r of registries) {
    progress(`${MANIFESTS} manifests → ${r.name}`);
    small.set(r.name, await smallManifests(r));
  }

  const col = (s: string) => s.padEnd(COL);
  const row = (label: string, w: number, d: number) =>
    say(`   ${col(label)}wharf ${sec(w).padStart(8)}   distribution ${sec(d).padStart(8)}   ratio ${(w / d).toFixed(2)}`);
  const W = big.get('wharf')!;
  const D = big.get('distribution')!;
  say(`Registry: ${cpus().length} cores, Docker ${dockerVersion}, distribution ${distributionVersion} (docker-registry, ${distributionInstall}), skopeo ${skopeoVersion};`);
  say('   both on 127.0.0.1 over HTTP, filesystem storage on the same disk; wharf dev with a token from GetAuthorizationToken; one run');
  say('');
  say(`1. ${BIG_IMAGE}: ${(bigSize / 1e6).toFixed(0)} MB, ${BIG_LAYERS} layers of ${LAYER_BYTES / 1e6} MB random data on ${TEST_IMAGE} (image ${built})`);
  row('docker push (new repository, nothing there yet)', W.push, D.push);
  row(`skopeo copy docker:// → dir: (${(W.skopeoBytes / 1e6).toFixed(0)} / ${(D.skopeoBytes / 1e6).toFixed(0)} MB written)`, W.skopeo, D.skopeo);
  row(`docker pull, image's layers not present (${W.pulledLayers} / ${D.pulledLayers} layers pulled)`, W.dockerPull, D.dockerPull);
  say('');
  const SW = small.get('wharf')!;
  const SD = small.get('distribution')!;
  say(`2. ${MANIFESTS} OCI manifests (one layer, one config, distinct annotations), each under its own tag, fetch, ${CONCURRENCY} in flight`);
  row(`${MANIFESTS} × PUT /v2/small/manifests/<tag>`, SW.put, SD.put);
  row(`${MANIFESTS} × GET /v2/small/manifests/<tag>`, SW.get, SD.get);
  say(`   per request: PUT wharf ${(SW.put / MANIFESTS).toFixed(2)} ms, distribution ${(SD.put / MANIFESTS).toFixed(2)} ms; GET wharf ${(SW.get / MANIFESTS).toFixed(2)} ms, distribution ${(SD.get / MANIFESTS).toFixed(2)} ms`);
  if (process.env.REMOVE_BIG_IMAGE !== '1') say(`   (${BIG_IMAGE} is kept for the next run; REMOVE_BIG_IMAGE=1 removes it)`);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(async () => {
    await cleanUp();
  });
