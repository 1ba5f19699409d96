/**
 * The Query naming of a JSON model on small, hand-made sources (no botocore needed):
 * `node --import tsx --test scripts/models/query-names.test.ts`.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ServiceModel } from '../../src/aws/model/types.ts';
import type { BotoModel } from './botocore.ts';
import { queryNamedModel } from './query-names.ts';

const json: ServiceModel = {
  metadata: { serviceId: 'Q', apiVersion: '2012-11-05', protocol: 'awsJson1_0', signingName: 'q', targetPrefix: 'Q', awsQueryCompatible: true },
  operations: {
    Send: { name: 'Send', input: 'SendRequest', output: 'SendResult', errors: ['Gone'] },
    Newer: { name: 'Newer', input: 'NewerRequest' },
  },
  shapes: {
    SendRequest: {
      type: 'structure',
      members: { Attrs: { shape: 'AttrMap', flattened: true }, Entries: { shape: 'EntryList', flattened: true }, Ids: { shape: 'Strings' }, Fresh: { shape: 'Strings' }, Kinds: { shape: 'KindList' } },
      required: ['Entries'],
    },
    SendResult: { type: 'structure', members: { Names: { shape: 'Strings' }, Tags: { shape: 'TagMap' } } },
    NewerRequest: { type: 'structure', members: { Ids: { shape: 'Strings' } } },
    AttrMap: { type: 'map', key: { shape: 'String' }, value: { shape: 'String' }, flattened: true },
    TagMap: { type: 'map', key: { shape: 'String' }, value: { shape: 'String' } },
    EntryList: { type: 'list', member: { shape: 'Entry' }, flattened: true },
    Entry: { type: 'structure', members: { Id: { shape: 'String' } } },
    Strings: { type: 'list', member: { shape: 'String' } },
    KindList: { type: 'list', member: { shape: 'Kind' } },
    Kind: { type: 'string', enum: ['a'] },
    Wide: { type: 'string', enum: ['a', 'b'] },
    WideList: { type: 'list', member: { shape: 'Wide' } },
    String: { type: 'string' },
    Gone: { type: 'structure', members: {}, error: { code: 'Q.Gone', httpStatusCode: 400, senderFault: true }, exception: true },
  },
};

const boto: BotoModel = {
  metadata: { protocol: 'query', xmlNamespace: 'http://q.example/doc/2012-11-05/' },
  operations: {
    Send: { name: 'Send', input: { shape: 'SendRequest' }, output: { shape: 'SendResult', resultWrapper: 'SendResult' } },
  },
  shapes: {
    SendRequest: {
      type: 'structure',
      members: { Attrs: { shape: 'AttrMap', locationName: 'Attr' }, Entries: { shape: 'EntryList' }, Ids: { shape: 'IdList' }, Kinds: { shape: 'KindList' } },
    },
    SendResult: { type: 'structure', members: { Names: { shape: 'NameList' }, Tags: { shape: 'TagMap' } } },
    AttrMap: { type: 'map', key: { shape: 'String', locationName: 'Name' }, value: { shape: 'String', locationName: 'Value' }, flattened: true },
    TagMap: { type: 'map', key: { shape: 'String', locationName: 'Key' }, value: { shape: 'String', locationName: 'Value' }, flattened: true, locationName: 'Tag' },
    EntryList: { type: 'list', member: { shape: 'Entry', locationName: 'Entry' }, flattened: true },
    Entry: { type: 'structure', members: { Id: { shape: 'String' } } },
    IdList: { type: 'list', member: { shape: 'String', locationName: 'Id' }, flattened: true },
    NameList: { type: 'list', member: { shape: 'String', locationName: 'Name' }, flattened: true },
    KindList: { type: 'list', member: { shape: 'Kind', locationName: 'Kind' }, flattened: true },
    Kind: { type: 'string' },
    String: { type: 'string' },
  },
};

describe('a JSON model in Query names', () => {
  const { model, notes } = queryNamedModel(json, boto, { 'SendRequest.Kinds': 'WideList' });
  const member = (structure: string, name: string) => {
    const shape = model.shapes[structure];
    assert.ok(shape?.type === 'structure');
    return shape.members[name]!;
  };

  test('metadata: awsQuery, the older model\'s namespace, no target; result wrappers from the older model', () => {
    assert.deepEqual(model.metadata, { serviceId: 'Q', apiVersion: '2012-11-05', protocol: 'awsQuery', signingName: 'q', xmlNamespace: 'http://q.example/doc/2012-11-05/' });
    assert.equal(model.operations.Send?.resultWrapper, 'SendResult');
    assert.deepEqual(model.operations.Newer, json.operations.Newer);
  });

  test('members take their locationName, else their shape\'s; flattened lists are named by their items', () => {
    assert.deepEqual(member('SendRequest', 'Attrs'), { shape: 'AttrMap', locationName: 'Attr' });
    assert.deepEqual(model.shapes.AttrMap, { type: 'map', key: { shape: 'String', locationName: 'Name' }, value: { shape: 'String', locationName: 'Value' }, flattened: true });
    assert.deepEqual(member('SendRequest', 'Entries'), { shape: 'EntryList', locationName: 'Entry' });
    assert.deepEqual(member('SendResult', 'Tags'), { shape: 'TagMap', locationName: 'Tag' });
  });

  test('a JSON list the older model names two ways becomes two shapes; constraints and required members stay', () => {
    assert.deepEqual(member('SendRequest', 'Ids'), { shape: 'Strings', locationName: 'Id' });
    assert.deepEqual(model.shapes.Strings, { type: 'list', member: { shape: 'String', locationName: 'Id' }, flattened: true });
    const names = member('SendResult', 'Names');
    assert.equal(names.locationName, 'Name');
    assert.notEqual(names.shape, 'Strings');
    assert.deepEqual(model.shapes[names.shape], { type: 'list', member: { shape: 'String', locationName: 'Name' }, flattened: true });
    assert.deepEqual((model.shapes.SendRequest as { required?: string[] }).required, ['Entries']);
    assert.deepEqual(model.shapes.Gone, json.shapes.Gone);
  });

  test('members the older model lacks keep their JSON names and are listed; retargets point a member at another shape', () => {
    const fresh = member('SendRequest', 'Fresh');
    assert.equal(fresh.locationName, undefined);
    assert.deepEqual(model.shapes[fresh.shape], json.shapes.Strings);
    assert.deepEqual(notes, ['operations the Query model lacks (named as in JSON): Newer', 'members the Query model lacks (named as in JSON): SendRequest.Fresh']);
    assert.equal(member('SendRequest', 'Kinds').shape, 'WideList');
    assert.deepEqual(model.shapes.WideList, { type: 'list', member: { shape: 'Wide', locationName: 'Kind' }, flattened: true });
    assert.throws(() => queryNamedModel(json, boto, { 'SendRequest.Nope': 'WideList' }), /no such member/);
  });
});
