/** The instance type table: AWS's figures, and DescribeInstanceTypes' filters. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { INSTANCE_TYPES, describeInstanceTypes, instanceType } from './instance-types.ts';

const figures = (name: string) => {
  const t = instanceType(name)!;
  return [t.vcpus, t.memoryMiB, t.maxNetworkInterfaces, t.ipv4PerInterface];
};

describe('instance types', () => {
  it('have AWS\'s vCPUs, memory, interfaces and addresses per interface', () => {
    assert.deepEqual(figures('t3.nano'), [2, 512, 2, 2]);
    assert.deepEqual(figures('t3.micro'), [2, 1024, 2, 2]);
    assert.deepEqual(figures('t3.medium'), [2, 4096, 3, 6]);
    assert.deepEqual(figures('t3.2xlarge'), [8, 32768, 4, 15]);
    assert.deepEqual(figures('t3a.large'), [2, 8192, 3, 12]);
    assert.deepEqual(figures('m5.large'), [2, 8192, 3, 10]);
    assert.deepEqual(figures('m5.4xlarge'), [16, 65536, 8, 30]);
    assert.deepEqual(figures('c5.4xlarge'), [16, 32768, 8, 30]);
    assert.deepEqual(figures('r5.2xlarge'), [8, 65536, 4, 15]);
    assert.deepEqual(figures('m6i.xlarge'), [4, 16384, 4, 15]);
    assert.deepEqual(figures('c6i.large'), [2, 4096, 3, 10]);
    assert.deepEqual(figures('m7g.medium'), [1, 4096, 2, 4]);
    assert.equal(instanceType('m7g.large')?.architecture, 'arm64');
    assert.equal(instanceType('m7g.large')?.threadsPerCore, 1);
    assert.equal(instanceType('m5.xlarge')?.cores, 2);
    assert.equal(instanceType('m1.small'), undefined);
    assert.equal(INSTANCE_TYPES.size, 7 + 7 + 4 + 4 + 3 + 3 + 3 + 4);
  });

  it('DescribeInstanceTypes: by name, filtered with wildcards, refused for an unknown name', () => {
    const names = (filters: { name: string; values: string[] }[]) => describeInstanceTypes({ filters }).map((t) => t.instanceType);
    assert.deepEqual(names([{ name: 'memory-info.size-in-mib', values: ['65536'] }]), ['m5.4xlarge', 'r5.2xlarge']);
    assert.deepEqual(names([{ name: 'processor-info.supported-architecture', values: ['arm64'] }]), ['m7g.2xlarge', 'm7g.large', 'm7g.medium', 'm7g.xlarge']);
    assert.deepEqual(names([{ name: 'instance-type', values: ['t3.*'] }, { name: 'vcpu-info.default-vcpus', values: ['4', '8'] }]), ['t3.2xlarge', 't3.xlarge']);
    assert.deepEqual(names([{ name: 'burstable-performance-supported', values: ['true'] }, { name: 'network-info.maximum-network-interfaces', values: ['2'] }]),
      ['t3.micro', 't3.nano', 't3a.micro', 't3a.nano']);
    assert.deepEqual(describeInstanceTypes({ instanceTypes: ['c5.large', 't3.nano'] }).map((t) => t.instanceType), ['c5.large', 't3.nano']);
    assert.throws(() => describeInstanceTypes({ instanceTypes: ['t3.nano', 'q1.big'] }), { code: 'InvalidInstanceType', message: 'The following supplied instance types do not exist: [q1.big]' });
    assert.throws(() => describeInstanceTypes({ filters: [{ name: 'colour', values: ['x'] }] }), { code: 'InvalidParameterValue' });
  });
});
