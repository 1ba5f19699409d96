import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { RegistryError } from './errors.ts';
import { parseContentRange, parseRange, uploadRange } from './http.ts';
import { parseV2Path, splitTarget } from './paths.ts';

const D = `sha256:${'a'.repeat(64)}`;

function nameInvalid(path: string): void {
  assert.throws(() => parseV2Path(path), (e: unknown) => e instanceof RegistryError && e.code === 'NAME_INVALID', path);
}

describe('parseV2Path', () => {
  it('reads names with slashes from the right', () => {
    assert.deepEqual(parseV2Path('/v2/'), { kind: 'base' });
    assert.deepEqual(parseV2Path('/v2'), { kind: 'base' });
    assert.deepEqual(parseV2Path('/v2/_catalog'), { kind: 'catalog' });
    assert.deepEqual(parseV2Path('/v2/a/b/c/tags/list'), { kind: 'tags', name: 'a/b/c' });
    assert.deepEqual(parseV2Path('/v2/team/app/manifests/latest'), { kind: 'manifest', name: 'team/app', reference: 'latest' });
    assert.deepEqual(parseV2Path(`/v2/team/app/manifests/${D.replace(':', '%3A')}`), { kind: 'manifest', name: 'team/app', reference: D });
    assert.deepEqual(parseV2Path(`/v2/app/blobs/${D}`), { kind: 'blob', name: 'app', digest: D });
    assert.deepEqual(parseV2Path('/v2/app/blobs/uploads/'), { kind: 'uploads', name: 'app' });
    assert.deepEqual(parseV2Path('/v2/app/blobs/uploads'), { kind: 'uploads', name: 'app' });
    assert.deepEqual(parseV2Path('/v2/app/blobs/uploads/1234'), { kind: 'upload', name: 'app', id: '1234' });
    assert.deepEqual(parseV2Path(`/v2/app/referrers/${D}`), { kind: 'referrers', name: 'app', digest: D });
  });

  it('names may themselves contain the endpoint words', () => {
    assert.deepEqual(parseV2Path('/v2/blobs/manifests/manifests/x'), { kind: 'manifest', name: 'blobs/manifests', reference: 'x' });
    assert.deepEqual(parseV2Path('/v2/x/blobs/uploads/blobs/uploads/'), { kind: 'uploads', name: 'x/blobs/uploads' });
    assert.deepEqual(parseV2Path(`/v2/x/blobs/uploads/blobs/${D}`), { kind: 'blob', name: 'x/blobs/uploads', digest: D });
    assert.deepEqual(parseV2Path('/v2/tags/tags/list'), { kind: 'tags', name: 'tags' });
  });

  it('paths that are no endpoint are undefined', () => {
    for (const path of ['/v3/', '/v2/app', '/v2/app/manifests/', '/v2/app/other/x', '/v2x/app/tags/list']) assert.equal(parseV2Path(path), undefined, path);
  });

  it('traversal and other invalid names are NAME_INVALID', () => {
    nameInvalid('/v2/../../etc/manifests/latest');
    nameInvalid('/v2/a/../b/manifests/latest');
    nameInvalid('/v2/%2e%2e/manifests/latest');
    nameInvalid('/v2/a/..%2F..%2Fetc/tags/list');
    nameInvalid('/v2/a%2F%2Fb/tags/list');
    nameInvalid('/v2/UPPER/tags/list');
    nameInvalid('/v2/a%00b/tags/list');
    nameInvalid('/v2/a%zz/tags/list');
    nameInvalid('/v2//tags/list');
    nameInvalid('/v2/a//b/tags/list');
    nameInvalid('/v2/-a/tags/list');
    nameInvalid(`/v2/${'a'.repeat(257)}/tags/list`);
    assert.deepEqual(parseV2Path(`/v2/${'a'.repeat(256)}/tags/list`), { kind: 'tags', name: 'a'.repeat(256) });
    assert.deepEqual(parseV2Path('/v2/a__b/c-d.e/tags/list'), { kind: 'tags', name: 'a__b/c-d.e' });
  });

  it('splitTarget takes origin- and absolute-form targets apart without normalising', () => {
    assert.deepEqual(splitTarget('/v2/../x?n=1'), { path: '/v2/../x', query: new URLSearchParams('n=1') });
    assert.equal(splitTarget('http://h:5000/v2/a/tags/list?n=2').path, '/v2/a/tags/list');
  });
});

describe('ranges', () => {
  it('Range: one range, suffixes, open ends; unsatisfiable and ignored forms', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=50-500', 100), { start: 50, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,5-6', 100), undefined);
    assert.equal(parseRange('items=0-1', 100), undefined);
    assert.equal(parseRange('bytes=9-1', 100), undefined);
    assert.equal(parseRange(undefined, 100), undefined);
  });

  it('Content-Range of a chunk is <start>-<end>, inclusive', () => {
    assert.deepEqual(parseContentRange('0-99'), { start: 0, end: 99 });
    assert.deepEqual(parseContentRange('bytes 100-199/*'), { start: 100, end: 199 });
    assert.equal(parseContentRange('99-0'), 'invalid');
    assert.equal(parseContentRange('bogus'), 'invalid');
    assert.equal(parseContentRange(undefined), undefined);
    assert.equal(uploadRange(0), '0-0');
    assert.equal(uploadRange(100), '0-99');
  });
});
