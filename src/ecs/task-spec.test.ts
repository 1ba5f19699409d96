import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { taskDemand, taskSpec } from './task-spec.ts';
import type { TaskDefinitionRecord } from './records.ts';

const td = (over: Partial<TaskDefinitionRecord> = {}): TaskDefinitionRecord => ({
  family: 'web',
  revision: 3,
  taskDefinitionArn: 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:3',
  status: 'ACTIVE',
  registeredAt: 0,
  tags: [],
  networkMode: 'bridge',
  containerDefinitions: [
    { name: 'app', image: 'app', cpu: 256, memory: 512, environment: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], command: ['serve'],
      portMappings: [{ containerPort: 80, hostPort: 8080, protocol: 'tcp' }, { containerPort: 53, hostPort: 5353, protocol: 'udp' }, { containerPort: 9000, hostPort: 0 }] },
    { name: 'log', image: 'log', cpu: 0, memory: 256, memoryReservation: 64 },
  ],
  ...over,
});

describe('taskSpec', () => {
  it('applies container overrides: command, cpu and memory replace, environment merges by name', () => {
    const spec = taskSpec(td(), { containerOverrides: [{ name: 'app', command: ['migrate'], memory: 1024, environment: [{ name: 'B', value: 'x' }, { name: 'C', value: '3' }] }] });
    const app = spec.containers.find((c) => c.name === 'app')!;
    assert.deepEqual(app.command, ['migrate']);
    assert.equal(app.memory, 1024);
    assert.equal(app.cpu, 256);
    assert.deepEqual(app.environment, [{ name: 'A', value: '1' }, { name: 'B', value: 'x' }, { name: 'C', value: '3' }]);
    assert.deepEqual(spec.containers.find((c) => c.name === 'log'), td().containerDefinitions![1]);
    assert.equal(spec.family, 'web');
    assert.equal(spec.revision, 3);
  });

  it('carries the volumes and the PID and IPC modes to the agent, and leaves them out when unset', () => {
    const volumes = [{ name: 'data', host: { sourcePath: '/srv' } }];
    const spec = taskSpec(td({ volumes, pidMode: 'task', ipcMode: 'none' }), {});
    assert.deepEqual([spec.volumes, spec.pidMode, spec.ipcMode], [volumes, 'task', 'none']);
    assert.equal(['volumes', 'pidMode', 'ipcMode'].some((k) => k in taskSpec(td({ volumes: [] }), {})), false);
  });

  it('takes task-level cpu and memory from overrides over the definition', () => {
    assert.deepEqual([taskSpec(td({ cpu: '512', memory: '1024' }), {}).cpu, taskSpec(td({ cpu: '512', memory: '1024' }), { cpu: '1024' }).cpu], [512, 1024]);
  });
});

describe('taskDemand', () => {
  it('sums container cpu and memory (memoryReservation where set) and lists static host ports', () => {
    assert.deepEqual(taskDemand(taskSpec(td(), {})), { cpu: 256, memory: 512 + 64, ports: [8080], portsUdp: [5353] });
  });

  it('uses task-level cpu and memory when the definition sets them', () => {
    assert.deepEqual(taskDemand(taskSpec(td({ cpu: '1024', memory: '2048' }), {})).memory, 2048);
    assert.deepEqual(taskDemand(taskSpec(td({ cpu: '1024', memory: '2048' }), {})).cpu, 1024);
  });

  it('reserves the container port in host mode and no host port in awsvpc mode', () => {
    const host = td({ networkMode: 'host', containerDefinitions: [{ name: 'a', image: 'a', memory: 8, portMappings: [{ containerPort: 80, hostPort: 80 }] }] });
    assert.deepEqual(taskDemand(taskSpec(host, {})).ports, [80]);
    const vpc = td({ networkMode: 'awsvpc', containerDefinitions: [{ name: 'a', image: 'a', memory: 8, portMappings: [{ containerPort: 80, hostPort: 80 }] }] });
    assert.deepEqual(taskDemand(taskSpec(vpc, {})).ports, []);
  });
});
