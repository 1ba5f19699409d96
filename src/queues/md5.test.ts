import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { md5OfAttributes, md5OfBody, messageSize } from './md5.ts';

test('MD5 of a body is the hex MD5 of its UTF-8 bytes', () => {
  assert.equal(md5OfBody('hello'), '5d41402abc4b2a76b9719d911017c592');
});

test('MD5 of attributes: names sorted, each part length-prefixed, a transport byte before the value', () => {
  const expected = createHash('md5').update(Buffer.concat([
    Buffer.from([0, 0, 0, 1]), Buffer.from('a'), Buffer.from([0, 0, 0, 6]), Buffer.from('Binary'), Buffer.from([2]), Buffer.from([0, 0, 0, 2, 0xff, 0x00]),
    Buffer.from([0, 0, 0, 1]), Buffer.from('b'), Buffer.from([0, 0, 0, 6]), Buffer.from('String'), Buffer.from([1]), Buffer.from([0, 0, 0, 2]), Buffer.from('hi'),
  ])).digest('hex');
  assert.equal(md5OfAttributes({ b: { dataType: 'String', stringValue: 'hi' }, a: { dataType: 'Binary', binaryValue: Buffer.from([0xff, 0]).toString('base64') } }), expected);
  assert.equal(md5OfAttributes({}), undefined);
});

test('the size counted against MaximumMessageSize includes attribute names, types and values', () => {
  assert.equal(messageSize('abc', { n: { dataType: 'Number', stringValue: '12' } }), 3 + 1 + 6 + 2);
});
