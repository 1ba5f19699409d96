/** A parameter's version history, pure: appending past 100, selectors, labels moved and removed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import type { ParameterRecord, ParameterVersionRecord } from './records.ts';
import { appendVersion, attachLabels, detachLabels, select } from './versions.ts';

const version = (n: number, labels: string[] = []): ParameterVersionRecord => ({
  version: n, type: 'String', value: `v${n}`, tier: 'Standard', dataType: 'text', labels, lastModifiedDate: n, lastModifiedUser: 'u',
});
const param = (versions: ParameterVersionRecord[]): ParameterRecord => ({ name: '/p', versions, tags: [] });
const code = (expected: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  return true;
};

describe('version history', () => {
  it('keeps 100 versions, dropping the oldest unless it is labelled', () => {
    const full = param(Array.from({ length: 100 }, (_, i) => version(i + 1)));
    const next = appendVersion(full, version(101));
    assert.deepEqual([next.length, next[0]!.version, next[99]!.version], [100, 2, 101]);
    full.versions[0] = version(1, ['keep']);
    assert.throws(() => appendVersion(full, version(101)), code('ParameterMaxVersionLimitExceeded'));
  });

  it('selects the latest, a version, or the labelled version', () => {
    const p = param([version(1, ['old']), version(2), version(3)]);
    assert.equal(select(p, { kind: 'latest' })!.version, 3);
    assert.equal(select(p, { kind: 'version', version: 2 })!.version, 2);
    assert.equal(select(p, { kind: 'label', label: 'old' })!.version, 1);
    assert.equal(select(p, { kind: 'version', version: 9 }), undefined);
    assert.equal(select(p, { kind: 'label', label: 'nope' }), undefined);
  });

  it('a label moves between versions; invalid labels are reported, not attached', () => {
    const p = param([version(1, ['prod']), version(2)]);
    const { versions, invalidLabels } = attachLabels(p, 2, ['prod', '9lives', 'aws-x', 'beta']);
    assert.deepEqual(invalidLabels, ['9lives', 'aws-x']);
    assert.deepEqual(versions.map((v) => v.labels), [[], ['prod', 'beta']]);
    assert.throws(() => attachLabels(p, 7, ['x']), code('ParameterVersionNotFound'));
  });

  it('a version carries at most 10 labels', () => {
    const p = param([version(1, Array.from({ length: 9 }, (_, i) => `l${i}`))]);
    assert.equal(attachLabels(p, 1, ['ten']).versions[0]!.labels.length, 10);
    assert.throws(() => attachLabels(p, 1, ['ten', 'eleven']), code('ParameterVersionLabelLimitExceeded'));
  });

  it('unlabelling removes what the version has and reports the rest', () => {
    const p = param([version(1, ['a', 'b'])]);
    const r = detachLabels(p, 1, ['a', 'z']);
    assert.deepEqual([r.removedLabels, r.invalidLabels, r.versions[0]!.labels], [['a'], ['z'], ['b']]);
  });
});
