/** DescribeParameters' and GetParametersByPath's filters: checked per operation, then applied. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { checkFilters, fromLegacy, passes, type StringFilter } from './filters.ts';
import type { ParameterRecord, ParameterType } from './records.ts';

const param = (name: string, type: ParameterType, extra: { tier?: 'Standard' | 'Advanced'; tags?: Record<string, string>; keyId?: string } = {}): ParameterRecord => ({
  name, tags: Object.entries(extra.tags ?? {}).map(([key, value]) => ({ key, value })),
  versions: [{ version: 1, type, tier: extra.tier ?? 'Standard', dataType: 'text', labels: [], lastModifiedDate: 0, lastModifiedUser: 'u', ...(extra.keyId ? { keyId: extra.keyId } : {}) }],
});
const all = [
  param('/app/prod/db', 'SecureString', { tags: { team: 'blue' } }),
  param('/app/prod/url', 'String', { tier: 'Advanced' }),
  param('/app/dev/url', 'StringList', { tags: { team: 'red' } }),
  param('plain', 'String'),
  param('/other/key', 'SecureString', { keyId: 'alias/custom' }),
];
const names = (filters: StringFilter[]) => all.filter((p) => passes(p, filters)).map((p) => p.name);
const code = (expected: string) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  return true;
};

describe('parameter filters', () => {
  it('Name with Equals, BeginsWith and Contains (a leading slash optional)', () => {
    assert.deepEqual(names([{ key: 'Name', values: ['plain'] }]), ['plain']);
    assert.deepEqual(names([{ key: 'Name', option: 'BeginsWith', values: ['app/prod'] }]), ['/app/prod/db', '/app/prod/url']);
    assert.deepEqual(names([{ key: 'Name', option: 'Contains', values: ['url'] }]), ['/app/prod/url', '/app/dev/url']);
  });

  it('Type, KeyId (SecureStrings, alias/aws/ssm by default), Tier, tags with and without values', () => {
    assert.deepEqual(names([{ key: 'Type', values: ['SecureString'] }]), ['/app/prod/db', '/other/key']);
    assert.deepEqual(names([{ key: 'KeyId', values: ['alias/aws/ssm'] }]), ['/app/prod/db']);
    assert.deepEqual(names([{ key: 'Tier', values: ['Advanced'] }]), ['/app/prod/url']);
    assert.deepEqual(names([{ key: 'tag:team', values: ['red'] }]), ['/app/dev/url']);
    assert.deepEqual(names([{ key: 'tag:team' }]), ['/app/prod/db', '/app/dev/url']);
    assert.deepEqual(names([{ key: 'Type', values: ['String', 'StringList'] }, { key: 'Name', option: 'BeginsWith', values: ['/app'] }]), ['/app/prod/url', '/app/dev/url']);
  });

  it('Path, one level by default or Recursive', () => {
    assert.deepEqual(names([{ key: 'Path', values: ['/app'] }]), []);
    assert.deepEqual(names([{ key: 'Path', values: ['/app/prod'] }]), ['/app/prod/db', '/app/prod/url']);
    assert.deepEqual(names([{ key: 'Path', option: 'Recursive', values: ['/app'] }]), ['/app/prod/db', '/app/prod/url', '/app/dev/url']);
  });

  it('legacy Filters compare for equality', () => {
    assert.deepEqual(names(fromLegacy([{ key: 'Type', values: ['StringList'] }])), ['/app/dev/url']);
  });

  it('keys and options are checked for the operation they are given to', () => {
    checkFilters([{ key: 'Label', values: ['prod'] }, { key: 'Type', values: ['String'] }], 'by-path');
    checkFilters([{ key: 'tag:x' }, { key: 'Path', option: 'OneLevel', values: ['/a'] }], 'describe');
    assert.throws(() => checkFilters([{ key: 'Label', values: ['x'] }], 'describe'), code('InvalidFilterKey'));
    assert.throws(() => checkFilters([{ key: 'Name', values: ['x'] }], 'by-path'), code('InvalidFilterKey'));
    assert.throws(() => checkFilters([{ key: 'Path', option: 'Equals', values: ['/a'] }], 'describe'), code('InvalidFilterOption'));
    assert.throws(() => checkFilters([{ key: 'Type', option: 'Contains', values: ['String'] }], 'describe'), code('InvalidFilterOption'));
    assert.throws(() => checkFilters([{ key: 'Type' }], 'describe'), code('InvalidFilterValue'));
  });
});
