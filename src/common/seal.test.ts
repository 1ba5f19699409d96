import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { Sealer } from './seal.ts';

describe('Sealer', () => {
  const sealer = new Sealer(randomBytes(32));

  it('opens what it sealed, for the same context only', () => {
    const sealed = sealer.seal('hunter2', 'arn:secret:a/v1');
    assert.ok(!sealed.includes('hunter2'));
    assert.equal(sealer.open(sealed, 'arn:secret:a/v1').toString(), 'hunter2');
    assert.throws(() => sealer.open(sealed, 'arn:secret:b/v1'));
  });

  it('seals the same value differently each time, and refuses another key or a changed value', () => {
    assert.notEqual(sealer.seal('x', 'c'), sealer.seal('x', 'c'));
    const sealed = sealer.seal('x', 'c');
    assert.throws(() => new Sealer(randomBytes(32)).open(sealed, 'c'), /another key/);
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA');
    assert.throws(() => sealer.open(tampered, 'c'));
    assert.throws(() => new Sealer(randomBytes(16)), /32 bytes/);
  });
});
