/**
 * What the link takes from an agent: a real agent's hello and reports pass unchanged; every
 * field a hostile client abused before (region `x_y`, `cpu: "abc"`, `memory: -5`, 14,827
 * attributes, a report whose containers is not a list) is refused with the field named, and
 * nothing beyond the protocol's fields comes through.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AGENT_LINK_LIMITS, type TaskStateChange } from '../common/index.ts';
import { decodeAgentMessage, decodeHello, decodeReport } from './messages.ts';

const hello = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'hello',
  agentId: '0b9a3f43-5f0e-4e4b-9d1c-3a2f4f0c2b11',
  cluster: 'default',
  region: 'us-east-1',
  hostname: 'host-1',
  ec2InstanceId: 'i-0123456789abcdef0',
  cpu: 2048,
  memory: 3840,
  reservedPorts: [22, 2375, 2376, 51678, 51679],
  attributes: [
    { name: 'ecs.os-type', value: 'linux' },
    { name: 'ecs.availability-zone', value: 'us-east-1a' },
    { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.44' },
    { name: 'rack', value: 'r1' },
  ],
  versionInfo: { agentVersion: '0.1.0', agentHash: 'abcdef12', dockerVersion: 'DockerVersion: 24.0.7' },
  ...over,
});

const TASK = 'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef';
const report = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  taskArn: TASK,
  lastStatus: 'RUNNING',
  containers: [{ name: 'web', runtimeId: 'a'.repeat(64), lastStatus: 'RUNNING', networkBindings: [{ bindIP: '0.0.0.0', containerPort: 80, hostPort: 32768, protocol: 'tcp' }] }],
  pullStartedAt: 1, pullStoppedAt: 2, startedAt: 3,
  ...over,
});

const refusal = (raw: Record<string, unknown>) => {
  const d = decodeAgentMessage(JSON.stringify(raw));
  assert.equal(d.ok, false, `refused: ${JSON.stringify(raw).slice(0, 120)}`);
  return d as Extract<typeof d, { ok: false }>;
};

describe('agent link messages', () => {
  it("passes a real agent's hello and report as they are", () => {
    const h = decodeHello(hello({ agentSecret: 'x'.repeat(43) }));
    assert.deepEqual(h, hello({ agentSecret: 'x'.repeat(43) }));
    const r = decodeReport(report());
    assert.deepEqual(r, report() as unknown as TaskStateChange);
    const stopped = report({ lastStatus: 'STOPPED', stopCode: 'EssentialContainerExited', stoppedReason: 'Essential container in task exited', executionStoppedAt: 4, stoppedAt: 5 });
    assert.deepEqual(decodeReport(stopped), stopped as unknown as TaskStateChange);
  });

  it('keeps only the fields of the protocol', () => {
    const h = decodeHello(hello({ extra: 'x'.repeat(1000), versionInfo: { agentVersion: '1', agentHash: 'a', dockerVersion: 'd', more: 1 } }));
    assert.equal('extra' in h, false);
    assert.deepEqual(h.versionInfo, { agentVersion: '1', agentHash: 'a', dockerVersion: 'd' });
  });

  it('refuses regions Wharf does not serve, and cluster ARNs in them', () => {
    assert.match(refusal(hello({ region: 'x_y' })).message, /hello\.region is not a region/);
    assert.equal(refusal(hello({ region: 'US-EAST-1' })).code, 'InvalidHello');
    assert.match(refusal(hello({ cluster: 'arn:aws:ecs:x_y:123456789012:cluster/c' })).message, /hello\.cluster/);
    assert.match(refusal(hello({ cluster: 'a/b' })).message, /hello\.cluster/);
    assert.equal(decodeAgentMessage(JSON.stringify(hello({ cluster: 'arn:aws:ecs:eu-west-1:123456789012:cluster/prod' }))).ok, true);
  });

  it('refuses cpu and memory that are not positive integers', () => {
    for (const [field, value] of [['cpu', 'abc'], ['cpu', 0], ['cpu', 1.5], ['memory', -5], ['memory', 1e12], ['cpu', null]] as const) {
      const r = refusal(hello({ [field]: value }));
      assert.equal(r.code, 'InvalidHello');
      assert.match(r.message, new RegExp(`hello\\.${field} must be an integer`));
    }
  });

  it('bounds attributes as ECS does: characters, lengths, 10 custom, no name twice', () => {
    const many = Array.from({ length: 14_827 }, (_, i) => ({ name: `a${i}`, value: 'v' }));
    assert.match(refusal(hello({ attributes: many })).message, /hello\.attributes may have at most/);
    const custom = Array.from({ length: 11 }, (_, i) => ({ name: `custom${i}`, value: 'v' }));
    assert.match(refusal(hello({ attributes: custom })).message, /one attribute too many/);
    assert.match(refusal(hello({ attributes: [{ name: 'n'.repeat(129) }] })).message, /1 to 128 characters/);
    assert.match(refusal(hello({ attributes: [{ name: 'rack', value: 'v'.repeat(129) }] })).message, /value must have 1 to 128/);
    assert.match(refusal(hello({ attributes: [{ name: 'bad name' }] })).message, /characters it may not have/);
    assert.match(refusal(hello({ attributes: [{ name: 'rack' }, { name: 'rack' }] })).message, /repeats rack/);
    assert.match(refusal(hello({ attributes: 'x' })).message, /must be a list/);
  });

  it('bounds the other hello fields', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ agentId: '' }, /agentId must have 1 to 128/],
      [{ agentId: 'a'.repeat(129) }, /agentId must have 1 to 128/],
      [{ agentId: 'has space' }, /agentId has characters/],
      [{ agentSecret: 7 }, /agentSecret must be a string/],
      [{ reservedPorts: [70000] }, /reservedPorts\[0\] must be a port/],
      [{ reservedPorts: Array.from({ length: 101 }, (_, i) => i) }, /reservedPorts may have at most 100/],
      [{ gpus: Array.from({ length: 65 }, (_, i) => `gpu-${i}`) }, /gpus may have at most 64/],
      [{ eniLimit: -1 }, /eniLimit must be an integer/],
      [{ hostname: 'h'.repeat(256) }, /hostname must have 1 to 255/],
      [{ ec2InstanceId: 'not-an-id' }, /ec2InstanceId has characters/],
      [{ followAllClusters: 'yes' }, /followAllClusters must be true or false/],
      [{ account: '12' }, /account has characters/],
      [{ versionInfo: { agentVersion: 'v'.repeat(65), agentHash: 'a', dockerVersion: 'd' } }, /agentVersion must have 1 to 64/],
      [{ versionInfo: 'x' }, /versionInfo must be an object/],
    ];
    for (const [over, message] of cases) assert.match(refusal(hello(over)).message, message, JSON.stringify(over).slice(0, 80));
  });

  it('refuses a malformed report alone, naming the field and its task', () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ lastStatus: 'DANCING' }, /change\.lastStatus must be one of PROVISIONING/],
      [{ containers: 'x' }, /change\.containers must be a list/],
      [{ containers: Array.from({ length: 11 }, () => ({ name: 'c', lastStatus: 'RUNNING' })) }, /at most 10 items/],
      [{ containers: [{ name: 'web', lastStatus: 'RUNNING', exitCode: 'x' }] }, /containers\[0\]\.exitCode must be an integer/],
      [{ containers: [{ name: 'web', lastStatus: 'RUNNING', reason: 'r'.repeat(AGENT_LINK_LIMITS.maxReasonLength + 1) }] }, /reason must have 1 to 1024/],
      [{ containers: [{ name: 'web', lastStatus: 'RUNNING', healthStatus: 'FINE' }] }, /healthStatus must be one of/],
      [{ containers: [{ name: 'web', lastStatus: 'RUNNING', networkBindings: [{ hostPort: 'x' }] }] }, /networkBindings\[0\]\.hostPort/],
      [{ startedAt: -1 }, /startedAt must be an integer/],
      [{ stopCode: 'Whatever' }, /stopCode must be one of/],
    ];
    for (const [over, message] of cases) {
      const r = refusal({ type: 'taskStateChange', change: report(over) });
      assert.equal(r.code, 'InvalidReport');
      assert.match(r.message, message);
      assert.equal(r.taskArn, TASK, 'the agent is told which report');
    }
    assert.match(refusal({ type: 'taskStateChange', change: report({ taskArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/c' }) }).message, /taskArn has characters/);
    assert.match(refusal({ type: 'taskStateChange' }).message, /change must be an object/);
  });

  it('refuses what is not a message', () => {
    assert.equal(decodeAgentMessage('not json').ok, false);
    assert.equal(refusal([] as unknown as Record<string, unknown>).code, 'InvalidMessage');
    assert.match(refusal({ type: 'shutdown' }).message, /Unknown message type/);
    assert.deepEqual(decodeAgentMessage('{"type":"heartbeat","x":1}'), { ok: true, message: { type: 'heartbeat' } });
  });
});
