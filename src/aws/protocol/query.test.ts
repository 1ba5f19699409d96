import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../errors.ts';
import type { ServiceModel } from '../model/types.ts';
import { expectAwsError } from '../testing.ts';
import { queryParameters } from './query-input.ts';
import { awsQueryCodec } from './query.ts';
import type { WireRequest } from './types.ts';
import { wireError } from './shapes.ts';

/** A small Query API exercising every form of member, list and map. */
const model: ServiceModel = {
  metadata: { serviceId: 'Keys', apiVersion: '2026-01-01', protocol: 'awsQuery', signingName: 'keys', xmlNamespace: 'https://keys.example/doc/2026-01-01/' },
  operations: {
    Put: { name: 'Put', input: 'PutRequest', output: 'PutResponse', resultWrapper: 'PutResult' },
    Delete: { name: 'Delete', input: 'DeleteRequest' },
  },
  shapes: {
    PutRequest: {
      type: 'structure',
      members: {
        Name: { shape: 'String' },
        Renamed: { shape: 'String', locationName: 'Custom' },
        MaxItems: { shape: 'Integer' },
        Size: { shape: 'Long' },
        Ratio: { shape: 'Double' },
        Enabled: { shape: 'Boolean' },
        At: { shape: 'Timestamp' },
        EpochAt: { shape: 'Timestamp', timestampFormat: 'epoch-seconds' },
        Data: { shape: 'Blob' },
        Nested: { shape: 'Nested' },
        Tags: { shape: 'TagList' },
        Items: { shape: 'ItemList' },
        Flat: { shape: 'StringList', flattened: true, locationName: 'Hi' },
        FlatShape: { shape: 'FlatList' },
        Matrix: { shape: 'Matrix' },
        Attributes: { shape: 'StringMap' },
        Renamedmap: { shape: 'RenamedMap' },
        FlatMap: { shape: 'StringMap', flattened: true },
      },
    },
    PutResponse: {
      type: 'structure',
      members: {
        User: { shape: 'User' },
        Users: { shape: 'UserList' },
        Items: { shape: 'ItemList' },
        Flat: { shape: 'StringList', flattened: true, locationName: 'Hi' },
        Attributes: { shape: 'StringMap' },
        Renamedmap: { shape: 'RenamedMap' },
        FlatMap: { shape: 'StringMap', flattened: true },
        IsTruncated: { shape: 'Boolean' },
        Marker: { shape: 'String' },
        Ratio: { shape: 'Double' },
        Data: { shape: 'Blob' },
        EpochAt: { shape: 'Timestamp', timestampFormat: 'epoch-seconds' },
        HttpAt: { shape: 'Timestamp', timestampFormat: 'http-date' },
      },
    },
    DeleteRequest: { type: 'structure', members: { Name: { shape: 'String' } } },
    Nested: { type: 'structure', members: { Inner: { shape: 'Nested2' }, Count: { shape: 'Integer' } } },
    Nested2: { type: 'structure', members: { Value: { shape: 'String' } } },
    User: { type: 'structure', members: { UserName: { shape: 'String' }, CreateDate: { shape: 'Timestamp' }, Tags: { shape: 'TagList' } } },
    UserList: { type: 'list', member: { shape: 'User' } },
    Tag: { type: 'structure', members: { Key: { shape: 'String' }, Value: { shape: 'String' } } },
    TagList: { type: 'list', member: { shape: 'Tag' } },
    ItemList: { type: 'list', member: { shape: 'String', locationName: 'item' } },
    StringList: { type: 'list', member: { shape: 'String' } },
    FlatList: { type: 'list', member: { shape: 'String' }, flattened: true },
    Matrix: { type: 'list', member: { shape: 'StringList' } },
    StringMap: { type: 'map', key: { shape: 'String' }, value: { shape: 'String' } },
    RenamedMap: { type: 'map', key: { shape: 'String', locationName: 'K' }, value: { shape: 'Integer', locationName: 'V' } },
    String: { type: 'string' },
    Integer: { type: 'integer' },
    Long: { type: 'long' },
    Double: { type: 'double' },
    Boolean: { type: 'boolean' },
    Timestamp: { type: 'timestamp' },
    Blob: { type: 'blob' },
    NoSuchEntityException: { type: 'structure', members: { message: { shape: 'String' } }, exception: true, error: { code: 'NoSuchEntity', httpStatusCode: 404, senderFault: true } },
    ServiceFailureException: { type: 'structure', members: { message: { shape: 'String' } }, exception: true, error: { code: 'ServiceFailure', httpStatusCode: 500 } },
    PlainException: { type: 'structure', members: { message: { shape: 'String' } }, exception: true },
  },
};

const form = (body: string, headers: Record<string, string> = {}): WireRequest => ({
  method: 'POST', path: '/', query: new URLSearchParams(), headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: Buffer.from(body),
});
const decode = (params: Record<string, string>, operation = 'Put') =>
  awsQueryCodec.decodeInput(model, model.operations[operation], form(new URLSearchParams({ Action: operation, Version: '2026-01-01', ...params }).toString()));
const decodeFails = (params: Record<string, string>, message: RegExp) =>
  expectAwsError(Promise.resolve().then(() => decode(params)), 'InvalidParameterValue', message);
const encode = (output: object, operation = 'Put') => String(awsQueryCodec.encodeOutput(model, model.operations[operation], output, 'req-1').body);
/** The XML between `<PutResult>` and `</PutResult>`. */
const result = (output: object) => /<PutResult>(.*)<\/PutResult>/s.exec(encode(output))?.[1];

describe('queryParameters', () => {
  it('reads the form body of a POST, whatever its charset', () => {
    const params = queryParameters(form('Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fa+b%2F', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }));
    assert.deepEqual([...params], [['Action', 'ListUsers'], ['Version', '2010-05-08'], ['PathPrefix', '/a b/']]);
  });

  it('reads the URL query string otherwise', () => {
    const request: WireRequest = { method: 'GET', path: '/', query: new URLSearchParams('Action=GetUser&Version=2010-05-08'), headers: {}, body: Buffer.alloc(0) };
    assert.equal(queryParameters(request).get('Action'), 'GetUser');
  });

  it('parses a request\'s form once: routing and decoding read the same parameters', () => {
    const request = form('Action=ListUsers&Version=2010-05-08');
    assert.equal(queryParameters(request), queryParameters(request));
    assert.notEqual(queryParameters(form('Action=ListUsers')), queryParameters(request), 'each request has its own');
  });
});

describe('awsQuery decodeInput', () => {
  it('reads scalars by their model types, members by locationName, nested structures as A.B', () => {
    assert.deepEqual(decode({
      Name: 'alice', Custom: 'renamed', MaxItems: '-5', Size: '9007199254740991', Ratio: '1.5e3', Enabled: 'TRUE',
      At: '2026-12-03T06:50:01Z', EpochAt: '1764744601.5', Data: Buffer.from('hi').toString('base64'),
      'Nested.Inner.Value': 'deep', 'Nested.Count': '2', Unknown: 'ignored', 'Nested.Unknown': 'ignored',
    }), {
      Name: 'alice', Renamed: 'renamed', MaxItems: -5, Size: 9007199254740991, Ratio: 1500, Enabled: true,
      At: new Date(Date.UTC(2026, 11, 3, 6, 50, 1)), EpochAt: new Date(1764744601500), Data: new Uint8Array(Buffer.from('hi')),
      Nested: { Inner: { Value: 'deep' }, Count: 2 },
    });
  });

  it('reads ISO 8601 timestamps with fractions and offsets, and non-finite doubles', () => {
    assert.deepEqual(decode({ At: '2026-12-03T07:50:01.123+01:00', Ratio: '-Infinity' }), {
      At: new Date(Date.UTC(2026, 11, 3, 6, 50, 1, 123)), Ratio: -Infinity,
    });
    assert.ok(Number.isNaN(decode({ Ratio: 'NaN' }).Ratio));
  });

  it('reads lists as A.member.N in index order, with the list member locationName, and nested lists', () => {
    assert.deepEqual(decode({
      'Tags.member.2.Key': 'b', 'Tags.member.10.Key': 'c', 'Tags.member.1.Key': 'a', 'Tags.member.1.Value': '',
      'Items.item.1': 'x', 'Items.item.2': 'y',
      'Matrix.member.1.member.1': 'a1', 'Matrix.member.1.member.2': 'a2', 'Matrix.member.2.member.1': 'b1',
    }), {
      Tags: [{ Key: 'a', Value: '' }, { Key: 'b' }, { Key: 'c' }],
      Items: ['x', 'y'],
      Matrix: [['a1', 'a2'], ['b1']],
    });
  });

  it('reads flattened lists as A.N, whether the member or the list shape says flattened', () => {
    assert.deepEqual(decode({ 'Hi.1': 'A', 'Hi.2': 'B', 'FlatShape.1': 'C' }), { Flat: ['A', 'B'], FlatShape: ['C'] });
  });

  it('reads A= as an empty list, as the SDKs send one', () => {
    assert.deepEqual(decode({ Tags: '', Items: '', Hi: '' }), { Tags: [], Items: [], Flat: [] });
  });

  it('reads maps as A.entry.N.key/value, with renamed key and value, and flattened maps', () => {
    assert.deepEqual(decode({
      'Attributes.entry.1.key': 'color', 'Attributes.entry.1.value': 'blue', 'Attributes.entry.2.key': '__proto__', 'Attributes.entry.2.value': 'safe',
      'Renamedmap.entry.1.K': 'n', 'Renamedmap.entry.1.V': '3',
      'FlatMap.1.key': 'f', 'FlatMap.1.value': 'flat',
    }), {
      Attributes: Object.defineProperty({ color: 'blue' }, '__proto__', { value: 'safe', enumerable: true, writable: true, configurable: true }),
      Renamedmap: { n: 3 },
      FlatMap: { f: 'flat' },
    });
  });

  it('ignores Action, Version and parameters that are not of their member kind', () => {
    assert.deepEqual(decode({ 'Name.sub': 'x', 'Tags.member.x': 'y' }), { Tags: [] });
    assert.deepEqual(decode({ Name: 'kept' }, 'Delete'), { Name: 'kept' });
  });

  it('answers values that do not parse with InvalidParameterValue naming the parameter as sent', async () => {
    await decodeFails({ MaxItems: 'ten' }, /^Value 'ten' for parameter MaxItems is invalid: must be an integer\.$/);
    await decodeFails({ MaxItems: '1.5' }, /MaxItems is invalid: must be an integer/);
    await decodeFails({ MaxItems: '2147483648' }, /MaxItems is invalid: it is out of range for an integer/);
    await decodeFails({ Size: '9007199254740993' }, /Size is invalid: it is out of range for a long/);
    await decodeFails({ Ratio: 'lots' }, /Ratio is invalid: must be a number/);
    await decodeFails({ Enabled: 'yes' }, /Enabled is invalid: must be true or false/);
    await decodeFails({ At: '2026-02-30T00:00:00Z' }, /At is invalid: must be a timestamp \(ISO 8601/);
    await decodeFails({ At: '1764744601' }, /At is invalid/);
    await decodeFails({ EpochAt: '2026-12-03T06:50:01Z' }, /EpochAt is invalid: must be a timestamp \(epoch-seconds\)/);
    await decodeFails({ Data: 'secret!!' }, /^Value for parameter Data is invalid: must be base64-encoded\.$/);
    await decodeFails({ 'Nested.Count': 'x' }, /parameter Nested\.Count is invalid/);
    await decodeFails({ 'Renamedmap.entry.1.K': 'n', 'Renamedmap.entry.1.V': 'x' }, /parameter Renamedmap\.entry\.1\.V is invalid/);
    await assert.rejects(async () => decode({ MaxItems: 'x' }), (e: unknown) => e instanceof AwsError && e.status === 400);
  });
});

describe('awsQuery encodeOutput', () => {
  it('wraps members in OpResponse/OpResult with the namespace and ResponseMetadata', () => {
    const response = awsQueryCodec.encodeOutput(model, model.operations.Put, { Marker: 'm' }, 'req-1');
    assert.equal(response.status, 200);
    assert.deepEqual(response.headers, { 'content-type': 'text/xml', 'x-amzn-RequestId': 'req-1' });
    assert.equal(response.body, '<PutResponse xmlns="https://keys.example/doc/2026-01-01/"><PutResult><Marker>m</Marker></PutResult>'
      + '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></PutResponse>');
  });

  it('writes no Result element for an operation without output', () => {
    assert.equal(encode({}, 'Delete'), '<DeleteResponse xmlns="https://keys.example/doc/2026-01-01/">'
      + '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></DeleteResponse>');
  });

  it('writes structures, lists as <member> or the member locationName, empty lists, flattened lists', () => {
    assert.equal(result({
      User: { UserName: 'a', CreateDate: new Date(Date.UTC(2026, 11, 3, 6, 50, 1)), Tags: [{ Key: 'k', Value: 'v' }], Unmodeled: 'x' },
      Users: [],
      Items: ['x', undefined, 'y'],
      Flat: ['A', 'B'],
      IsTruncated: false,
    }), '<User><UserName>a</UserName><CreateDate>2026-12-03T06:50:01Z</CreateDate><Tags><member><Key>k</Key><Value>v</Value></member></Tags></User>'
      + '<Users></Users><Items><item>x</item><item>y</item></Items><Hi>A</Hi><Hi>B</Hi><IsTruncated>false</IsTruncated>');
  });

  it('writes maps as entries (renamed key and value where the model says) and flattened maps', () => {
    assert.equal(result({ Attributes: { a: '1' }, Renamedmap: { n: 3 }, FlatMap: { f: 'x', g: 'y' } }),
      '<Attributes><entry><key>a</key><value>1</value></entry></Attributes><Renamedmap><entry><K>n</K><V>3</V></entry></Renamedmap>'
      + '<FlatMap><key>f</key><value>x</value></FlatMap><FlatMap><key>g</key><value>y</value></FlatMap>');
  });

  it('writes milliseconds only when set, other timestamp formats, NaN, base64, and escapes text', () => {
    assert.equal(result({
      User: { UserName: '<a & "b">\r\n', CreateDate: new Date(Date.UTC(2026, 11, 3, 6, 50, 1, 7)) },
      Ratio: Number.NaN, Data: new Uint8Array([255]),
      EpochAt: new Date(1764744601500), HttpAt: new Date(Date.UTC(2026, 11, 3, 6, 50, 1)),
    }), '<User><UserName>&lt;a &amp; &quot;b&quot;&gt;&#xD;\n</UserName><CreateDate>2026-12-03T06:50:01.007Z</CreateDate></User>'
      + '<Ratio>NaN</Ratio><Data>/w==</Data><EpochAt>1764744601.5</EpochAt><HttpAt>Thu, 03 Dec 2026 06:50:01 GMT</HttpAt>');
  });
});

describe('awsQuery encodeError', () => {
  const error = (e: AwsError, m: ServiceModel = model) => awsQueryCodec.encodeError(m, e, 'req-9');
  const unknownService = (e: AwsError) => awsQueryCodec.encodeError(undefined, e, 'req-9');

  it('sends a modeled error by its awsQueryError code and status, thrown by shape name or wire code', () => {
    for (const code of ['NoSuchEntityException', 'NoSuchEntity']) {
      const response = error(new AwsError(code, 'The user with name bob cannot be found.'));
      assert.equal(response.status, 404);
      assert.deepEqual(response.headers, { 'content-type': 'text/xml', 'x-amzn-RequestId': 'req-9' });
      assert.equal(response.body, '<ErrorResponse xmlns="https://keys.example/doc/2026-01-01/"><Error><Type>Sender</Type><Code>NoSuchEntity</Code>'
        + '<Message>The user with name bob cannot be found.</Message></Error><RequestId>req-9</RequestId></ErrorResponse>');
    }
  });

  it('marks server faults Receiver and keeps unmodeled codes and statuses', () => {
    assert.match(String(error(new AwsError('ServiceFailureException', 'x')).body), /<Type>Receiver<\/Type><Code>ServiceFailure<\/Code>/);
    assert.equal(error(new AwsError('ServiceFailureException', 'x')).status, 500);
    const denied = error(new AwsError('AccessDenied', 'User: a is not authorized <here>', 403));
    assert.equal(denied.status, 403);
    assert.match(String(denied.body), /<Type>Sender<\/Type><Code>AccessDenied<\/Code><Message>User: a is not authorized &lt;here&gt;<\/Message>/);
    const plain = error(new AwsError('PlainException', 'x', 409));
    assert.equal(plain.status, 409);
    assert.match(String(plain.body), /<Code>PlainException<\/Code>/);
  });

  it('writes no namespace when the service is unknown', () => {
    assert.match(String(unknownService(new AwsError('MissingAction', 'Missing Action')).body), /^<ErrorResponse><Error><Type>Sender<\/Type><Code>MissingAction<\/Code>/);
  });

  it('maps shape names to wire codes for callers that need the code alone', () => {
    const wireCode = (m: ServiceModel | undefined, code: string) => wireError(m, new AwsError(code, 'x')).code;
    assert.equal(wireCode(model, 'NoSuchEntityException'), 'NoSuchEntity');
    assert.equal(wireCode(model, 'NoSuchEntity'), 'NoSuchEntity');
    assert.equal(wireCode(model, 'Throttling'), 'Throttling');
    assert.equal(wireCode(undefined, 'NoSuchEntityException'), 'NoSuchEntityException');
  });
});
