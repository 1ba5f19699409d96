import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetInput } from './transform.ts';
import type { TargetRecord } from './records.ts';

const event = { 'detail-type': 'Object Created', detail: { object: { key: 'in/a "b".csv', size: 5 }, tags: ['x'] } };
const transform = (template: string): string => targetInput({
  id: 't', arn: 'arn', inputTransformer: { pathsMap: { key: '$.detail.object.key', size: '$.detail.object.size', tags: '$.detail.tags', gone: '$.detail.nope' }, template },
} as TargetRecord, event, 'arn:aws:events:us-east-1:123456789012:rule/r', 0);

describe('InputTransformer', () => {
  it('in a JSON template, a placeholder outside quotes is the value as JSON; inside quotes, its text', () => {
    assert.deepEqual(JSON.parse(transform('{"k": <key>, "n": <size>, "t": <tags>, "msg": "got <key> (<size>)", "g": <gone>}')), {
      k: 'in/a "b".csv', n: 5, t: ['x'], msg: 'got in/a "b".csv (5)', g: null,
    });
  });

  it('in a text template, values go in as their text, escaped as within a JSON string (the input is one)', () => {
    assert.equal(transform('<key> is <size> bytes'), 'in/a \\"b\\".csv is 5 bytes');
  });
});
