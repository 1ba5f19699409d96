import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, test } from 'node:test';
import {
  inventoryOf, mergeLayers, parseApkInstalled, parseDpkgStatus, parseOsRelease, readLayerFiles,
} from './inventory.ts';
import { TarReader, type TarEntry } from './tar.ts';
import { tarOf } from './testing.ts';

const DPKG = `Package: libssl3
Status: install ok installed
Priority: optional
Source: openssl (3.0.11-1~deb12u2)
Version: 3.0.11-1~deb12u2+b1
Description: Secure Sockets Layer toolkit
 a continuation line: Version: 9

Package: removed-thing
Status: deinstall ok config-files
Version: 1.0

Package: bash
Status: install ok installed
Version: 5.2.15-2+b2
`;

const APK = `C:Q1abc=
P:musl
V:1.2.4-r2
o:musl

P:libcrypto3
V:3.1.4-r1
o:openssl
`;

describe('package databases', () => {
  test('dpkg status: installed packages only, with their source package', () => {
    assert.deepEqual(parseDpkgStatus(DPKG), [
      { name: 'libssl3', version: '3.0.11-1~deb12u2+b1', source: 'dpkg', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u2' },
      { name: 'bash', version: '5.2.15-2+b2', source: 'dpkg' },
    ]);
  });

  test('apk installed: P:/V: records, origin when it differs', () => {
    assert.deepEqual(parseApkInstalled(APK), [
      { name: 'musl', version: '1.2.4-r2', source: 'apk' },
      { name: 'libcrypto3', version: '3.1.4-r1', source: 'apk', sourceName: 'openssl', sourceVersion: '3.1.4-r1' },
    ]);
  });

  test('os-release: ID and VERSION_ID, quoted or not', () => {
    assert.deepEqual(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n'), { id: 'debian', versionId: '12' });
    assert.deepEqual(parseOsRelease("ID='alpine'\nVERSION_ID=3.19.1"), { id: 'alpine', versionId: '3.19.1' });
    assert.deepEqual(parseOsRelease('NAME=x'), {});
  });
});

describe('tar reader', () => {
  const archive = tarOf([
    { path: './etc/', type: '5' },
    { path: './etc/os-release', data: 'ID=debian\nVERSION_ID="12"\n' },
    { path: `./${'d/'.repeat(60)}long-file`, data: 'x'.repeat(700) },
    { path: './var/lib/dpkg/status', data: DPKG },
  ]);

  test('reads entries, long names and only the data asked for, however the bytes arrive', () => {
    for (const step of [archive.length, 512, 100, 1]) {
      const seen: TarEntry[] = [];
      const reader = new TarReader((p) => p.endsWith('status') || p.endsWith('long-file'), (e) => seen.push(e));
      for (let i = 0; i < archive.length; i += step) reader.push(archive.subarray(i, i + step));
      reader.end();
      assert.deepEqual(seen.map((e) => e.path), ['etc', 'etc/os-release', `${'d/'.repeat(60)}long-file`, 'var/lib/dpkg/status'], `step ${step}`);
      assert.equal(seen[1].data, undefined);
      assert.equal(seen[2].data?.length, 700);
      assert.equal(seen[3].data?.toString(), DPKG);
    }
  });

  test('a truncated archive is an error', () => {
    const reader = new TarReader(() => true, () => {});
    reader.push(archive.subarray(0, 1024 + 100));
    assert.throws(() => reader.end(), /truncated/);
  });
});

describe('layers', () => {
  test('plain and gzip-compressed layers are read alike', async () => {
    const tar = tarOf([{ path: 'etc/os-release', data: 'ID=alpine\nVERSION_ID=3.19.1\n' }, { path: 'lib/apk/db/installed', data: APK }]);
    for (const bytes of [tar, gzipSync(tar)]) {
      const layer = await readLayerFiles(Readable.from([bytes]));
      assert.deepEqual([...layer.files.keys()], ['etc/os-release', 'lib/apk/db/installed']);
      const inventory = inventoryOf(layer.files);
      assert.deepEqual(inventory.os, { id: 'alpine', versionId: '3.19.1' });
      assert.deepEqual(inventory.packages.map((p) => p.name), ['musl', 'libcrypto3']);
    }
  });

  test('corrupt gzip fails the read', async () => {
    const bad = gzipSync(tarOf([{ path: 'a', data: 'b' }])).subarray(0, 30);
    await assert.rejects(readLayerFiles(Readable.from([bad])));
  });

  test('the topmost layer wins; whiteouts and opaque directories hide lower layers', async () => {
    const read = (entries: Parameters<typeof tarOf>[0]) => readLayerFiles(Readable.from([tarOf(entries)]));
    const base = await read([{ path: 'etc/os-release', data: 'ID=debian\nVERSION_ID=11\n' }, { path: 'var/lib/dpkg/status', data: DPKG }]);
    const upgrade = await read([{ path: 'etc/os-release', data: 'ID=debian\nVERSION_ID=12\n' }]);
    const removeDpkg = await read([{ path: 'var/lib/dpkg/.wh.status' }]);
    const opaqueEtc = await read([{ path: 'etc/.wh..wh..opq' }]);
    const removeLib = await read([{ path: 'var/.wh.lib' }]);

    let inv = inventoryOf(mergeLayers([base, upgrade]));
    assert.deepEqual(inv.os, { id: 'debian', versionId: '12' });
    assert.equal(inv.packages.length, 2);
    inv = inventoryOf(mergeLayers([base, upgrade, removeDpkg]));
    assert.equal(inv.packages.length, 0);
    assert.deepEqual(inventoryOf(mergeLayers([base, opaqueEtc])).os, {});
    assert.equal(inventoryOf(mergeLayers([base, removeLib])).packages.length, 0);
    // A whiteout hides only what is below it: the same layer's own file stays.
    const both = await read([{ path: 'var/lib/dpkg/.wh.status' }, { path: 'var/lib/dpkg/status', data: DPKG }]);
    assert.equal(inventoryOf(mergeLayers([base, both])).packages.length, 2);
  });
});
