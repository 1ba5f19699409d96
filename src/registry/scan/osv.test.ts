import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImageInventory } from './inventory.ts';
import { cvss3BaseScore, ecosystemOf, indexAdvisories, isAffected, matchInventory, parseOsvFeed, severityCounts } from './osv.ts';
import { compareDebianVersions } from './versions.ts';

const openssl = {
  id: 'DSA-5532-1',
  summary: 'openssl - security update',
  modified: '2024-01-01T00:00:00Z',
  affected: [{
    package: { ecosystem: 'Debian:12', name: 'openssl' },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.11-1~deb12u2' }] }],
    database_specific: { severity: 'important' },
  }],
  references: [{ type: 'WEB', url: 'https://example.test/web' }, { type: 'ADVISORY', url: 'https://security-tracker.debian.org/tracker/DSA-5532-1' }],
};
const bash = {
  id: 'CVE-2099-0001',
  details: 'bash does a thing',
  affected: [{ package: { ecosystem: 'Debian', name: 'bash' }, versions: ['5.2.15-2+b2'] }],
  severity: [{ type: 'CVSS_V3', score: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' }],
};
const musl = {
  id: 'ALPINE-CVE-2099-0002',
  affected: [{
    package: { ecosystem: 'Alpine:v3.19', name: 'musl' },
    ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '1.2.0' }, { fixed: '1.2.4-r3' }] }],
  }],
};

describe('OSV feed', () => {
  test('is read from a JSON array or JSON lines alike, skipping what is not an advisory', () => {
    const fromArray = parseOsvFeed(JSON.stringify([openssl, bash, musl, { id: 'x' }, { id: 'w', withdrawn: '2024', affected: bash.affected }]));
    const fromLines = parseOsvFeed(`${JSON.stringify(openssl)}\n\n${JSON.stringify(bash)}\n${JSON.stringify(musl)}\n`);
    assert.deepEqual(fromArray, fromLines);
    assert.deepEqual(fromArray.map((a) => a.id), ['DSA-5532-1', 'CVE-2099-0001', 'ALPINE-CVE-2099-0002']);
    assert.equal(fromArray[0].uri, 'https://security-tracker.debian.org/tracker/DSA-5532-1');
    assert.equal(fromArray[1].uri, 'https://osv.dev/vulnerability/CVE-2099-0001');
    assert.equal(fromArray[1].summary, 'bash does a thing');
    assert.deepEqual(parseOsvFeed(JSON.stringify(musl)).map((a) => a.id), ['ALPINE-CVE-2099-0002']);
    assert.throws(() => parseOsvFeed(`${JSON.stringify(musl)}\n{oops`), /line 2/);
  });

  test('CVSS v3 base scores', () => {
    assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H'), 9.8);
    assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:C/C:L/I:L/A:N'), 6.1);
    assert.equal(cvss3BaseScore('CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:N/A:N'), 5.5);
    assert.equal(cvss3BaseScore('CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:N'), 0);
    assert.equal(cvss3BaseScore('AV:N/AC:L/Au:N/C:P/I:P/A:P'), undefined);
  });

  test('ranges: introduced ≤ v < fixed, ≤ last_affected, listed versions', () => {
    const cmp = compareDebianVersions;
    const affected = (events: object[], versions: string[] = []) => ({ ecosystem: 'Debian:12', name: 'p', versions, ranges: [events] });
    const fixed = affected([{ introduced: '0' }, { fixed: '2.0-1' }]);
    assert.equal(isAffected(fixed, '1.9-5', cmp), true);
    assert.equal(isAffected(fixed, '2.0~rc1-1', cmp), true);
    assert.equal(isAffected(fixed, '2.0-1', cmp), false);
    assert.equal(isAffected(fixed, '1:1.0-1', cmp), false);
    const window = affected([{ introduced: '1.5' }, { fixed: '1.8' }, { introduced: '2.0' }]);
    assert.equal(isAffected(window, '1.4', cmp), false);
    assert.equal(isAffected(window, '1.5', cmp), true);
    assert.equal(isAffected(window, '1.9', cmp), false);
    assert.equal(isAffected(window, '3.0', cmp), true);
    const last = affected([{ introduced: '1.0' }, { last_affected: '1.2' }]);
    assert.equal(isAffected(last, '1.2', cmp), true);
    assert.equal(isAffected(last, '1.2.1', cmp), false);
    assert.equal(isAffected(affected([], ['1.0-1']), '1.0-1', cmp), true);
    assert.equal(isAffected(affected([], ['1.0-1']), '1.0-2', cmp), false);
  });

  test('an inventory matches by binary or source package, in its own ecosystem, with ECR severities', () => {
    const index = indexAdvisories(parseOsvFeed(JSON.stringify([openssl, bash, musl])));
    const debian: ImageInventory = {
      os: { id: 'debian', versionId: '12' },
      packages: [
        { name: 'libssl3', version: '3.0.11-1~deb12u1', source: 'dpkg', sourceName: 'openssl', sourceVersion: '3.0.11-1~deb12u1' },
        { name: 'openssl', version: '3.0.11-1~deb12u2', source: 'dpkg' },
        { name: 'bash', version: '5.2.15-2+b2', source: 'dpkg' },
        { name: 'musl', version: '1.2.3-r0', source: 'dpkg' },
      ],
    };
    const findings = matchInventory(index, debian);
    assert.deepEqual(findings, [
      {
        name: 'CVE-2099-0001', description: 'bash does a thing', uri: 'https://osv.dev/vulnerability/CVE-2099-0001', severity: 'CRITICAL',
        attributes: [{ key: 'package_name', value: 'bash' }, { key: 'package_version', value: '5.2.15-2+b2' }],
      },
      {
        name: 'DSA-5532-1', description: 'openssl - security update', uri: 'https://security-tracker.debian.org/tracker/DSA-5532-1', severity: 'HIGH',
        attributes: [{ key: 'package_name', value: 'libssl3' }, { key: 'package_version', value: '3.0.11-1~deb12u1' }],
      },
    ]);
    assert.deepEqual(severityCounts(findings), { CRITICAL: 1, HIGH: 1 });
    // The same packages on Debian 11 match only the bare-"Debian" advisory.
    assert.deepEqual(matchInventory(index, { ...debian, os: { id: 'debian', versionId: '11' } }).map((f) => f.name), ['CVE-2099-0001']);
    const alpine: ImageInventory = { os: { id: 'alpine', versionId: '3.19.1' }, packages: [{ name: 'musl', version: '1.2.4-r2', source: 'apk' }] };
    assert.deepEqual(matchInventory(index, alpine).map((f) => [f.name, f.severity]), [['ALPINE-CVE-2099-0002', 'UNDEFINED']]);
    assert.deepEqual(matchInventory(index, { ...alpine, packages: [{ name: 'musl', version: '1.2.4-r3', source: 'apk' }] }), []);
    assert.deepEqual(matchInventory(index, { os: {}, packages: debian.packages }), []);
  });

  test('ecosystems of OS releases', () => {
    assert.equal(ecosystemOf({ id: 'debian', versionId: '12' }), 'Debian:12');
    assert.equal(ecosystemOf({ id: 'alpine', versionId: '3.19.1' }), 'Alpine:v3.19');
    assert.equal(ecosystemOf({ id: 'fedora', versionId: '39' }), undefined);
  });
});
