import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { MAX_VERSIONS, addVersion, moveStage } from './stages.ts';
import type { VersionRecord } from './records.ts';

const stagesOf = (versions: VersionRecord[]) => Object.fromEntries(versions.map((v) => [v.versionId, [...v.stages].sort()]));
const code = (expected: string, message?: RegExp) => (e: AwsError) => {
  assert.equal(e.code, expected);
  if (message) assert.match(e.message, message);
  return true;
};

describe('staging labels', () => {
  it('a new version takes AWSCURRENT; the version it left becomes AWSPREVIOUS, and the one before loses it', () => {
    let v = addVersion([], 'a', 1).versions;
    assert.deepEqual(stagesOf(v), { a: ['AWSCURRENT'] });
    v = addVersion(v, 'b', 2).versions;
    assert.deepEqual(stagesOf(v), { a: ['AWSPREVIOUS'], b: ['AWSCURRENT'] });
    v = addVersion(v, 'c', 3).versions;
    assert.deepEqual(stagesOf(v), { a: [], b: ['AWSPREVIOUS'], c: ['AWSCURRENT'] });
  });

  it('a version put with other labels leaves AWSCURRENT where it is', () => {
    let v = addVersion([], 'a', 1).versions;
    v = addVersion(v, 'b', 2, ['AWSPENDING']).versions;
    assert.deepEqual(stagesOf(v), { a: ['AWSCURRENT'], b: ['AWSPENDING'] });
    v = addVersion(v, 'c', 3, ['AWSPENDING', 'AWSCURRENT']).versions;
    assert.deepEqual(stagesOf(v), { a: ['AWSPREVIOUS'], b: [], c: ['AWSCURRENT', 'AWSPENDING'] });
  });

  it('beyond 100 versions the oldest deprecated ones are dropped', () => {
    let v: VersionRecord[] = [];
    const dropped: string[] = [];
    for (let n = 0; n < MAX_VERSIONS + 3; n++) {
      const change = addVersion(v, `v${n}`, n);
      v = change.versions;
      dropped.push(...change.dropped);
    }
    assert.equal(v.length, MAX_VERSIONS);
    assert.deepEqual(dropped, ['v0', 'v1', 'v2']);
  });

  it('MoveToVersionId needs RemoveFromVersionId naming the version that has the label; moving AWSCURRENT makes AWSPREVIOUS', () => {
    let v = addVersion(addVersion([], 'a', 1).versions, 'b', 2).versions;
    assert.throws(() => moveStage(v, 'AWSCURRENT', 'a'), code('InvalidParameterException', /currently attached to version b/));
    assert.throws(() => moveStage(v, 'AWSCURRENT', 'a', 'a'), code('InvalidParameterException', /not attached to version a/));
    v = moveStage(v, 'AWSCURRENT', 'a', 'b').versions;
    assert.deepEqual(stagesOf(v), { a: ['AWSCURRENT'], b: ['AWSPREVIOUS'] });
  });

  it('a label not attached anywhere is added; a label is removed; AWSCURRENT cannot be removed; unknown versions refused', () => {
    let v = addVersion([], 'a', 1).versions;
    v = moveStage(v, 'TEST', 'a').versions;
    assert.deepEqual(stagesOf(v), { a: ['AWSCURRENT', 'TEST'] });
    v = moveStage(v, 'TEST', undefined, 'a').versions;
    assert.deepEqual(stagesOf(v), { a: ['AWSCURRENT'] });
    assert.throws(() => moveStage(v, 'AWSCURRENT', undefined, 'a'), code('InvalidParameterException', /AWSCURRENT/));
    assert.throws(() => moveStage(v, 'X', 'nope'), code('InvalidParameterException', /nope/));
  });
});
