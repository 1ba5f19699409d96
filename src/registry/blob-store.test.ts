import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ManualClock } from '../common/index.ts';
import { BlobStore } from './blob-store.ts';
import { RegistryError } from './errors.ts';

const HOUR = 60 * 60 * 1000;
const digestOf = (data: string | Buffer) => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const body = (data: string | Buffer) => Readable.from([Buffer.from(data)]);

const roots: string[] = [];
after(() => { for (const root of roots) rmSync(root, { recursive: true, force: true }); });

async function open(options: { uploadTtlMs?: number; gcGraceMs?: number } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'wharf-blobs-'));
  roots.push(root);
  const clock = new ManualClock();
  const store = await BlobStore.open({ root, clock, ...options });
  return { root, clock, store };
}

/** Every file under the committed-blobs directory. */
function committedFiles(root: string): string[] {
  const base = join(root, 'blobs', 'sha256');
  return readdirSync(base).flatMap((prefix) => readdirSync(join(base, prefix)));
}

async function rejectsWith(promise: Promise<unknown>, code: string, status?: number): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof RegistryError, `expected a RegistryError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    if (status !== undefined) assert.equal(error.status, status);
    return error;
  }
  assert.fail(`expected ${code}`);
}

describe('BlobStore', () => {
  it('commits an upload only after its digest is verified, atomically, under blobs/sha256/<2>/<hex>', async () => {
    const { root, store } = await open();
    const data = 'layer bytes '.repeat(1000);
    const digest = digestOf(data);
    const upload = await store.startUpload('acct/region/repo');
    await store.appendUpload(upload.id, 'acct/region/repo', { body: body(data.slice(0, 5000)) });
    assert.equal(await store.stat(digest), undefined, 'nothing visible before the commit');
    assert.deepEqual(committedFiles(root), []);
    const info = await store.completeUpload(upload.id, 'acct/region/repo', digest, { body: body(data.slice(5000)) });
    assert.equal(info.size, data.length);
    const hex = digest.slice(7);
    assert.equal(readFileSync(join(root, 'blobs', 'sha256', hex.slice(0, 2), hex), 'utf8'), data);
    assert.deepEqual(readdirSync(join(root, 'uploads')), [], 'the upload is gone');
    const read = await store.read(digest, { start: 5, end: 9 });
    assert.equal(await text(read!.stream), data.slice(5, 10));
  });

  it('a digest mismatch stores nothing and discards the upload', async () => {
    const { root, store } = await open();
    const wrong = digestOf('something else');
    const error = await rejectsWith(store.putBlob('o', wrong, { body: body('the real content') }), 'DIGEST_INVALID', 400);
    assert.equal((error.detail as { actual: string }).actual, digestOf('the real content'));
    assert.deepEqual(committedFiles(root), []);
    assert.deepEqual(readdirSync(join(root, 'uploads')), []);
    assert.equal(await store.stat(wrong), undefined);
    assert.equal(await store.stat(digestOf('the real content')), undefined);
  });

  it('refuses digests of other algorithms and malformed ones clearly', async () => {
    const { store } = await open();
    const sha512 = await rejectsWith(store.putBlob('o', `sha512:${'a'.repeat(128)}`, { body: body('x') }), 'DIGEST_INVALID');
    assert.match(sha512.message, /unsupported digest algorithm 'sha512'/);
    await rejectsWith(store.putBlob('o', `sha256:${'A'.repeat(64)}`, { body: body('x') }), 'DIGEST_INVALID');
    await rejectsWith(store.stat('sha256:../../etc/passwd'), 'DIGEST_INVALID');
  });

  it('a truncated or mis-sized chunk leaves the upload where it was, and it resumes', async () => {
    const { store } = await open();
    const data = Buffer.alloc(100_000, 7);
    const upload = await store.startUpload('o');
    await store.appendUpload(upload.id, 'o', { body: body(data.subarray(0, 10_000)), start: 0, length: 10_000 });

    let pushed = false;
    const broken = new Readable({
      read() {
        if (pushed) return void this.destroy(new Error('connection reset'));
        pushed = true;
        this.push(data.subarray(10_000, 20_000));
      },
    });
    await rejectsWith(store.appendUpload(upload.id, 'o', { body: broken, start: 10_000 }), 'BLOB_UPLOAD_INVALID');
    assert.equal((await store.uploadStatus(upload.id, 'o')).offset, 10_000);

    await rejectsWith(store.appendUpload(upload.id, 'o', { body: body(data.subarray(10_000, 15_000)), length: 6_000 }), 'SIZE_INVALID');
    await rejectsWith(store.appendUpload(upload.id, 'o', { body: body(data.subarray(10_000, 15_000)), length: 4_000 }), 'SIZE_INVALID');
    assert.equal((await store.uploadStatus(upload.id, 'o')).offset, 10_000);

    await store.appendUpload(upload.id, 'o', { body: body(data.subarray(10_000)), start: 10_000 });
    const info = await store.completeUpload(upload.id, 'o', digestOf(data));
    assert.equal(info.size, data.length);
  });

  it('chunks must arrive in order (416), and an upload resumes in a restarted store', async () => {
    const { root, clock, store } = await open();
    const data = Buffer.from('0123456789abcdefghij');
    const upload = await store.startUpload('o');
    await store.appendUpload(upload.id, 'o', { body: body(data.subarray(0, 8)), start: 0, length: 8 });
    await rejectsWith(store.appendUpload(upload.id, 'o', { body: body(data.subarray(12)), start: 12 }), 'BLOB_UPLOAD_INVALID', 416);
    await rejectsWith(store.appendUpload(upload.id, 'o', { body: body(data.subarray(0, 8)), start: 0 }), 'BLOB_UPLOAD_INVALID', 416);

    const restarted = await BlobStore.open({ root, clock });
    assert.equal((await restarted.uploadStatus(upload.id, 'o')).offset, 8);
    await restarted.appendUpload(upload.id, 'o', { body: body(data.subarray(8)), start: 8 });
    await restarted.completeUpload(upload.id, 'o', digestOf(data));
    const read = await restarted.read(digestOf(data));
    assert.equal(await text(read!.stream), data.toString());
  });

  it('an upload belongs to its owner; unknown ids and path tricks are BLOB_UPLOAD_UNKNOWN', async () => {
    const { store } = await open();
    const upload = await store.startUpload('acct-a/us-east-1/repo');
    await rejectsWith(store.uploadStatus(upload.id, 'acct-b/us-east-1/repo'), 'BLOB_UPLOAD_UNKNOWN', 404);
    await rejectsWith(store.appendUpload(upload.id, 'acct-a/us-east-1/other', { body: body('x') }), 'BLOB_UPLOAD_UNKNOWN');
    await rejectsWith(store.uploadStatus('../../blobs', 'o'), 'BLOB_UPLOAD_UNKNOWN');
    await rejectsWith(store.uploadStatus('00000000-0000-0000-0000-000000000000', 'o'), 'BLOB_UPLOAD_UNKNOWN');
    await store.cancelUpload(upload.id, 'acct-a/us-east-1/repo');
    await rejectsWith(store.uploadStatus(upload.id, 'acct-a/us-east-1/repo'), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('sweepUploads removes only uploads idle for longer than the TTL', async () => {
    const { root, clock, store } = await open({ uploadTtlMs: 2 * HOUR });
    const idle = await store.startUpload('o');
    clock.advance(90 * 60 * 1000);
    const active = await store.startUpload('o');
    clock.advance(60 * 60 * 1000);
    assert.deepEqual(await store.sweepUploads(clock.now()), [idle.id]);
    await store.appendUpload(active.id, 'o', { body: body('abc') }); // activity restarts its TTL
    clock.advance(100 * 60 * 1000);
    assert.deepEqual(await store.sweepUploads(clock.now()), []);
    assert.equal((await store.uploadStatus(active.id, 'o')).offset, 3);
    clock.advance(30 * 60 * 1000);
    assert.deepEqual(await store.sweepUploads(clock.now()), [active.id]);
    assert.deepEqual(readdirSync(join(root, 'uploads')), []);
    await rejectsWith(store.uploadStatus(idle.id, 'o'), 'BLOB_UPLOAD_UNKNOWN');
  });

  it('garbageCollect deletes unreferenced blobs past their grace period only; retain restarts it', async () => {
    const { root, clock, store } = await open({ gcGraceMs: HOUR });
    const kept = digestOf('referenced');
    const orphan = digestOf('orphan');
    const young = digestOf('pushed for a manifest not yet pushed');
    const retained = digestOf('retained by a manifest push');
    await store.putBlob('o', kept, { body: body('referenced') });
    await store.putBlob('o', orphan, { body: body('orphan') });
    await store.putBlob('o', retained, { body: body('retained by a manifest push') });
    clock.advance(59 * 60 * 1000);
    assert.deepEqual((await store.garbageCollect(new Set([kept]))).deleted, []);
    await store.putBlob('o', young, { body: body('pushed for a manifest not yet pushed') });
    assert.equal(await store.retain(retained), true);
    clock.advance(2 * 60 * 1000);
    const result = await store.garbageCollect(new Set([kept]));
    assert.deepEqual(result.deleted, [orphan]);
    assert.equal(result.freedBytes, 'orphan'.length);
    assert.ok(await store.stat(kept));
    assert.ok(await store.stat(young));
    assert.ok(await store.stat(retained));
    assert.equal(await store.stat(orphan), undefined);
    assert.equal(await store.retain(orphan), false);
    assert.equal(committedFiles(root).length, 3);
    assert.ok(!existsSync(join(root, 'blobs', 'sha256', orphan.slice(7, 9), orphan.slice(7))));
  });

  it('streams a large blob through without buffering it (a 64 MiB layer in 64 KiB pieces)', async () => {
    const { store } = await open();
    const piece = Buffer.alloc(64 * 1024, 1);
    const hash = createHash('sha256');
    let sent = 0;
    const pieces = 1024;
    const source = new Readable({
      read() {
        if (sent === pieces) return void this.push(null);
        sent++;
        hash.update(piece);
        this.push(piece);
      },
    });
    const upload = await store.startUpload('o');
    await store.appendUpload(upload.id, 'o', { body: source });
    const digest = `sha256:${hash.digest('hex')}`;
    const info = await store.completeUpload(upload.id, 'o', digest);
    assert.equal(info.size, pieces * piece.length);
    const tail = await store.read(digest, { start: info.size - 3, end: info.size - 1 });
    assert.deepEqual(Buffer.from(await text(tail!.stream)), Buffer.from([1, 1, 1]));
  });
});
