import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { compareAlpineVersions, compareDebianVersions } from './versions.ts';

const sign = (n: number) => Math.sign(n) || 0;

describe('Debian versions (dpkg order)', () => {
  const cases: [string, string, number][] = [
    ['1.0', '1.0', 0],
    ['1.0-1', '1.0-2', -1],
    ['1.0~rc1', '1.0', -1],
    ['1.0~rc1-1', '1.0-1', -1],
    ['1.0~~', '1.0~', -1],
    ['1.0~', '1.0', -1],
    ['1.0', '1.0+b1', -1],
    ['1.0a', '1.0', 1],
    ['1:0.9', '2.0', 1],
    ['0:1.0', '1.0', 0],
    ['1.10', '1.9', 1],
    ['1.001', '1.1', 0],
    ['1.0-1', '1.0', 1],
    ['1.0', '1.0-0', 0],
    ['2.36-9+deb12u3', '2.36-9+deb12u4', -1],
    ['3.0.11-1~deb12u2', '3.0.11-1', -1],
    ['7.88.1-10+deb12u5', '7.88.1-10+deb12u10', -1],
    ['1.2-3-4', '1.2-3-5', -1],
  ];
  for (const [a, b, want] of cases) {
    test(`${a} vs ${b}`, () => {
      assert.equal(sign(compareDebianVersions(a, b)), want);
      assert.equal(sign(compareDebianVersions(b, a)), -want || 0);
    });
  }

  test('is a total order on generated versions (antisymmetric, transitive)', () => {
    const version = fc.stringMatching(/^([1-9]:)?[0-9][0-9a-z.+~]{0,6}(-[0-9a-z.+~]{1,4})?$/);
    fc.assert(fc.property(version, version, version, (a, b, c) => {
      assert.equal(sign(compareDebianVersions(a, b)), sign(-compareDebianVersions(b, a)));
      if (compareDebianVersions(a, b) <= 0 && compareDebianVersions(b, c) <= 0) assert.ok(compareDebianVersions(a, c) <= 0);
    }));
  });
});

describe('Alpine versions (apk order)', () => {
  const cases: [string, string, number][] = [
    ['1.2.3', '1.2.3', 0],
    ['1.2.3-r0', '1.2.3-r1', -1],
    ['1.2.3', '1.2.3-r0', 0],
    ['1.2.3_rc1', '1.2.3', -1],
    ['1.2.3_alpha', '1.2.3_beta', -1],
    ['1.2.3_pre2', '1.2.3_rc1', -1],
    ['1.2.3', '1.2.3_p1', -1],
    ['1.2.3_p1', '1.2.3_p2', -1],
    ['1.2.3', '1.2.3a', -1],
    ['1.2.3a', '1.2.3b', -1],
    ['1.2', '1.2.1', -1],
    ['1.10', '1.9', 1],
    ['1.01', '1.1', -1],
    ['3.1.4-r1', '3.1.4-r5', -1],
    ['3.1.4-r5', '3.1.10-r0', -1],
    ['2.0', '10.0', -1],
  ];
  for (const [a, b, want] of cases) {
    test(`${a} vs ${b}`, () => {
      assert.equal(sign(compareAlpineVersions(a, b)), want);
      assert.equal(sign(compareAlpineVersions(b, a)), -want || 0);
    });
  }
});
