/** restJson1's path templates: labels decoded, greedy labels, a trailing slash, literal query, the most specific template winning. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ServiceModel } from '../model/types.ts';
import { matchUri, restOperationOf, uriTemplate } from './rest-json.ts';

const q = (text = '') => new URLSearchParams(text);

describe('restJson1 path templates', () => {
  it('labels are percent-decoded; a greedy label takes the rest of the path', () => {
    assert.deepEqual(matchUri(uriTemplate('/2015-02-01/resource-tags/{ResourceId}'), '/2015-02-01/resource-tags/arn%3Aaws%3Ax', q()), { ResourceId: 'arn:aws:x' });
    assert.deepEqual(matchUri(uriTemplate('/objects/{Key+}'), '/objects/a/b%20c/d', q()), { Key: 'a/b c/d' });
    assert.equal(matchUri(uriTemplate('/objects/{Key+}'), '/objects/', q()), undefined);
  });

  it('a trailing slash matches; extra or missing segments do not; an empty or malformed label does not', () => {
    const t = uriTemplate('/2015-02-01/tags/{FileSystemId}/');
    assert.deepEqual(matchUri(t, '/2015-02-01/tags/fs-1', q()), { FileSystemId: 'fs-1' });
    assert.deepEqual(matchUri(t, '/2015-02-01/tags/fs-1/', q()), { FileSystemId: 'fs-1' });
    assert.equal(matchUri(t, '/2015-02-01/tags/fs-1/x', q()), undefined);
    assert.equal(matchUri(t, '/2015-02-01/tags', q()), undefined);
    assert.equal(matchUri(t, '/2015-02-01/tags/%E0%A4%A', q()), undefined);
  });

  it('a template\'s literal query must be in the request', () => {
    const t = uriTemplate('/{Bucket}?uploads');
    assert.equal(matchUri(t, '/b', q()), undefined);
    assert.deepEqual(matchUri(t, '/b', q('uploads=')), { Bucket: 'b' });
  });

  it('the operation with the most literal segments wins, and the method must be the same', () => {
    const model = {
      metadata: { serviceId: 'T', apiVersion: '1', protocol: 'restJson1', signingName: 't' },
      shapes: {},
      operations: {
        ById: { name: 'ById', http: { method: 'GET', requestUri: '/fs/{Id}' } },
        Listing: { name: 'Listing', http: { method: 'GET', requestUri: '/fs/replication-configurations' } },
        Delete: { name: 'Delete', http: { method: 'DELETE', requestUri: '/fs/{Id}' } },
      },
    } satisfies ServiceModel;
    const request = (method: string, path: string) => ({ method, path, query: q(), headers: {}, body: Buffer.alloc(0) });
    assert.equal(restOperationOf(model, request('GET', '/fs/replication-configurations'))?.name, 'Listing');
    assert.equal(restOperationOf(model, request('GET', '/fs/fs-1'))?.name, 'ById');
    assert.equal(restOperationOf(model, request('DELETE', '/fs/fs-1'))?.name, 'Delete');
    assert.equal(restOperationOf(model, request('PUT', '/fs/fs-1')), undefined);
  });
});
