/**
 * The merge rules of the model builder on small, hand-made sources (no SDK, no botocore needed):
 * `node --import tsx --test scripts/models/build-model.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServiceMetadata } from '../../src/aws/model/types.ts';
import type { BotoModel } from './botocore.ts';
import { buildServiceModel } from './build-model.ts';
import type { DeclaredType, SdkDeclarations } from './sdk-declarations.ts';
import type { SdkMember, SdkStructure, SdkType } from './smithy-schemas.ts';

const json: ServiceMetadata = { serviceId: 'Test', apiVersion: '2020-01-01', protocol: 'awsJson1_1', signingName: 'test', targetPrefix: 'Test' };
const str = (traits = {}): SdkType => ({ kind: 'string', traits });
const num = (): SdkType => ({ kind: 'number', traits: {} });
const member = (target: SdkType, traits = {}): SdkMember => ({ target, traits });
const struct = (name: string, members: [string, SdkMember][], required: string[] = [], kind: SdkStructure['kind'] = 'structure', traits = {}): SdkStructure =>
  ({ kind, name, traits, members, required });
const ref = (name: string): DeclaredType => ({ kind: 'ref', name });

function declarations(enums: Record<string, string[]>, members: Record<string, Record<string, DeclaredType>>): SdkDeclarations {
  return {
    enums: new Map(Object.entries(enums)),
    members: new Map(Object.entries(members).map(([k, v]) => [k, new Map(Object.entries(v))])),
    typeNames: new Set(Object.keys(members)),
  };
}

const botocore: BotoModel = {
  metadata: {},
  operations: {
    Run: { name: 'Run', input: { shape: 'RunRequest' }, errors: [{ shape: 'BadThing' }, { shape: 'Gone' }] },
    Old: { name: 'Old', input: { shape: 'OldRequest' } },
  },
  shapes: {
    RunRequest: { type: 'structure', members: { name: { shape: 'Name' }, mode: { shape: 'Mode' }, count: { shape: 'Count' }, task: { shape: 'Name' } }, required: ['task'] },
    Name: { type: 'string', min: 1, max: 32, pattern: '[a-z]+' },
    Mode: { type: 'string', enum: ['SLOW', 'FAST'] },
    Count: { type: 'long', min: 0 },
    Names: { type: 'list', member: { shape: 'Name' }, max: 5 },
    BadThing: { type: 'structure', members: {}, exception: true, error: { httpStatusCode: 409 } },
  },
};

describe('buildServiceModel', () => {
  const runRequest = struct('RunRequest', [
    ['task', member(str())], // the SDK lists required members first
    ['name', member(str())],
    ['mode', member(str())],
    ['count', member(num())],
    ['token', member(str(), { idempotencyToken: 1 })], // newer than botocore
    ['names', member({ kind: 'list', name: 'Names', traits: {}, member: member(str()) })],
    ['ratio', member(num())],
  ], ['task']);
  const badThing = struct('BadThing', [['message', member(str())]], [], 'error', { error: 'client' });
  const serverError = struct('Broken', [], [], 'error', { error: 'server' });
  const { model, notes } = buildServiceModel({
    metadata: json,
    sdk: { operations: [{ name: 'Run', traits: {}, input: runRequest }, { name: 'Ping', traits: {} }], errors: [serverError, badThing] },
    declarations: declarations({ Mode: ['FAST', 'SLOW', 'TURBO'] }, { RunRequest: { mode: ref('Mode') } }),
    botocore,
  });

  test('members in botocore order, newer members after their predecessor and after required ones', () => {
    const shape = model.shapes.RunRequest;
    assert.ok(shape?.type === 'structure');
    assert.deepEqual(Object.keys(shape.members), ['name', 'mode', 'count', 'task', 'token', 'names', 'ratio']);
    assert.deepEqual(shape.required, ['task']);
    assert.deepEqual(shape.members.token, { shape: 'String', idempotencyToken: true });
  });

  test('constraints from botocore, shapes named as botocore names them and shared', () => {
    const shape = model.shapes.RunRequest;
    assert.ok(shape?.type === 'structure');
    assert.equal(shape.members.name?.shape, 'Name');
    assert.equal(shape.members.task?.shape, 'Name');
    assert.deepEqual(model.shapes.Name, { type: 'string', min: 1, max: 32, pattern: '[a-z]+' });
    assert.deepEqual(model.shapes.Count, { type: 'long', min: 0 });
    assert.deepEqual(model.shapes.Names, { type: 'list', member: { shape: 'Name' }, max: 5 }, 'a named SDK list takes botocore constraints by name, its member too');
  });

  test('enums: the SDK values, in botocore order, newer values last', () => {
    assert.deepEqual(model.shapes.Mode, { type: 'string', enum: ['SLOW', 'FAST', 'TURBO'] });
  });

  test('a number botocore cannot type is guessed from its name, and noted', () => {
    const shape = model.shapes.RunRequest;
    assert.ok(shape?.type === 'structure');
    assert.equal(model.shapes[shape.members.ratio!.shape]?.type, 'double');
    assert.ok(notes.some((n) => n.includes('ratio')));
  });

  test('operations: errors botocore lists that the SDK has, unit input and output absent', () => {
    assert.deepEqual(model.operations.Run, { name: 'Run', input: 'RunRequest', errors: ['BadThing'] });
    assert.deepEqual(model.operations.Ping, { name: 'Ping' });
    assert.ok(notes.some((n) => n.includes('Old')), 'a botocore operation the SDK lacks is noted');
  });

  test('errors: code, status from botocore or the fault', () => {
    assert.deepEqual(model.shapes.BadThing, {
      type: 'structure', members: { message: { shape: 'String' } }, exception: true,
      error: { code: 'BadThing', httpStatusCode: 409, senderFault: true },
    });
    const broken = model.shapes.Broken;
    assert.ok(broken?.type === 'structure');
    assert.deepEqual(broken.error, { code: 'Broken', httpStatusCode: 500 });
  });

  test('two different shapes wanting one name get distinct names', () => {
    const { model: clash } = buildServiceModel({
      metadata: json,
      sdk: {
        operations: [{
          name: 'Op', traits: {},
          input: struct('OpRequest', [['plain', member(str())], ['secret', member(str(), { sensitive: 1 })]]),
        }],
        errors: [],
      },
      declarations: declarations({}, {}),
    });
    const shape = clash.shapes.OpRequest;
    assert.ok(shape?.type === 'structure');
    assert.deepEqual([shape.members.plain?.shape, shape.members.secret?.shape], ['String', 'SensitiveString']);
    assert.deepEqual(clash.shapes.SensitiveString, { type: 'string', sensitive: true });
  });

  test('Query protocols: result wrappers, XML names; JSON protocols ignore XML names', () => {
    const op = (metadata: ServiceMetadata) => buildServiceModel({
      metadata,
      sdk: { operations: [{ name: 'Get', traits: {}, input: struct('GetRequest', [['Ids', member({ kind: 'list', traits: {}, member: member(str(), { xmlName: 'item' }) }, { xmlName: 'Id' })]]), output: struct('GetResponse', []) }], errors: [] },
      declarations: declarations({}, {}),
    }).model;
    const query = op({ ...json, protocol: 'awsQuery', targetPrefix: undefined, xmlNamespace: 'urn:x' });
    assert.equal(query.operations.Get?.resultWrapper, 'GetResult');
    const request = query.shapes.GetRequest;
    assert.ok(request?.type === 'structure');
    assert.equal(request.members.Ids?.locationName, 'Id');
    assert.deepEqual(query.shapes[request.members.Ids!.shape], { type: 'list', member: { shape: 'String', locationName: 'item' } });
    const jsonModel = op(json);
    assert.equal(jsonModel.operations.Get?.resultWrapper, undefined);
    const jsonRequest = jsonModel.shapes.GetRequest;
    assert.ok(jsonRequest?.type === 'structure');
    assert.equal(jsonRequest.members.Ids?.locationName, undefined);
  });

  test('operations named: only those, the shapes they reach and the errors botocore lists for them', () => {
    const unused = struct('Unused', [['x', member(num())]], [], 'error', { error: 'client' });
    const { model: narrow, notes: narrowNotes } = buildServiceModel({
      metadata: json,
      sdk: {
        operations: [
          { name: 'Run', traits: {}, input: runRequest },
          { name: 'Other', traits: {}, input: struct('OtherRequest', [['deep', member(struct('Deep', [['n', member(num())]]))]]) },
        ],
        errors: [badThing, unused],
      },
      declarations: declarations({ Mode: ['FAST', 'SLOW'] }, { RunRequest: { mode: ref('Mode') } }),
      botocore,
      operations: ['Run'],
    });
    assert.deepEqual(Object.keys(narrow.operations), ['Run']);
    assert.equal(narrow.shapes.OtherRequest, undefined);
    assert.equal(narrow.shapes.Deep, undefined);
    assert.equal(narrow.shapes.Unused, undefined, 'an error no served operation lists is left out');
    assert.ok(narrow.shapes.BadThing);
    assert.ok(!narrowNotes.some((n) => n.includes('Old')), 'botocore operations not asked for are not noted');
    assert.throws(() => buildServiceModel({ metadata: json, sdk: { operations: [], errors: [] }, declarations: declarations({}, {}), operations: ['Nope'] }), /no operation Nope/);
  });
});
