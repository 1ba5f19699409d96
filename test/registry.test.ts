/**
 * The OCI distribution API over real HTTP: the push/pull protocol as the spec writes it, and
 * hostile input (digest mismatches, truncated uploads, traversal names, oversized manifests,
 * manifests naming missing blobs) answered with the spec's error codes and nothing stored.
 * docker and skopeo drive the same server in registry-clients.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { createEndpoint, type Route } from '../src/aws/index.ts';
import { rootOnlyEndpoint } from '../src/aws/testing.ts';
import { getDoc } from '../src/state/index.ts';
import { distributionRoute, MediaTypes, registryKeys, tokenAccess, type ImageRecord } from '../src/registry/index.ts';
import { allowAllIdentity, startTestRegistry, type TestRegistry } from '../src/registry/testing.ts';

/** A fetch body (fetch's types take a Uint8Array over an ArrayBuffer, not any Buffer). */
const bin = (data: Buffer | string) => (typeof data === 'string' ? data : new Uint8Array(data));
const digestOf = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

let reg: TestRegistry;
const auth = () => ({ authorization: reg.basic });

async function errors(res: Response): Promise<{ code: string; message: string; detail?: unknown }[]> {
  const body = (await res.json()) as { errors: { code: string; message: string; detail?: unknown }[] };
  return body.errors;
}

async function expectError(res: Response, status: number, code: string): Promise<{ code: string; message: string; detail?: unknown }[]> {
  assert.equal(res.status, status, `${res.url}: ${res.status}`);
  const list = await errors(res);
  assert.equal(list[0].code, code, JSON.stringify(list));
  return list;
}

/** A monolithic push (`POST ?digest=`). */
async function pushBlob(name: string, data: Buffer | string): Promise<string> {
  const digest = digestOf(data);
  const res = await fetch(`${reg.url}/v2/${name}/blobs/uploads/?digest=${digest}`, { method: 'POST', headers: auth(), body: bin(data) });
  assert.equal(res.status, 201, await res.text());
  return digest;
}

/** An image manifest over freshly pushed config and layers. */
async function pushImage(name: string, reference: string, layers: string[] = ['layer'], extra: Record<string, unknown> = {}): Promise<{ bytes: Buffer; digest: string; res: Response }> {
  const config = await pushBlob(name, `{"architecture":"amd64","os":"linux","layers":${JSON.stringify(layers)}}`);
  const descriptors = [];
  for (const layer of layers) descriptors.push({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: await pushBlob(name, layer), size: layer.length });
  const bytes = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 10 },
    layers: descriptors,
    ...extra,
  }));
  const res = await fetch(`${reg.url}/v2/${name}/manifests/${reference}`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: bin(bytes) });
  assert.equal(res.status, 201, await res.clone().text());
  return { bytes, digest: digestOf(bytes), res };
}

/** A request with a raw, unnormalised path (fetch would resolve `..`). */
function rawRequest(method: string, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(reg.host.split(':')[1]), method, path, headers: { ...auth(), ...headers } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const uploadsLeft = () => readdirSync(join(reg.root, 'uploads'));
const blobFiles = () => readdirSync(join(reg.root, 'blobs', 'sha256')).flatMap((p) => readdirSync(join(reg.root, 'blobs', 'sha256', p)));

describe('registry: OCI distribution API over HTTP', () => {
  before(async () => {
    reg = await startTestRegistry();
    await reg.createRepository('app');
    await reg.createRepository('team/service');
    await reg.createRepository('locked', 'IMMUTABLE');
  });
  after(() => reg.close());

  it('GET /v2/ is 401 with a Basic challenge until the client authenticates', async () => {
    const anonymous = await fetch(`${reg.url}/v2/`);
    await expectError(anonymous, 401, 'UNAUTHORIZED');
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="wharf-test"');
    assert.equal(anonymous.headers.get('docker-distribution-api-version'), 'registry/2.0');
    const forged = await fetch(`${reg.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from('AWS:eyJhIjoiMSJ9.forged').toString('base64')}` } });
    assert.equal(forged.status, 401);
    await forged.body?.cancel();
    const ok = await fetch(`${reg.url}/v2/`, { headers: auth() });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('docker-distribution-api-version'), 'registry/2.0');
    await ok.body?.cancel();
    await expectError(await fetch(`${reg.url}/v2/app/tags/list`), 401, 'UNAUTHORIZED');
    await expectError(await fetch(`${reg.url}/v2/app/blobs/uploads/`, { method: 'POST' }), 401, 'UNAUTHORIZED');
  });

  it('monolithic push, HEAD and GET with Range', async () => {
    const data = randomBytes(10_000);
    const digest = await pushBlob('app', data);
    const head = await fetch(`${reg.url}/v2/app/blobs/${digest}`, { method: 'HEAD', headers: auth() });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-length'), '10000');
    assert.equal(head.headers.get('docker-content-digest'), digest);
    const get = await fetch(`${reg.url}/v2/app/blobs/${digest}`, { headers: auth() });
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), data);
    const part = await fetch(`${reg.url}/v2/app/blobs/${digest}`, { headers: { ...auth(), range: 'bytes=100-199' } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get('content-range'), 'bytes 100-199/10000');
    assert.deepEqual(Buffer.from(await part.arrayBuffer()), data.subarray(100, 200));
    const beyond = await fetch(`${reg.url}/v2/app/blobs/${digest}`, { headers: { ...auth(), range: 'bytes=10000-' } });
    assert.equal(beyond.status, 416);
    assert.equal(beyond.headers.get('content-range'), 'bytes */10000');
    await expectError(await fetch(`${reg.url}/v2/app/blobs/${digestOf('never pushed')}`, { headers: auth() }), 404, 'BLOB_UNKNOWN');
  });

  it('chunked upload: Location, Range and Docker-Upload-UUID; out-of-order chunks are 416; status and resume', async () => {
    const data = Buffer.from('0123456789abcdefghijKLMNO');
    const start = await fetch(`${reg.url}/v2/team/service/blobs/uploads/`, { method: 'POST', headers: { ...auth(), 'content-length': '0' } });
    assert.equal(start.status, 202);
    const uuid = start.headers.get('docker-upload-uuid')!;
    const location = start.headers.get('location')!;
    assert.equal(location, `/v2/team/service/blobs/uploads/${uuid}`);
    assert.equal(start.headers.get('range'), '0-0');

    const patch = (from: number, to: number) =>
      fetch(`${reg.url}${location}`, { method: 'PATCH', headers: { ...auth(), 'content-type': 'application/octet-stream', 'content-range': `${from}-${to}` }, body: bin(data.subarray(from, to + 1)) });
    const first = await patch(0, 9);
    assert.equal(first.status, 202);
    assert.equal(first.headers.get('range'), '0-9');
    assert.equal(first.headers.get('location'), location);
    await expectError(await patch(15, 19), 416, 'BLOB_UPLOAD_INVALID');
    await expectError(await patch(0, 9), 416, 'BLOB_UPLOAD_INVALID');
    const badLength = await fetch(`${reg.url}${location}`, { method: 'PATCH', headers: { ...auth(), 'content-range': '10-19' }, body: bin(data.subarray(10, 15)) });
    await expectError(badLength, 400, 'SIZE_INVALID');

    const status = await fetch(`${reg.url}${location}`, { headers: auth() });
    assert.equal(status.status, 204);
    assert.equal(status.headers.get('range'), '0-9');
    assert.equal(status.headers.get('docker-upload-uuid'), uuid);
    assert.equal((await patch(10, 19)).status, 202);

    const digest = digestOf(data);
    const put = await fetch(`${reg.url}${location}?digest=${digest}`, { method: 'PUT', headers: { ...auth(), 'content-range': '20-24', 'content-type': 'application/octet-stream' }, body: bin(data.subarray(20)) });
    assert.equal(put.status, 201, await put.clone().text());
    assert.equal(put.headers.get('location'), `/v2/team/service/blobs/${digest}`);
    assert.equal(put.headers.get('docker-content-digest'), digest);
    const get = await fetch(`${reg.url}${put.headers.get('location')}`, { headers: auth() });
    assert.equal(await get.text(), data.toString());
    await expectError(await fetch(`${reg.url}${location}`, { headers: auth() }), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('DELETE on an upload cancels it', async () => {
    const start = await fetch(`${reg.url}/v2/app/blobs/uploads/`, { method: 'POST', headers: auth() });
    const location = start.headers.get('location')!;
    await fetch(`${reg.url}${location}`, { method: 'PATCH', headers: auth(), body: 'partial' });
    const cancel = await fetch(`${reg.url}${location}`, { method: 'DELETE', headers: auth() });
    assert.equal(cancel.status, 204);
    await expectError(await fetch(`${reg.url}${location}`, { headers: auth() }), 404, 'BLOB_UPLOAD_UNKNOWN');
    await expectError(await fetch(`${reg.url}${location}`, { method: 'PATCH', headers: auth(), body: 'more' }), 404, 'BLOB_UPLOAD_UNKNOWN');
  });

  it('a digest mismatch is DIGEST_INVALID and stores nothing, monolithic or chunked', async () => {
    const filesBefore = blobFiles();
    const claimed = digestOf('what the client claims');
    const mono = await fetch(`${reg.url}/v2/app/blobs/uploads/?digest=${claimed}`, { method: 'POST', headers: auth(), body: 'what it sends' });
    const [error] = await expectError(mono, 400, 'DIGEST_INVALID');
    assert.equal((error.detail as { actual: string }).actual, digestOf('what it sends'));

    const start = await fetch(`${reg.url}/v2/app/blobs/uploads/`, { method: 'POST', headers: auth() });
    const location = start.headers.get('location')!;
    await fetch(`${reg.url}${location}`, { method: 'PATCH', headers: auth(), body: 'what it sends' });
    await expectError(await fetch(`${reg.url}${location}?digest=${claimed}`, { method: 'PUT', headers: auth() }), 400, 'DIGEST_INVALID');
    await expectError(await fetch(`${reg.url}${location}`, { headers: auth() }), 404, 'BLOB_UPLOAD_UNKNOWN');

    for (const digest of [claimed, digestOf('what it sends')]) {
      const head = await fetch(`${reg.url}/v2/app/blobs/${digest}`, { method: 'HEAD', headers: auth() });
      assert.equal(head.status, 404);
    }
    assert.deepEqual(blobFiles(), filesBefore);
    assert.deepEqual(uploadsLeft(), []);
  });

  it('other digest algorithms and malformed digests are DIGEST_INVALID', async () => {
    const sha512 = await fetch(`${reg.url}/v2/app/blobs/uploads/?digest=sha512:${'a'.repeat(128)}`, { method: 'POST', headers: auth(), body: 'x' });
    const [error] = await expectError(sha512, 400, 'DIGEST_INVALID');
    assert.match(error.message, /unsupported digest algorithm 'sha512'/);
    await expectError(await fetch(`${reg.url}/v2/app/blobs/sha256:nothex`, { headers: auth() }), 400, 'DIGEST_INVALID');
    await expectError(await fetch(`${reg.url}/v2/app/referrers/md5:abc`, { headers: auth() }), 400, 'DIGEST_INVALID');
    assert.deepEqual(uploadsLeft(), []);
  });

  it('a truncated chunk (connection dropped mid-body) leaves the upload at its last whole chunk', async () => {
    const data = randomBytes(4000);
    const start = await fetch(`${reg.url}/v2/app/blobs/uploads/`, { method: 'POST', headers: auth() });
    const location = start.headers.get('location')!;
    assert.equal((await fetch(`${reg.url}${location}`, { method: 'PATCH', headers: { ...auth(), 'content-range': '0-999' }, body: bin(data.subarray(0, 1000)) })).status, 202);

    await new Promise<void>((resolve, reject) => {
      const socket = net.connect(Number(reg.host.split(':')[1]), '127.0.0.1', () => {
        socket.write(`PATCH ${location} HTTP/1.1\r\nHost: ${reg.host}\r\nAuthorization: ${reg.basic}\r\nContent-Range: 1000-3999\r\nContent-Length: 3000\r\n\r\n`);
        socket.write(data.subarray(1000, 2200));
        setTimeout(() => socket.destroy(), 100);
      });
      socket.on('close', () => resolve());
      socket.on('error', reject);
    });
    let range = '';
    for (let i = 0; i < 50 && range !== '0-999'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      range = (await fetch(`${reg.url}${location}`, { headers: auth() })).headers.get('range') ?? '';
    }
    assert.equal(range, '0-999', 'the dropped chunk was rolled back');

    await expectError(await fetch(`${reg.url}${location}?digest=${digestOf(data)}`, { method: 'PUT', headers: auth() }), 400, 'DIGEST_INVALID');
    assert.equal((await fetch(`${reg.url}/v2/app/blobs/${digestOf(data)}`, { method: 'HEAD', headers: auth() })).status, 404);
    assert.equal((await fetch(`${reg.url}/v2/app/blobs/${digestOf(data.subarray(0, 1000))}`, { method: 'HEAD', headers: auth() })).status, 404);
  });

  it('traversal and other invalid names are NAME_INVALID; unknown repositories NAME_UNKNOWN', async () => {
    for (const path of [
      '/v2/../../etc/manifests/latest',
      '/v2/app/../../../etc/passwd/blobs/uploads/',
      '/v2/%2e%2e/%2e%2e/tags/list',
      '/v2/app/..%2f..%2fetc/tags/list',
      '/v2/App/tags/list',
      '/v2/a%00b/manifests/latest',
      '/v2//tags/list',
    ]) {
      const res = await rawRequest('GET', path);
      assert.equal(res.status, 400, path);
      assert.equal((JSON.parse(res.body) as { errors: { code: string }[] }).errors[0].code, 'NAME_INVALID', path);
    }
    const post = await rawRequest('POST', '/v2/../../tmp/blobs/uploads/');
    assert.equal(post.status, 400);
    assert.deepEqual(uploadsLeft(), []);
    await expectError(await fetch(`${reg.url}/v2/nope/blobs/uploads/`, { method: 'POST', headers: auth() }), 404, 'NAME_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/nope/tags/list`, { headers: auth() }), 404, 'NAME_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/nope/manifests/latest`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: '{}' }), 404, 'NAME_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/app/bogus/x`, { headers: auth() }), 404, 'UNSUPPORTED');
  });

  it('manifests: push, content negotiation, HEAD, GET by tag and digest, lastRecordedPullTime on GET only', async () => {
    const { bytes, digest, res } = await pushImage('app', 'v1', ['layer one', 'layer two']);
    assert.equal(res.headers.get('location'), `/v2/app/manifests/${digest}`);
    assert.equal(res.headers.get('docker-content-digest'), digest);
    const head = await fetch(`${reg.url}/v2/app/manifests/v1`, { method: 'HEAD', headers: { ...auth(), accept: MediaTypes.ociManifest } });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), MediaTypes.ociManifest);
    assert.equal(head.headers.get('content-length'), String(bytes.length));
    assert.equal(head.headers.get('docker-content-digest'), digest);
    const key = registryKeys.image(reg.scope, 'app', digest);
    assert.equal((await getDoc<ImageRecord>(reg.store, key))?.value.lastRecordedPullTime, undefined, 'HEAD is not a pull');

    const get = await fetch(`${reg.url}/v2/app/manifests/${digest}`, { headers: { ...auth(), accept: `${MediaTypes.dockerManifest}, ${MediaTypes.ociManifest}` } });
    assert.deepEqual(Buffer.from(await get.arrayBuffer()), bytes);
    assert.ok((await getDoc<ImageRecord>(reg.store, key))?.value.lastRecordedPullTime);
    await expectError(await fetch(`${reg.url}/v2/app/manifests/v1`, { headers: { ...auth(), accept: MediaTypes.dockerManifest } }), 404, 'MANIFEST_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/app/manifests/nosuchtag`, { headers: auth() }), 404, 'MANIFEST_UNKNOWN');
  });

  it('a manifest naming missing blobs is MANIFEST_BLOB_UNKNOWN per blob, and nothing is stored', async () => {
    const config = await pushBlob('app', '{"os":"linux"}');
    const missing = [digestOf('missing layer 1'), digestOf('missing layer 2')];
    const otherRepoBlob = await pushBlob('team/service', 'only in team/service');
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.dockerManifest,
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: config, size: 14 },
      layers: [...missing, otherRepoBlob].map((digest) => ({ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest, size: 10 })),
    });
    const res = await fetch(`${reg.url}/v2/app/manifests/broken`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.dockerManifest }, body: manifest });
    const list = await expectError(res, 400, 'MANIFEST_BLOB_UNKNOWN');
    assert.deepEqual(list.map((e) => [e.code, (e.detail as { digest: string }).digest]), [...missing, otherRepoBlob].map((d) => ['MANIFEST_BLOB_UNKNOWN', d]));
    await expectError(await fetch(`${reg.url}/v2/app/manifests/broken`, { headers: auth() }), 404, 'MANIFEST_UNKNOWN');
    await expectError(await fetch(`${reg.url}/v2/app/manifests/${digestOf(manifest)}`, { headers: auth() }), 404, 'MANIFEST_UNKNOWN');
  });

  it('oversized, malformed and mislabelled manifests are MANIFEST_INVALID (413 when too large); digest references must match', async () => {
    const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
    const big = await fetch(`${reg.url}/v2/app/manifests/huge`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: bin(huge) });
    await expectError(big, 413, 'MANIFEST_INVALID');
    await expectError(await fetch(`${reg.url}/v2/app/manifests/bad`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: '{"schemaVersion":2' }), 400, 'MANIFEST_INVALID');
    const { bytes } = await pushImage('app', 'probe');
    await expectError(await fetch(`${reg.url}/v2/app/manifests/x`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.dockerManifest }, body: bin(bytes) }), 400, 'MANIFEST_INVALID');
    await expectError(await fetch(`${reg.url}/v2/app/manifests/${digestOf('other')}`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: bin(bytes) }), 400, 'DIGEST_INVALID');
    await expectError(await fetch(`${reg.url}/v2/app/manifests/-bad-tag`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: bin(bytes) }), 400, 'TAG_INVALID');
    const tags = (await (await fetch(`${reg.url}/v2/app/tags/list`, { headers: auth() })).json()) as { tags: string[] };
    for (const tag of ['huge', 'bad', 'x', '-bad-tag']) assert.ok(!tags.tags.includes(tag), tag);
    const generic = await fetch(`${reg.url}/v2/app/manifests/generic`, { method: 'PUT', headers: { ...auth(), 'content-type': 'application/json' }, body: bin(bytes) });
    assert.equal(generic.status, 201, 'a generic Content-Type defers to the body mediaType');
  });

  it('tags list and catalog page with n, last and a Link header', async () => {
    await reg.createRepository('paged');
    const { bytes } = await pushImage('paged', 'seed');
    for (const tag of ['b', 'a', 'c', 'd']) {
      const res = await fetch(`${reg.url}/v2/paged/manifests/${tag}`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: bin(bytes) });
      assert.equal(res.status, 201);
    }
    const all = await fetch(`${reg.url}/v2/paged/tags/list`, { headers: auth() });
    assert.deepEqual(await all.json(), { name: 'paged', tags: ['a', 'b', 'c', 'd', 'seed'] });
    const page1 = await fetch(`${reg.url}/v2/paged/tags/list?n=2`, { headers: auth() });
    assert.deepEqual(await page1.json(), { name: 'paged', tags: ['a', 'b'] });
    assert.equal(page1.headers.get('link'), '</v2/paged/tags/list?n=2&last=b>; rel="next"');
    const page2 = await fetch(`${reg.url}/v2/paged/tags/list?n=2&last=b`, { headers: auth() });
    assert.deepEqual(await page2.json(), { name: 'paged', tags: ['c', 'd'] });
    const page3 = await fetch(`${reg.url}/v2/paged/tags/list?n=2&last=d`, { headers: auth() });
    assert.deepEqual(await page3.json(), { name: 'paged', tags: ['seed'] });
    assert.equal(page3.headers.get('link'), null);
    const none = await fetch(`${reg.url}/v2/paged/tags/list?n=0`, { headers: auth() });
    assert.deepEqual(await none.json(), { name: 'paged', tags: [] });
    assert.equal(none.headers.get('link'), null);
    const catalog = await fetch(`${reg.url}/v2/_catalog?n=2`, { headers: auth() });
    assert.deepEqual(await catalog.json(), { repositories: ['app', 'locked'] });
    assert.equal(catalog.headers.get('link'), '</v2/_catalog?n=2&last=locked>; rel="next"');
    const rest = await fetch(`${reg.url}/v2/_catalog?last=locked`, { headers: auth() });
    assert.deepEqual(await rest.json(), { repositories: ['paged', 'team/service'] });
  });

  it('referrers: OCI-Subject on push, an OCI index back, artifactType filtering', async () => {
    const subject = await pushImage('app', 'signed');
    const subjectDescriptor = { mediaType: MediaTypes.ociManifest, digest: subject.digest, size: subject.bytes.length };
    const sbom = await pushImage('app', 'sbom', ['{"spdx":1}'], { artifactType: 'application/spdx+json', subject: subjectDescriptor, annotations: { 'org.example': 'sbom' } });
    assert.equal(sbom.res.headers.get('oci-subject'), subject.digest);
    await pushImage('app', 'sig', ['signature'], { artifactType: 'application/vnd.example.sig', subject: subjectDescriptor });
    const all = await fetch(`${reg.url}/v2/app/referrers/${subject.digest}`, { headers: auth() });
    assert.equal(all.headers.get('content-type'), MediaTypes.ociIndex);
    assert.equal(all.headers.get('oci-filters-applied'), null);
    const index = (await all.json()) as { schemaVersion: number; mediaType: string; manifests: { artifactType: string; digest: string; annotations?: object }[] };
    assert.equal(index.schemaVersion, 2);
    assert.deepEqual(index.manifests.map((m) => m.artifactType).sort(), ['application/spdx+json', 'application/vnd.example.sig']);
    const filtered = await fetch(`${reg.url}/v2/app/referrers/${subject.digest}?artifactType=application/spdx%2Bjson`, { headers: auth() });
    assert.equal(filtered.headers.get('oci-filters-applied'), 'artifactType');
    const only = (await filtered.json()) as { manifests: { digest: string; annotations?: object }[] };
    assert.deepEqual(only.manifests.map((m) => [m.digest, m.annotations]), [[sbom.digest, { 'org.example': 'sbom' }]]);
    const empty = await fetch(`${reg.url}/v2/app/referrers/${digestOf('no such subject')}`, { headers: auth() });
    assert.equal(empty.status, 200);
    assert.deepEqual(((await empty.json()) as { manifests: unknown[] }).manifests, []);
  });

  it('an IMMUTABLE repository refuses to move a tag with TAG_INVALID', async () => {
    await pushImage('locked', 'v1', ['first']);
    const { bytes } = await pushImage('locked', 'v2', ['second']);
    const res = await fetch(`${reg.url}/v2/locked/manifests/v1`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: bin(bytes) });
    const [error] = await expectError(res, 400, 'TAG_INVALID');
    assert.match(error.message, /cannot be overwritten because the repository is immutable/);
  });

  it('deletes: a tag, a manifest (with its tags), a blob only once no manifest uses it', async () => {
    await reg.createRepository('deletes');
    const { bytes, digest } = await pushImage('deletes', 'one', ['only layer']);
    await fetch(`${reg.url}/v2/deletes/manifests/two`, { method: 'PUT', headers: { ...auth(), 'content-type': MediaTypes.ociManifest }, body: bin(bytes) });
    assert.equal((await fetch(`${reg.url}/v2/deletes/manifests/one`, { method: 'DELETE', headers: auth() })).status, 202);
    await expectError(await fetch(`${reg.url}/v2/deletes/manifests/one`, { headers: auth() }), 404, 'MANIFEST_UNKNOWN');
    assert.equal((await fetch(`${reg.url}/v2/deletes/manifests/two`, { headers: auth() })).status, 200);
    const layer = digestOf('only layer');
    await expectError(await fetch(`${reg.url}/v2/deletes/blobs/${layer}`, { method: 'DELETE', headers: auth() }), 405, 'UNSUPPORTED');
    assert.equal((await fetch(`${reg.url}/v2/deletes/manifests/${digest}`, { method: 'DELETE', headers: auth() })).status, 202);
    await expectError(await fetch(`${reg.url}/v2/deletes/manifests/two`, { headers: auth() }), 404, 'MANIFEST_UNKNOWN');
    assert.equal((await fetch(`${reg.url}/v2/deletes/blobs/${layer}`, { method: 'DELETE', headers: auth() })).status, 202);
    await expectError(await fetch(`${reg.url}/v2/deletes/blobs/${layer}`, { headers: auth() }), 404, 'BLOB_UNKNOWN');
  });

  it('repositories are per account and blobs per repository: cross-repository mount links, never copies', async () => {
    const layer = await pushBlob('app', 'shared layer');
    const other = { account: '999988887777', region: 'us-east-1' };
    await reg.createRepository('app', 'MUTABLE', other);
    const stranger = { authorization: reg.basicFor(other) };
    assert.equal((await fetch(`${reg.url}/v2/app/blobs/${layer}`, { method: 'HEAD', headers: stranger })).status, 404);
    await expectError(await fetch(`${reg.url}/v2/app/manifests/v1`, { headers: stranger }), 404, 'MANIFEST_UNKNOWN');
    const foreignMount = await fetch(`${reg.url}/v2/app/blobs/uploads/?mount=${layer}&from=app`, { method: 'POST', headers: stranger });
    assert.equal(foreignMount.status, 202, 'another account cannot mount it: an upload starts instead');
    assert.equal((await fetch(`${reg.url}/v2/_catalog`, { headers: stranger }).then((r) => r.json()) as { repositories: string[] }).repositories.length, 1);

    assert.equal((await fetch(`${reg.url}/v2/team/service/blobs/${layer}`, { method: 'HEAD', headers: auth() })).status, 404);
    const filesBefore = blobFiles().length;
    const mount = await fetch(`${reg.url}/v2/team/service/blobs/uploads/?mount=${layer}&from=app`, { method: 'POST', headers: auth() });
    assert.equal(mount.status, 201);
    assert.equal(mount.headers.get('location'), `/v2/team/service/blobs/${layer}`);
    assert.equal((await fetch(`${reg.url}/v2/team/service/blobs/${layer}`, { method: 'HEAD', headers: auth() })).status, 200);
    assert.equal(blobFiles().length, filesBefore);
  });

  it('mounts on the endpoint of src/aws/endpoint.ts under prefixes', async () => {
    const route: Route = distributionRoute({
      store: reg.store, blobs: reg.blobs, clock: { now: () => Date.now() },
      access: tokenAccess({ tokens: reg.tokens, identity: allowAllIdentity, clock: { now: () => Date.now() } }),
    });
    const server = createEndpoint({ services: [], ...rootOnlyEndpoint(reg.scope.account), prefixes: { '/v2/': route } });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      assert.equal((await fetch(`${url}/v2/`)).status, 401);
      assert.equal((await fetch(`${url}/v2/`, { headers: auth() })).status, 200);
      const tags = await fetch(`${url}/v2/app/tags/list`, { headers: auth() });
      assert.ok(((await tags.json()) as { tags: string[] }).tags.includes('v1'));
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
