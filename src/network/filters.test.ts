/** EC2's Describe filters: wildcards, any-of values, all-of filters, tag filters, unknown names. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AwsError } from '../aws/index.ts';
import { applyFilters, wildcard, type FilterValues } from './filters.ts';
import type { Ec2Tag } from './records.ts';

interface Thing {
  id: string;
  cidr: string;
  isDefault: boolean;
  ports: number[];
  tags: Ec2Tag[];
}

const things: Thing[] = [
  { id: 'vpc-1', cidr: '10.0.0.0/16', isDefault: false, ports: [22, 443], tags: [{ key: 'Name', value: 'web' }, { key: 'team', value: 'blue' }] },
  { id: 'vpc-2', cidr: '172.31.0.0/16', isDefault: true, ports: [], tags: [] },
  { id: 'vpc-3', cidr: '10.1.0.0/16', isDefault: false, ports: [80], tags: [{ key: 'Name', value: 'db*' }] },
];
const values: FilterValues<Thing> = { 'vpc-id': (t) => [t.id], cidr: (t) => [t.cidr], 'is-default': (t) => [t.isDefault], port: (t) => t.ports };
const ids = (filters: { name: string; values: string[] }[]) => applyFilters(things, filters, values, (t) => t.tags).map((t) => t.id);

describe('wildcard', () => {
  it('* is any run, ? one character, \\ escapes, the rest is literal', () => {
    assert.ok(wildcard('10.*').test('10.0.0.0/16'));
    assert.ok(wildcard('*').test(''));
    assert.ok(wildcard('vpc-?').test('vpc-1'));
    assert.ok(!wildcard('vpc-?').test('vpc-12'));
    assert.ok(wildcard('a.b').test('a.b'));
    assert.ok(!wildcard('a.b').test('axb'), 'a dot is a dot');
    assert.ok(wildcard('db\\*').test('db*'));
    assert.ok(!wildcard('db\\*').test('dbx'));
    assert.ok(wildcard('(x)[y]+').test('(x)[y]+'));
  });
});

describe('applyFilters', () => {
  it('no filters: everything, in order', () => {
    assert.deepEqual(ids([]), ['vpc-1', 'vpc-2', 'vpc-3']);
  });

  it('any value of a filter matches; every filter must match', () => {
    assert.deepEqual(ids([{ name: 'vpc-id', values: ['vpc-1', 'vpc-3'] }]), ['vpc-1', 'vpc-3']);
    assert.deepEqual(ids([{ name: 'vpc-id', values: ['vpc-1', 'vpc-3'] }, { name: 'cidr', values: ['10.1.*'] }]), ['vpc-3']);
    assert.deepEqual(ids([{ name: 'cidr', values: ['10.*'] }, { name: 'is-default', values: ['true'] }]), []);
  });

  it('booleans and numbers compare as their text; a list value matches when any element does', () => {
    assert.deepEqual(ids([{ name: 'is-default', values: ['true'] }]), ['vpc-2']);
    assert.deepEqual(ids([{ name: 'port', values: ['443'] }]), ['vpc-1']);
  });

  it('tag:<key>, tag-key and tag-value', () => {
    assert.deepEqual(ids([{ name: 'tag:Name', values: ['web'] }]), ['vpc-1']);
    assert.deepEqual(ids([{ name: 'tag:Name', values: ['*'] }]), ['vpc-1', 'vpc-3'], 'a tag filter needs the key to be there');
    assert.deepEqual(ids([{ name: 'tag:Name', values: ['db\\*'] }]), ['vpc-3']);
    assert.deepEqual(ids([{ name: 'tag-key', values: ['team'] }]), ['vpc-1']);
    assert.deepEqual(ids([{ name: 'tag-value', values: ['blue', 'nothing'] }]), ['vpc-1']);
  });

  it('a filter name the kind does not have is InvalidParameterValue', () => {
    assert.throws(() => ids([{ name: 'colour', values: ['red'] }]), (e: AwsError) => e.code === 'InvalidParameterValue' && e.message === "The filter 'colour' is invalid");
    assert.throws(() => applyFilters(things, [{ name: 'tag:Name', values: ['x'] }], values), /The filter 'tag:Name' is invalid/, 'no tag filters on an untaggable kind');
  });
});
