import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ManualClock } from '../common/index.ts';
import { SqliteStore, getDoc, transact } from '../state/index.ts';
import { BlobStore } from './blob-store.ts';
import { sha256Digest } from './digest.ts';
import { putManifest } from './images.ts';
import { blobLinkKeys, linkBlob } from './links.ts';
import { runRegistryMaintenance } from './maintenance.ts';
import { MediaTypes } from './manifests.ts';
import { registryKeys } from './records.ts';
import { repositoryRecord } from './testing.ts';

const DAY = 24 * 60 * 60 * 1000;

describe('runRegistryMaintenance', () => {
  it('sweeps abandoned uploads, collects unreferenced blobs past grace, prunes their links; a second pass does nothing', async () => {
    const clock = new ManualClock();
    const store = SqliteStore.open(':memory:');
    const root = mkdtempSync(join(tmpdir(), 'wharf-maint-'));
    after(() => rmSync(root, { recursive: true, force: true }));
    const blobs = await BlobStore.open({ root, clock });
    const scope = { account: '123456789012', region: 'us-east-1' };
    await transact(store, async (tx) => tx.put(registryKeys.repository(scope, 'app'), repositoryRecord(scope, 'app', 'h')));
    const put = async (content: string) => {
      const digest = sha256Digest(Buffer.from(content));
      const info = await blobs.putBlob('o', digest, { body: Readable.from([Buffer.from(content)]) });
      await transact(store, async (tx) => linkBlob(tx, scope, 'app', digest, info.size, clock.now()));
      return digest;
    };
    const config = await put('{"os":"linux"}');
    const layer = await put('used layer');
    const orphan = await put('layer of an image never pushed');
    const manifest = Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: MediaTypes.ociManifest,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config, size: 14 },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layer, size: 10 }],
    }));
    await transact(store, (tx) => putManifest(tx, scope, 'app', manifest, MediaTypes.ociManifest, 'latest', { now: clock.now(), blobs }));
    const abandoned = await blobs.startUpload('o');

    clock.advance(DAY / 2);
    const early = await runRegistryMaintenance(store, blobs, clock.now());
    assert.deepEqual(early, { uploadsRemoved: [], blobsDeleted: [], freedBytes: 0, linksRemoved: 0 });

    clock.advance(DAY);
    const result = await runRegistryMaintenance(store, blobs, clock.now());
    assert.deepEqual(result, { uploadsRemoved: [abandoned.id], blobsDeleted: [orphan], freedBytes: 'layer of an image never pushed'.length, linksRemoved: 1 });
    assert.equal(await getDoc(store, blobLinkKeys.link(scope, 'app', orphan)), undefined);
    assert.ok(await getDoc(store, blobLinkKeys.link(scope, 'app', layer)));
    assert.ok(await blobs.stat(layer));
    assert.ok(await blobs.stat(config));

    assert.deepEqual(await runRegistryMaintenance(store, blobs, clock.now()), { uploadsRemoved: [], blobsDeleted: [], freedBytes: 0, linksRemoved: 0 });
  });
});
