import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ecrModel } from '../models/ecr.ts';
import { ecsModel } from '../models/ecs.ts';
import { iamModel } from '../models/iam.ts';
import { stsModel } from '../models/sts.ts';
import { coralValidationMessage } from './messages.ts';
import type { ServiceModel, Shape } from './types.ts';
import { validateInput } from './validate.ts';

/** A small model around one input structure, `Input`. */
function model(shapes: Record<string, Shape>): ServiceModel {
  return {
    metadata: { serviceId: 'Test', apiVersion: '2024-01-01', protocol: 'awsJson1_1', signingName: 'test', targetPrefix: 'Test' },
    operations: { Op: { name: 'Op', input: 'Input' } },
    shapes,
  };
}

const shapes: Record<string, Shape> = {
  Input: {
    type: 'structure',
    members: {
      name: { shape: 'Name' }, kind: { shape: 'Kind' }, count: { shape: 'Count' }, ratio: { shape: 'Ratio' },
      tags: { shape: 'Tags' }, labels: { shape: 'Labels' }, secret: { shape: 'Secret' }, data: { shape: 'Data' },
      nested: { shape: 'Nested' }, choice: { shape: 'Choice' }, when: { shape: 'When' },
    },
    required: ['name', 'kind'],
  },
  Name: { type: 'string', min: 1, max: 8, pattern: '[a-z]+' },
  Kind: { type: 'string', enum: ['A', 'B', 'C'] },
  Count: { type: 'integer', min: 1, max: 100 },
  Ratio: { type: 'double', min: 0, max: 1 },
  Tags: { type: 'list', member: { shape: 'Tag' }, max: 2 },
  Tag: { type: 'structure', members: { key: { shape: 'Name' }, value: { shape: 'Plain' } }, required: ['key'] },
  Plain: { type: 'string' },
  Labels: { type: 'map', key: { shape: 'Name' }, value: { shape: 'LabelValue' } },
  LabelValue: { type: 'string', max: 3 },
  Secret: { type: 'string', min: 4, sensitive: true },
  Data: { type: 'blob', max: 2 },
  Nested: { type: 'structure', members: { inner: { shape: 'Nested' }, name: { shape: 'Name' } }, required: ['name'] },
  Choice: { type: 'structure', members: { a: { shape: 'Plain' }, b: { shape: 'Count' } }, union: true },
  When: { type: 'timestamp' },
};
const test1 = model(shapes);
const valid = { name: 'ok', kind: 'A' };

function violations(input: object) {
  return validateInput(test1, 'Input', input).map((v) => ({ path: v.path, constraint: v.constraint, message: v.message }));
}

describe('validateInput on a small model', () => {
  test('a valid input has no violations', () => {
    assert.deepEqual(validateInput(test1, 'Input', { ...valid, count: 5, ratio: 0.5, tags: [{ key: 'a' }], when: new Date(0), data: new Uint8Array(2) }), []);
  });

  test('required members: "Member must not be null", in member order', () => {
    const found = validateInput(test1, 'Input', {});
    assert.deepEqual(found.map((v) => [v.path, v.constraint, v.message, v.value]), [
      [['name'], 'required', 'Member must not be null', undefined],
      [['kind'], 'required', 'Member must not be null', undefined],
    ]);
    assert.deepEqual(violations({ name: null, kind: 'A' }).map((v) => v.path), [['name']], 'null counts as missing');
  });

  test('enums list the value set in model order', () => {
    assert.deepEqual(violations({ ...valid, kind: 'D' }), [
      { path: ['kind'], constraint: 'enum', message: 'Member must satisfy enum value set: [A, B, C]' },
    ]);
  });

  test('string lengths count code points, both bounds', () => {
    assert.deepEqual(violations({ ...valid, name: 'abcdefghi' }).map((v) => v.message), ['Member must have length less than or equal to 8']);
    assert.deepEqual(violations({ ...valid, name: '' }).map((v) => v.message), [
      'Member must have length greater than or equal to 1',
      'Member must satisfy regular expression pattern: [a-z]+',
    ]);
    assert.deepEqual(violations({ ...valid, secret: '😀😀😀😀' }), [], 'four code points are four, not eight UTF-16 units');
  });

  test('numeric ranges; double bounds as Java prints them', () => {
    assert.deepEqual(violations({ ...valid, count: 0 }).map((v) => v.message), ['Member must have value greater than or equal to 1']);
    assert.deepEqual(violations({ ...valid, count: 101 }).map((v) => v.message), ['Member must have value less than or equal to 100']);
    assert.deepEqual(violations({ ...valid, ratio: 1.5 }).map((v) => v.message), ['Member must have value less than or equal to 1.0']);
  });

  test('patterns match the whole value', () => {
    assert.deepEqual(violations({ ...valid, name: 'ab1' }).map((v) => [v.constraint, v.message]), [
      ['pattern', 'Member must satisfy regular expression pattern: [a-z]+'],
    ]);
  });

  test('lists: the list length, then each element depth first, with its index', () => {
    assert.deepEqual(violations({ ...valid, tags: [{ key: 'a' }, {}, { key: 'B' }] }).map((v) => [v.path, v.constraint]), [
      [['tags'], 'length'],
      [['tags', 1, 'key'], 'required'],
      [['tags', 2, 'key'], 'pattern'],
    ]);
  });

  test('lists of simple values: reported once at the list, listing every constraint of the element shape', () => {
    const listing = model({
      Input: { type: 'structure', members: { kinds: { shape: 'Kinds' }, names: { shape: 'Names' } } },
      Kinds: { type: 'list', member: { shape: 'Kind' } },
      Kind: { type: 'string', enum: ['A', 'B'] },
      Names: { type: 'list', member: { shape: 'Name' }, min: 1 },
      Name: { type: 'string', min: 1, max: 8, pattern: '[a-z]+' },
    });
    const found = validateInput(listing, 'Input', { kinds: ['A', 'X', 'Y'], names: ['ok', 'NOT OK'] });
    assert.deepEqual(found.map((v) => [v.path, v.value, v.constraint, v.message]), [
      [['kinds'], ['A', 'X', 'Y'], 'enum', 'Member must satisfy constraint: [Member must satisfy enum value set: [A, B]]'],
      [['names'], ['ok', 'NOT OK'], 'pattern', 'Member must satisfy constraint: [Member must have length less than or equal to 8, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [a-z]+]'],
    ]);
    assert.deepEqual(validateInput(listing, 'Input', { names: [] }).map((v) => v.message), ['Member must have length greater than or equal to 1']);
  });

  test('maps: keys and simple values are reported at the map, listing every constraint of their shape', () => {
    assert.deepEqual(violations({ ...valid, labels: { good: 'x', BAD: 'y' } }), [{
      path: ['labels'], constraint: 'pattern',
      message: 'Map keys must satisfy constraint: [Member must have length less than or equal to 8, Member must have length greater than or equal to 1, Member must satisfy regular expression pattern: [a-z]+]',
    }]);
    assert.deepEqual(violations({ ...valid, labels: { good: 'long' } }), [{
      path: ['labels'], constraint: 'length', message: 'Map value must satisfy constraint: [Member must have length less than or equal to 3]',
    }]);
  });

  test('blobs are measured in bytes', () => {
    assert.deepEqual(violations({ ...valid, data: new Uint8Array(3) }).map((v) => v.message), ['Member must have length less than or equal to 2']);
  });

  test('sensitive values are marked so they are never shown', () => {
    const [violation] = validateInput(test1, 'Input', { ...valid, secret: 'abc' });
    assert.equal(violation?.sensitive, true);
    assert.equal(validateInput(test1, 'Input', { ...valid, name: '' })[0]?.sensitive, undefined);
  });

  test('inside a sensitive structure or list, no value is shown', () => {
    const hiding = model({
      Input: { type: 'structure', members: { creds: { shape: 'Creds' }, env: { shape: 'Env' } } },
      Creds: { type: 'structure', members: { user: { shape: 'Short' } }, required: ['user'], sensitive: true },
      Env: { type: 'list', member: { shape: 'Short' }, sensitive: true },
      Short: { type: 'string', max: 2 },
    });
    const found = validateInput(hiding, 'Input', { creds: { user: 'long' }, env: ['ok', 'long'] });
    assert.deepEqual(found.map((v) => [v.path, v.sensitive]), [[['creds', 'user'], true], [['env'], true]]);
  });

  test('unions need exactly one member', () => {
    assert.deepEqual(violations({ ...valid, choice: { a: 'x' } }), []);
    assert.deepEqual(violations({ ...valid, choice: {} }).map((v) => [v.path, v.constraint]), [[['choice'], 'union']]);
    assert.deepEqual(violations({ ...valid, choice: { a: 'x', b: 2 } }).map((v) => [v.path, v.constraint]), [[['choice'], 'union']]);
  });

  test('recursive shapes: checked as deep as the value goes, and a value containing itself ends', () => {
    assert.deepEqual(violations({ ...valid, nested: { name: 'a', inner: { name: 'b', inner: {} } } }).map((v) => v.path), [
      ['nested', 'inner', 'inner', 'name'],
    ]);
    const loop: Record<string, unknown> = { name: 'a' };
    loop.inner = loop;
    assert.deepEqual(violations({ ...valid, nested: loop }), []);
  });

  test('an absent input is an empty structure', () => {
    assert.deepEqual(validateInput(test1, 'Input', undefined).map((v) => v.path), [['name'], ['kind']]);
  });
});

describe('validateInput on the generated models', () => {
  test('IAM CreateUser with a UserName breaking the pattern', () => {
    const found = validateInput(iamModel, 'CreateUserRequest', { UserName: 'bad name!' });
    assert.equal(
      coralValidationMessage(found),
      "1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
  });

  test('IAM CreateUser: too long a name and a bad tag, with Query paths', () => {
    const found = validateInput(iamModel, 'CreateUserRequest', { UserName: 'u'.repeat(65), Tags: [{ Key: 'ok', Value: 'v' }, { Key: 'k', Value: 'semi;colon' }] });
    assert.deepEqual(found.map((v) => v.path), [['UserName'], ['Tags', 1, 'Value']]);
    assert.match(coralValidationMessage(found), /^2 validation errors detected: .* at 'userName' .*less than or equal to 64; Value 'semi;colon' at 'tags\.2\.member\.value' /);
  });

  test('ECS RunTask without taskDefinition', () => {
    const found = validateInput(ecsModel, 'RunTaskRequest', { cluster: 'default', count: 1 });
    assert.deepEqual(found.map((v) => [v.path, v.constraint]), [[['taskDefinition'], 'required']]);
    assert.equal(coralValidationMessage(found), "1 validation error detected: Value null at 'taskDefinition' failed to satisfy constraint: Member must not be null");
  });

  test('ECS RegisterTaskDefinition: nested required members of container definitions', () => {
    const found = validateInput(ecsModel, 'RegisterTaskDefinitionRequest', { family: 'web', containerDefinitions: [{ name: 'app', portMappings: [{ containerPort: 80, protocol: 'sctp' }] }] });
    assert.deepEqual(found.map((v) => [v.path, v.constraint]), [[['containerDefinitions', 0, 'portMappings', 0, 'protocol'], 'enum']]);
  });

  test('ECS DescribeClusters: a list of enum values, worded as AWS does', () => {
    const found = validateInput(ecsModel, 'DescribeClustersRequest', { include: ['TAGS', 'COLOR'] });
    assert.equal(
      coralValidationMessage(found),
      "1 validation error detected: Value '[TAGS, COLOR]' at 'include' failed to satisfy constraint: Member must satisfy constraint: " +
        `[Member must satisfy enum value set: [${(ecsModel.shapes.ClusterField as { enum: string[] }).enum.join(', ')}]]`,
    );
  });

  test('ECR enums and ranges', () => {
    const found = validateInput(ecrModel, 'DescribeImagesRequest', { repositoryName: 'app', filter: { tagStatus: 'SOME' }, maxResults: 0 });
    assert.deepEqual(found.map((v) => [v.path, v.message]), [
      [['maxResults'], 'Member must have value greater than or equal to 1'],
      [['filter', 'tagStatus'], 'Member must satisfy enum value set: [TAGGED, UNTAGGED, ANY]'],
    ]);
  });

  test('STS AssumeRole: a session name too short and a duration out of range', () => {
    const found = validateInput(stsModel, 'AssumeRoleRequest', { RoleArn: 'arn:aws:iam::123456789012:role/r', RoleSessionName: 'x', DurationSeconds: 10 });
    assert.deepEqual(found.map((v) => [v.path, v.constraint]), [[['RoleSessionName'], 'length'], [['DurationSeconds'], 'range']]);
  });
});
