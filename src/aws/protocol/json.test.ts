import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../errors.ts';
import type { ServiceModel } from '../model/types.ts';
import { expectAwsError } from '../testing.ts';
import { jsonCodec } from './json.ts';
import type { WireRequest } from './types.ts';

/** A small AWS JSON API with a member of every type. */
const model: ServiceModel = {
  metadata: { serviceId: 'Dock', apiVersion: '2026-01-01', protocol: 'awsJson1_1', signingName: 'dock', targetPrefix: 'Dock_20260101' },
  operations: {
    Put: { name: 'Put', input: 'PutInput', output: 'PutOutput' },
    Ping: { name: 'Ping' },
  },
  shapes: {
    PutInput: {
      type: 'structure',
      members: {
        name: { shape: 'String' },
        count: { shape: 'Integer' },
        size: { shape: 'Long' },
        ratio: { shape: 'Float' },
        weight: { shape: 'Double' },
        enabled: { shape: 'Boolean' },
        at: { shape: 'Timestamp' },
        isoAt: { shape: 'Timestamp', timestampFormat: 'iso8601' },
        data: { shape: 'Blob' },
        containerDefinitions: { shape: 'ContainerList' },
        labels: { shape: 'Labels' },
        doc: { shape: 'Document' },
        choice: { shape: 'Choice' },
        clusters: { shape: 'Strings' },
      },
    },
    PutOutput: {
      type: 'structure',
      members: {
        createdAt: { shape: 'Timestamp' },
        isoAt: { shape: 'Timestamp', timestampFormat: 'iso8601' },
        httpAt: { shape: 'HttpDate' },
        data: { shape: 'Blob' },
        weight: { shape: 'Double' },
        containerDefinitions: { shape: 'ContainerList' },
        labels: { shape: 'Labels' },
        doc: { shape: 'Document' },
        name: { shape: 'String' },
      },
    },
    Container: { type: 'structure', members: { name: { shape: 'String' }, cpu: { shape: 'Integer' }, startedAt: { shape: 'Timestamp' }, ports: { shape: 'Ports' } } },
    ContainerList: { type: 'list', member: { shape: 'Container' } },
    Ports: { type: 'list', member: { shape: 'Integer' } },
    Labels: { type: 'map', key: { shape: 'String' }, value: { shape: 'Integer' } },
    Choice: { type: 'structure', union: true, members: { text: { shape: 'String' }, number: { shape: 'Integer' } } },
    Strings: { type: 'list', member: { shape: 'String' } },
    String: { type: 'string' },
    Integer: { type: 'integer' },
    Long: { type: 'long' },
    Float: { type: 'float' },
    Double: { type: 'double' },
    Boolean: { type: 'boolean' },
    Timestamp: { type: 'timestamp' },
    HttpDate: { type: 'timestamp', timestampFormat: 'http-date' },
    Blob: { type: 'blob' },
    Document: { type: 'document' },
    ClusterNotFoundException: { type: 'structure', members: { message: { shape: 'String' } }, exception: true, error: { code: 'ClusterNotFoundException', httpStatusCode: 400, senderFault: true } },
    NameTaken: { type: 'structure', members: { Message: { shape: 'String' }, ClusterId: { shape: 'String' } }, exception: true, error: { code: 'NameTaken', httpStatusCode: 400, senderFault: true } },
    QueueDoesNotExist: { type: 'structure', members: { message: { shape: 'String' } }, exception: true, error: { code: 'AWS.SimpleQueueService.NonExistentQueue', httpStatusCode: 400, senderFault: true } },
  },
};

const codec = jsonCodec('1.1');
const request = (body: string | object): WireRequest => ({
  method: 'POST', path: '/', query: new URLSearchParams(), headers: {},
  body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
});
const decode = (body: string | object, operation = 'Put') => codec.decodeInput(model, model.operations[operation], request(body));
const decodeFails = (body: string | object, message: RegExp) =>
  expectAwsError(Promise.resolve().then(() => decode(body)), 'SerializationException', message);

describe('AWS JSON decodeInput', () => {
  it('converts every member to its model type', () => {
    const input = decode({
      name: 'web', count: 3, size: 2 ** 40, ratio: 0.5, weight: 'NaN', enabled: false, at: 1764744601.25, isoAt: '2026-12-03T06:50:01.5+01:00',
      data: Buffer.from('hello').toString('base64'),
      containerDefinitions: [{ name: 'a', cpu: 128, startedAt: 1764744601, ports: [80, 443] }, {}],
      labels: { a: 1, b: 2 }, doc: { any: ['json', 1, null] }, choice: { number: 7 }, clusters: ['x'],
    });
    assert.deepEqual(input, {
      name: 'web', count: 3, size: 2 ** 40, ratio: 0.5, weight: Number.NaN, enabled: false,
      at: new Date(Date.UTC(2025, 11, 3, 6, 50, 1, 250)), isoAt: new Date(Date.UTC(2026, 11, 3, 5, 50, 1, 500)),
      data: new Uint8Array(Buffer.from('hello')),
      containerDefinitions: [{ name: 'a', cpu: 128, startedAt: new Date(1764744601000), ports: [80, 443] }, {}],
      labels: { a: 1, b: 2 }, doc: { any: ['json', 1, null] }, choice: { number: 7 }, clusters: ['x'],
    });
    assert.ok(!Buffer.isBuffer(input.data), 'blobs arrive as plain Uint8Arrays, as the SDKs hold them');
  });

  it('reads the strings the SDKs send for non-finite floats', () => {
    assert.deepEqual(decode({ ratio: 'Infinity', weight: '-Infinity' }), { ratio: Infinity, weight: -Infinity });
  });

  it('ignores members the model does not have, and null members', () => {
    assert.deepEqual(decode({ name: 'x', extra: 1, count: null, __type: 'Put' }), { name: 'x' });
  });

  it('keeps a map key named __proto__ as data, never as a prototype', () => {
    const input = decode('{"labels": {"__proto__": 1, "b": 2}}');
    const labels = input.labels as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(labels), Object.prototype);
    assert.deepEqual(Object.keys(labels), ['__proto__', 'b']);
  });

  it('reads an empty body as {} and an operation without input as {}', () => {
    assert.deepEqual(decode(''), {});
    assert.deepEqual(decode({ anything: 1 }, 'Ping'), {});
  });

  it('answers broken JSON and non-object bodies with SerializationException', async () => {
    await decodeFails('{"name": ', /not valid JSON/);
    await decodeFails('[1, 2]', /must be a JSON object/);
    await decodeFails('"text"', /must be a JSON object/);
    await decodeFails('null', /must be a JSON object/);
  });

  it('names a member of the wrong JSON type by its path', async () => {
    await decodeFails({ containerDefinitions: [{ cpu: '128' }] }, /^containerDefinitions\[0\]\.cpu must be a number, not string\.$/);
    await decodeFails({ clusters: ['a', 7] }, /^clusters\[1\] must be a string, not number\.$/);
    await decodeFails({ name: 42 }, /^name must be a string, not number\.$/);
    await decodeFails({ containerDefinitions: { name: 'a' } }, /^containerDefinitions must be a list, not object\.$/);
    await decodeFails({ containerDefinitions: ['a'] }, /^containerDefinitions\[0\] must be an object, not string\.$/);
    await decodeFails({ containerDefinitions: [{ ports: [80, null] }] }, /^containerDefinitions\[0\]\.ports\[1\] must be a number, not null\.$/);
    await decodeFails({ labels: [] }, /^labels must be a map, not list\.$/);
    await decodeFails({ labels: { team: 'x' } }, /^labels\.team must be a number, not string\.$/);
    await decodeFails({ enabled: 'true' }, /^enabled must be a boolean, not string\.$/);
    await decodeFails({ ratio: 'lots' }, /^ratio must be a number, not string\.$/);
    await decodeFails({ choice: { number: '1' } }, /^choice\.number must be a number, not string\.$/);
  });

  it('requires integers to be integral and in range', async () => {
    await decodeFails({ count: 1.5 }, /^count must be an integer, not 1\.5\.$/);
    await decodeFails({ count: 2 ** 31 }, /count: 2147483648 can not be converted to an Integer/);
    await decodeFails({ size: 2 ** 60 }, /size: .* can not be converted to a Long/);
    assert.deepEqual(decode({ count: -(2 ** 31), size: -(2 ** 53) + 1 }), { count: -(2 ** 31), size: -(2 ** 53) + 1 });
  });

  it('requires timestamps in their format and blobs in base64', async () => {
    await decodeFails({ at: '2026-12-03T06:50:01Z' }, /^at must be a timestamp in epoch seconds, not string\.$/);
    await decodeFails({ isoAt: 1764744601 }, /^isoAt must be a timestamp string \(iso8601\), not number\.$/);
    await decodeFails({ isoAt: '2026-13-03T06:50:01Z' }, /^isoAt must be a timestamp \(iso8601\)\.$/);
    await decodeFails({ data: 'not base64!' }, /^data must be base64-encoded\.$/);
    await decodeFails({ data: 12 }, /^data must be a base64 string, not number\.$/);
  });

  it('answers with status 400', async () => {
    await assert.rejects(async () => decode({ name: 1 }), (e: unknown) => e instanceof AwsError && e.status === 400);
  });
});

describe('AWS JSON encodeOutput', () => {
  it('writes Dates as epoch seconds, bytes as base64, and leaves out what is absent or unmodeled', () => {
    const response = codec.encodeOutput(model, model.operations.Put, {
      createdAt: new Date(Date.UTC(2026, 11, 3, 6, 50, 1, 123)),
      isoAt: new Date(Date.UTC(2026, 11, 3, 6, 50, 1)),
      httpAt: new Date(Date.UTC(2026, 11, 3, 6, 50, 1)),
      data: new Uint8Array([0, 1, 2, 250]),
      weight: Number.POSITIVE_INFINITY,
      containerDefinitions: [{ name: 'a', cpu: undefined, startedAt: new Date(1000), ports: [80] }],
      labels: { a: 1 },
      doc: { nested: [1, 'two'] },
      name: undefined,
      notInModel: 'dropped',
    }, 'req-1');
    assert.equal(response.status, 200);
    assert.deepEqual(response.headers, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'req-1' });
    assert.deepEqual(JSON.parse(String(response.body)), {
      createdAt: 1796280601.123,
      isoAt: '2026-12-03T06:50:01Z',
      httpAt: 'Thu, 03 Dec 2026 06:50:01 GMT',
      data: 'AAEC+g==',
      weight: 'Infinity',
      containerDefinitions: [{ name: 'a', startedAt: 1, ports: [80] }],
      labels: { a: 1 },
      doc: { nested: [1, 'two'] },
    });
  });

  it('writes {} for an operation without output, with the JSON 1.0 content type for 1.0 services', () => {
    const response = jsonCodec('1.0').encodeOutput(model, model.operations.Ping, {}, 'req-2');
    assert.equal(response.body, '{}');
    assert.equal(response.headers['content-type'], 'application/x-amz-json-1.0');
  });
});

describe('AWS JSON encodeError', () => {
  it('writes __type and message with x-amzn-ErrorType and the error status', () => {
    const response = codec.encodeError(model, new AwsError('ClusterNotFoundException', 'Cluster not found.'), 'req-3');
    assert.equal(response.status, 400);
    assert.deepEqual(response.headers, {
      'content-type': 'application/x-amz-json-1.1', 'x-amzn-RequestId': 'req-3', 'x-amzn-ErrorType': 'ClusterNotFoundException',
    });
    assert.deepEqual(JSON.parse(String(response.body)), { __type: 'ClusterNotFoundException', message: 'Cluster not found.' });
  });

  it('adds the further members of the error\'s shape that the business code gave, and no others', () => {
    const response = codec.encodeError(model, new AwsError('NameTaken', 'Taken.', 400, { ClusterId: 'c-1', Other: 'x' }), 'req-7');
    assert.deepEqual(JSON.parse(String(response.body)), { ClusterId: 'c-1', __type: 'NameTaken', message: 'Taken.' });
  });

  it('keeps codes the model does not list, and the status the business code chose', () => {
    const response = codec.encodeError(undefined, new AwsError('InternalFailure', 'Oops.', 500), 'req-4');
    assert.equal(response.status, 500);
    assert.deepEqual(JSON.parse(String(response.body)), { __type: 'InternalFailure', message: 'Oops.' });
    assert.equal(response.headers['x-amzn-query-error'], undefined);
  });

  it('adds x-amzn-query-error with the awsQueryError code for awsQueryCompatible services', () => {
    const compatible: ServiceModel = { ...model, metadata: { ...model.metadata, awsQueryCompatible: true } };
    const modeled = codec.encodeError(compatible, new AwsError('QueueDoesNotExist', 'No queue.'), 'req-5');
    assert.equal(modeled.headers['x-amzn-query-error'], 'AWS.SimpleQueueService.NonExistentQueue;Sender');
    assert.equal(JSON.parse(String(modeled.body)).__type, 'QueueDoesNotExist');
    // Thrown by its wire code, it is still sent by its shape name.
    const byWireCode = codec.encodeError(compatible, new AwsError('AWS.SimpleQueueService.NonExistentQueue', 'No queue.'), 'req-6');
    assert.equal(JSON.parse(String(byWireCode.body)).__type, 'QueueDoesNotExist');
    const unmodeled = codec.encodeError(compatible, new AwsError('InternalFailure', 'Oops.', 500), 'req-7');
    assert.equal(unmodeled.headers['x-amzn-query-error'], 'InternalFailure;Receiver');
  });
});
