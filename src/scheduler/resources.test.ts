import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fits, gpuCount, release, reserve, shortfall } from './resources.ts';
import { need, res } from './testing.ts';

describe('shortfall', () => {
  it('names the first resource missing, in the order CPU, memory, ports, GPU, ENI', () => {
    const have = res(1024, 2048, { ports: [22, 80], portsUdp: [53], gpus: ['GPU-0'], enis: 1 });
    assert.equal(shortfall(have, need(1025, 4096)), 'RESOURCE:CPU');
    assert.equal(shortfall(have, need(1024, 2049, { ports: [80] })), 'RESOURCE:MEMORY');
    assert.equal(shortfall(have, need(0, 0, { ports: [80], gpus: 5 })), 'RESOURCE:PORTS');
    assert.equal(shortfall(have, need(0, 0, { portsUdp: [53] })), 'RESOURCE:PORTS');
    assert.equal(shortfall(have, need(0, 0, { portsUdp: [80] })), undefined, 'TCP 80 in use does not take UDP 80');
    assert.equal(shortfall(have, need(0, 0, { gpus: 2, enis: 2 })), 'RESOURCE:GPU');
    assert.equal(shortfall(have, need(0, 0, { gpus: 1, enis: 2 })), 'RESOURCE:ENI');
    assert.equal(shortfall(have, need(1024, 2048, { ports: [8080], gpus: 1, enis: 1 })), undefined);
  });

  it('an instance without GPUs has none; one reporting no ENI limit takes any number of awsvpc tasks', () => {
    assert.equal(shortfall(res(100, 100), need(0, 0, { gpus: 1 })), 'RESOURCE:GPU');
    assert.equal(shortfall(res(100, 100), need(0, 0, { enis: 1 })), undefined);
    assert.equal(shortfall(res(100, 100, { enis: 0 }), need(0, 0, { enis: 1 })), 'RESOURCE:ENI');
  });

  it('counts GPUs from a demand (a number) or from what a placed task holds (ids)', () => {
    assert.equal(gpuCount(need(0, 0, { gpus: 3 })), 3);
    assert.equal(gpuCount(res(0, 0, { gpus: ['a', 'b'] })), 2);
    assert.equal(gpuCount(res(0, 0)), 0);
    assert.equal(fits(res(0, 0, { gpus: ['x'] }), res(0, 0, { gpus: ['y'] })), true);
    assert.equal(fits(res(0, 0, { gpus: ['x'] }), res(0, 0, { gpus: ['y', 'z'] })), false);
  });
});

describe('reserve and release', () => {
  const registered = res(2048, 4096, { ports: [22], gpus: ['GPU-0', 'GPU-1', 'GPU-2'], enis: 3 });
  const held = res(512, 1024, { ports: [80], portsUdp: [53], gpus: ['GPU-1'], enis: 1 });

  it('reserve takes CPU, memory, GPUs and an ENI, and adds the ports to those in use', () => {
    assert.deepEqual(reserve(registered, held), res(1536, 3072, { ports: [22, 80], portsUdp: [53], gpus: ['GPU-0', 'GPU-2'], enis: 2 }));
  });

  it('release gives them back, GPUs in registered order, capped at what was registered', () => {
    const remaining = reserve(registered, held);
    assert.deepEqual(release(remaining, held, registered), registered);
    assert.deepEqual(release(registered, held, registered), registered, 'releasing twice does not exceed registered');
  });

  it('keeps absent GPU and ENI members absent, as records without them are stored', () => {
    const plain = res(1024, 1024, { ports: [22] });
    const task = res(100, 100, { ports: [8080] });
    assert.deepEqual(reserve(plain, task), res(924, 924, { ports: [22, 8080] }));
    assert.deepEqual(release(reserve(plain, task), task, plain), plain);
    assert.deepEqual(Object.keys(reserve(plain, res(0, 0, { gpus: [], enis: 1 }))).sort(), ['cpu', 'memory', 'ports', 'portsUdp']);
  });

  it('does not change its arguments', () => {
    const remaining = res(2048, 4096, { ports: [22], gpus: ['GPU-0'] });
    const copy = structuredClone(remaining);
    reserve(remaining, res(1, 1, { ports: [80], gpus: ['GPU-0'] }));
    release(remaining, res(1, 1, { ports: [22] }), copy);
    assert.deepEqual(remaining, copy);
  });
});
