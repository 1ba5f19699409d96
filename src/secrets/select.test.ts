import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { arnSuffix, partialArn, secretArn, type Scope, type SecretRecord } from './records.ts';
import { candidatesFor, matchesFilters, words } from './select.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const secret = (name: string, more: Partial<SecretRecord> = {}): SecretRecord => ({
  arn: secretArn(scope, name, 'AbC123'), name, tags: [], versions: [], createdAt: 0, lastChangedAt: 0, ...more,
});

/** The secret among `records` that `id` names, as the domain looks it up. */
function resolve(records: SecretRecord[], id: string): SecretRecord | undefined {
  for (const c of candidatesFor(scope, id)) {
    const r = records.find((x) => x.name === c.name);
    if (r && c.matches(r)) return r;
  }
  return undefined;
}

describe('which secret a SecretId names', () => {
  const prod = secret('prod/db');
  const dashed = secret('app-config1');
  const records = [prod, dashed];

  it('ARNs end in six alphanumerics', () => {
    assert.match(arnSuffix('00ff7a3c19e4b2d8aa00ff7a3c19e4b2'), /^[A-Za-z0-9]{6}$/);
    assert.equal(prod.arn, 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:prod/db-AbC123');
  });

  it('by name, full ARN or partial ARN; not by a wrong suffix, another account or region', () => {
    assert.equal(resolve(records, 'prod/db'), prod);
    assert.equal(resolve(records, prod.arn), prod);
    assert.equal(resolve(records, partialArn(scope, 'prod/db')), prod);
    assert.equal(resolve(records, `${partialArn(scope, 'prod/db')}-XyZ789`), undefined);
    assert.equal(resolve(records, prod.arn.replace('123456789012', '210987654321')), undefined);
    assert.equal(resolve(records, prod.arn.replace('eu-west-1', 'us-east-1')), undefined);
    assert.equal(resolve(records, 'prod'), undefined);
  });

  it('a name that itself ends like a suffix is found by its partial ARN and its full one', () => {
    assert.equal(resolve(records, partialArn(scope, 'app-config1')), dashed);
    assert.equal(resolve(records, dashed.arn), dashed);
  });
});

describe("ListSecrets' filters", () => {
  const a = secret('DatabaseSecret', { description: 'My basic description', tags: [{ key: 'team', value: 'payments' }] });
  const b = secret('databaseSecret', { description: 'Other', tags: [{ key: 'env', value: 'prod' }] });
  const names = (filters: { key: string; values: string[] }[]) => [a, b].filter((r) => matchesFilters(r, filters)).map((r) => r.name);

  it('name and tags: case-sensitive prefixes; description: not case-sensitive', () => {
    assert.deepEqual(names([{ key: 'name', values: ['Data'] }]), ['DatabaseSecret']);
    assert.deepEqual(names([{ key: 'tag-key', values: ['te'] }]), ['DatabaseSecret']);
    assert.deepEqual(names([{ key: 'tag-value', values: ['pro', 'pay'] }]), ['DatabaseSecret', 'databaseSecret']);
    assert.deepEqual(names([{ key: 'tag-value', values: ['Pro'] }]), []);
    assert.deepEqual(names([{ key: 'description', values: ['my'] }]), ['DatabaseSecret']);
    assert.deepEqual(names([{ key: 'description', values: ['DESCRIPTION'] }]), ['DatabaseSecret']);
  });

  it('every filter must pass; ! negates', () => {
    assert.deepEqual(names([{ key: 'name', values: ['!Data'] }]), ['databaseSecret']);
    assert.deepEqual(names([{ key: 'name', values: ['data', 'Data'] }, { key: 'tag-key', values: ['env'] }]), ['databaseSecret']);
  });

  it('all: words of the search, any attribute, not case-sensitive', () => {
    assert.deepEqual(words('credsDatabase#892'), ['creds', 'database', '892']);
    assert.deepEqual(names([{ key: 'all', values: ['PAYMENTS'] }]), ['DatabaseSecret']);
    assert.deepEqual(names([{ key: 'all', values: ['secret'] }]), ['DatabaseSecret', 'databaseSecret']);
    assert.deepEqual(names([{ key: 'all', values: ['nothing'] }]), []);
  });
});
