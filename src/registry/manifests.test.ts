import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Digest } from './digest.ts';
import { RegistryError } from './errors.ts';
import { MAX_MANIFEST_BYTES, MediaTypes, parseManifest } from './manifests.ts';

const d = (c: string) => `sha256:${c.repeat(64)}`;
const bytes = (doc: unknown) => Buffer.from(JSON.stringify(doc));

function throwsCode(fn: () => unknown, code: string, status = 400): RegistryError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof RegistryError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.status, status);
    return error;
  }
  assert.fail(`expected ${code}`);
}

const dockerManifest = {
  schemaVersion: 2,
  mediaType: MediaTypes.dockerManifest,
  config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: d('c'), size: 1500 },
  layers: [
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('1'), size: 1000 },
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('2'), size: 2000 },
    { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('1'), size: 1000 },
  ],
};

describe('parseManifest', () => {
  it('Docker v2 schema 2: config and layers are its blobs (once each), size and digest of the exact bytes', () => {
    const raw = bytes(dockerManifest);
    const m = parseManifest(raw, `${MediaTypes.dockerManifest}; charset=utf-8`);
    assert.equal(m.mediaType, MediaTypes.dockerManifest);
    assert.equal(m.kind, 'image');
    assert.equal(m.digest, sha256Digest(raw));
    assert.equal(m.size, raw.length);
    assert.deepEqual(m.blobs, [d('c'), d('1'), d('2')]);
    assert.equal(m.layersSize, 4000);
    assert.equal(m.artifactType, 'application/vnd.docker.container.image.v1+json');
    assert.equal(m.subject, undefined);
  });

  it('OCI manifest with subject, artifactType and annotations (a referrer)', () => {
    const doc = {
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      artifactType: 'application/vnd.example.sbom',
      config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: d('e'), size: 2 },
      layers: [{ mediaType: 'application/spdx+json', digest: d('5'), size: 10 }],
      subject: { mediaType: MediaTypes.ociManifest, digest: d('9'), size: 400 },
      annotations: { 'org.example': 'yes' },
    };
    const m = parseManifest(bytes(doc), MediaTypes.ociManifest);
    assert.equal(m.subject?.digest, d('9'));
    assert.equal(m.artifactType, 'application/vnd.example.sbom');
    assert.deepEqual(m.annotations, { 'org.example': 'yes' });
    assert.deepEqual(m.blobs, [d('e'), d('5')]);
  });

  it('indexes and manifest lists: children, no blobs; artifactType only when set', () => {
    const doc = {
      schemaVersion: 2,
      mediaType: MediaTypes.dockerManifestList,
      manifests: [
        { mediaType: MediaTypes.dockerManifest, digest: d('a'), size: 527, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: MediaTypes.dockerManifest, digest: d('b'), size: 527, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    };
    const m = parseManifest(bytes(doc), MediaTypes.dockerManifestList);
    assert.equal(m.kind, 'index');
    assert.deepEqual(m.children.map((c) => c.digest), [d('a'), d('b')]);
    assert.deepEqual(m.blobs, []);
    assert.equal(m.artifactType, undefined);
  });

  it('a generic Content-Type defers to the body: its mediaType, else its shape', () => {
    assert.equal(parseManifest(bytes(dockerManifest), 'application/json').mediaType, MediaTypes.dockerManifest);
    assert.equal(parseManifest(bytes(dockerManifest), undefined).mediaType, MediaTypes.dockerManifest);
    const { mediaType: _omit, ...bare } = dockerManifest;
    assert.equal(parseManifest(bytes(bare), 'application/octet-stream').mediaType, MediaTypes.ociManifest);
    assert.equal(parseManifest(bytes({ schemaVersion: 2, manifests: [] }), '').mediaType, MediaTypes.ociIndex);
    throwsCode(() => parseManifest(bytes({ schemaVersion: 2 }), 'application/json'), 'MANIFEST_INVALID');
  });

  it('a body mediaType that contradicts the Content-Type, or an unknown type, is MANIFEST_INVALID', () => {
    const e = throwsCode(() => parseManifest(bytes(dockerManifest), MediaTypes.ociManifest), 'MANIFEST_INVALID');
    assert.match(e.message, /does not match its Content-Type/);
    throwsCode(() => parseManifest(bytes(dockerManifest), 'application/vnd.example.thing'), 'MANIFEST_INVALID');
    throwsCode(() => parseManifest(bytes({ ...dockerManifest, mediaType: 'application/vnd.example' }), 'application/json'), 'MANIFEST_INVALID');
  });

  it('schema 1 is refused as an unsupported image type', () => {
    const e = throwsCode(() => parseManifest(bytes({ schemaVersion: 1, name: 'x', tag: 'y', fsLayers: [] }), 'application/vnd.docker.distribution.manifest.v1+prettyjws'), 'MANIFEST_INVALID');
    assert.equal(e.ecrCode, 'UnsupportedImageTypeException');
  });

  it('structural faults are MANIFEST_INVALID naming the field', () => {
    const cases: [unknown, RegExp][] = [
      [{ ...dockerManifest, schemaVersion: 3 }, /schemaVersion/],
      [{ ...dockerManifest, config: undefined }, /config must be a descriptor/],
      [{ ...dockerManifest, layers: 'x' }, /layers/],
      [{ ...dockerManifest, layers: [{ mediaType: 'x', digest: `sha512:${'a'.repeat(128)}`, size: 1 }] }, /layers\[0\]\.digest: .*unsupported digest algorithm/],
      [{ ...dockerManifest, layers: [{ mediaType: 'x', digest: d('1'), size: -1 }] }, /layers\[0\]\.size/],
      [{ ...dockerManifest, layers: [{ mediaType: 'x', digest: d('1'), size: 1.5 }] }, /layers\[0\]\.size/],
      [{ ...dockerManifest, annotations: { a: 1 } }, /annotations\.a/],
      [{ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ mediaType: 'application/vnd.example', digest: d('1'), size: 1 }] }, /manifests\[0\]\.mediaType/],
    ];
    for (const [doc, pattern] of cases) {
      const e = throwsCode(() => parseManifest(bytes(doc), 'application/json'), 'MANIFEST_INVALID');
      assert.match(e.message, pattern);
    }
    throwsCode(() => parseManifest(Buffer.from('{not json'), MediaTypes.ociManifest), 'MANIFEST_INVALID');
    throwsCode(() => parseManifest(Buffer.from('[1,2]'), MediaTypes.ociManifest), 'MANIFEST_INVALID');
  });

  it('over 4 MiB is 413 MANIFEST_INVALID', () => {
    const big = Buffer.alloc(MAX_MANIFEST_BYTES + 1, 0x20);
    throwsCode(() => parseManifest(big, MediaTypes.ociManifest), 'MANIFEST_INVALID', 413);
    const padded = Buffer.concat([bytes(dockerManifest).subarray(0, -1), Buffer.from(`,"annotations":{"pad":"${'x'.repeat(1000)}"}}`)]);
    assert.ok(parseManifest(padded, MediaTypes.dockerManifest));
  });

  it('non-distributable (foreign) layers are not blobs the registry must hold', () => {
    const doc = {
      ...dockerManifest,
      layers: [
        { mediaType: 'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip', digest: d('f'), size: 100, urls: ['https://example.com/f'] },
        { mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: d('1'), size: 10 },
      ],
    };
    const m = parseManifest(bytes(doc), MediaTypes.dockerManifest);
    assert.deepEqual(m.blobs, [d('c'), d('1')]);
    assert.equal(m.layersSize, 110);
  });
});
