import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { TaskSpec } from '../common/index.ts';
import {
  LABEL,
  PAUSE_CONTAINER_NAME,
  containerCreateOptions,
  dockerContainerName,
  networkBindings,
  pauseContainerOptions,
  stopTimeoutSeconds,
  type ContainerContext,
} from './container-config.ts';

const MiB = 1024 * 1024;
const spec = (networkMode: TaskSpec['networkMode'] = 'bridge', containers: ContainerDefinition[] = []): TaskSpec =>
  ({ family: 'web', revision: 7, networkMode, containers });
const ctx = (over: Partial<ContainerContext> = {}): ContainerContext => ({
  taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef',
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/default',
  agentId: 'agent-1',
  spec: spec(),
  hostIp: '127.0.0.1',
  dockerName: 'ecs-web-7-app-0123456789abcdef0123',
  dockerNames: {},
  ...over,
});
const create = (def: ContainerDefinition, over: Partial<ContainerContext> = {}) => containerCreateOptions({ name: 'app', image: 'nginx', ...def }, ctx(over));

describe('container create options', () => {
  it('names containers like ECS and sanitizes what Docker does not allow', () => {
    assert.equal(dockerContainerName('web', 7, 'app', 'abc123'), 'ecs-web-7-app-abc123');
    assert.equal(dockerContainerName('my fam', 1, 'a/b', 'ff'), 'ecs-my-fam-1-a-b-ff');
  });

  it('a minimal definition: image, name, ECS labels, bridge, minimum CPU shares, default stop timeout', () => {
    const o = create({});
    assert.deepEqual(o, {
      name: 'ecs-web-7-app-0123456789abcdef0123',
      Image: 'nginx',
      Labels: {
        [LABEL.taskArn]: 'arn:aws:ecs:us-east-1:123456789012:task/default/0123456789abcdef0123456789abcdef',
        [LABEL.containerName]: 'app',
        [LABEL.cluster]: 'arn:aws:ecs:us-east-1:123456789012:cluster/default',
        [LABEL.family]: 'web',
        [LABEL.version]: '7',
        [LABEL.agentId]: 'agent-1',
      },
      StopTimeout: 30,
      HostConfig: { NetworkMode: 'bridge', CpuShares: 2 },
    });
  });

  it('labels: dockerLabels are kept, but cannot override the ECS and agent labels', () => {
    const o = create({ dockerLabels: { team: 'blue', [LABEL.taskArn]: 'spoofed', [LABEL.agentId]: 'other' } });
    assert.equal(o.Labels.team, 'blue');
    assert.equal(o.Labels[LABEL.taskArn], ctx().taskArn);
    assert.equal(o.Labels[LABEL.agentId], 'agent-1');
  });

  it('ports: tcp and udp, fixed and dynamic host ports, bound to the host IP', () => {
    const o = create({
      portMappings: [
        { containerPort: 80 },
        { containerPort: 443, hostPort: 8443, protocol: 'tcp' },
        { containerPort: 53, hostPort: 0, protocol: 'udp' },
        { containerPort: 80, hostPort: 8080 },
      ],
    }, { hostIp: '10.0.0.5' });
    assert.deepEqual(o.ExposedPorts, { '80/tcp': {}, '443/tcp': {}, '53/udp': {} });
    assert.deepEqual(o.HostConfig.PortBindings, {
      '80/tcp': [{ HostIp: '10.0.0.5', HostPort: '' }, { HostIp: '10.0.0.5', HostPort: '8080' }],
      '443/tcp': [{ HostIp: '10.0.0.5', HostPort: '8443' }],
      '53/udp': [{ HostIp: '10.0.0.5', HostPort: '' }],
    });
  });

  it('network modes: host and none publish nothing, awsvpc runs on the bridge', () => {
    const def = { portMappings: [{ containerPort: 80, hostPort: 80 }], links: ['db'] };
    const host = create(def, { spec: spec('host') });
    assert.equal(host.HostConfig.NetworkMode, 'host');
    assert.equal(host.ExposedPorts, undefined);
    assert.equal(host.HostConfig.PortBindings, undefined);
    assert.equal(host.HostConfig.Links, undefined);
    assert.equal(create(def, { spec: spec('none') }).HostConfig.NetworkMode, 'none');
    const awsvpc = create(def, { spec: spec('awsvpc'), dockerNames: { db: 'ecs-web-7-db-1' } });
    assert.equal(awsvpc.HostConfig.NetworkMode, 'bridge');
    assert.deepEqual(awsvpc.HostConfig.PortBindings, { '80/tcp': [{ HostIp: '127.0.0.1', HostPort: '80' }] });
  });

  it('links point at the linked container\'s Docker name, with the alias', () => {
    const o = create({ links: ['db:database', 'cache'] }, { dockerNames: { db: 'ecs-web-7-db-aa', cache: 'ecs-web-7-cache-bb' } });
    assert.deepEqual(o.HostConfig.Links, ['ecs-web-7-db-aa:database', 'ecs-web-7-cache-bb:cache']);
  });

  it('memory: hard limit and reservation in bytes', () => {
    assert.equal(create({ memory: 512 }).HostConfig.Memory, 512 * MiB);
    assert.equal(create({ memory: 512 }).HostConfig.MemoryReservation, undefined);
    const both = create({ memory: 512, memoryReservation: 128 });
    assert.equal(both.HostConfig.Memory, 512 * MiB);
    assert.equal(both.HostConfig.MemoryReservation, 128 * MiB);
    const soft = create({ memoryReservation: 64 });
    assert.equal(soft.HostConfig.Memory, undefined);
    assert.equal(soft.HostConfig.MemoryReservation, 64 * MiB);
  });

  it('cpu: units become CPU shares, at least 2', () => {
    assert.equal(create({ cpu: 256 }).HostConfig.CpuShares, 256);
    assert.equal(create({ cpu: 0 }).HostConfig.CpuShares, 2);
    assert.equal(create({ cpu: 1 }).HostConfig.CpuShares, 2);
    assert.equal(create({}).HostConfig.CpuShares, 2);
  });

  it('process: env, command, entryPoint, workingDirectory, user, hostname', () => {
    const o = create({
      environment: [{ name: 'A', value: '1' }, { name: 'EMPTY', value: '' }, { name: 'EQ', value: 'x=y' }],
      command: ['-c', 'echo hi'],
      entryPoint: ['sh'],
      workingDirectory: '/srv',
      user: 'nobody',
      hostname: 'app1',
    });
    assert.deepEqual(o.Env, ['A=1', 'EMPTY=', 'EQ=x=y']);
    assert.deepEqual(o.Cmd, ['-c', 'echo hi']);
    assert.deepEqual(o.Entrypoint, ['sh']);
    assert.equal(o.WorkingDir, '/srv');
    assert.equal(o.User, 'nobody');
    assert.equal(o.Hostname, 'app1');
  });

  it('ulimits and the other host settings', () => {
    const o = create({
      ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }, { name: 'nproc', softLimit: 64, hardLimit: 64 }],
      privileged: true,
      readonlyRootFilesystem: true,
      extraHosts: [{ hostname: 'db.local', ipAddress: '10.0.0.9' }],
      dnsServers: ['1.1.1.1'],
      dnsSearchDomains: ['corp'],
      dockerSecurityOptions: ['no-new-privileges'],
      systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
      linuxParameters: { initProcessEnabled: true, sharedMemorySize: 64, capabilities: { add: ['NET_ADMIN'], drop: ['MKNOD'] } },
      logConfiguration: { logDriver: 'json-file', options: { 'max-size': '10m' } },
      stopTimeout: 5,
    });
    assert.deepEqual(o.HostConfig.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 4096 }, { Name: 'nproc', Soft: 64, Hard: 64 }]);
    assert.equal(o.HostConfig.Privileged, true);
    assert.equal(o.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(o.HostConfig.ExtraHosts, ['db.local:10.0.0.9']);
    assert.deepEqual(o.HostConfig.Dns, ['1.1.1.1']);
    assert.deepEqual(o.HostConfig.DnsSearch, ['corp']);
    assert.deepEqual(o.HostConfig.SecurityOpt, ['no-new-privileges']);
    assert.deepEqual(o.HostConfig.Sysctls, { 'net.core.somaxconn': '1024' });
    assert.equal(o.HostConfig.Init, true);
    assert.equal(o.HostConfig.ShmSize, 64 * MiB);
    assert.deepEqual(o.HostConfig.CapAdd, ['NET_ADMIN']);
    assert.deepEqual(o.HostConfig.CapDrop, ['MKNOD']);
    assert.deepEqual(o.HostConfig.LogConfig, { Type: 'json-file', Config: { 'max-size': '10m' } });
    assert.equal(o.StopTimeout, 5);
  });

  it('linuxParameters: devices with their permissions, tmpfs mounts with size and options, swap beside the memory limit', () => {
    const host = create({
      memory: 128,
      linuxParameters: {
        devices: [{ hostPath: '/dev/fuse' }, { hostPath: '/dev/null', containerPath: '/dev/quiet', permissions: ['read'] }],
        tmpfs: [{ containerPath: '/scratch', size: 64, mountOptions: ['noexec', 'nosuid'] }],
        maxSwap: 256,
        swappiness: 10,
      },
    }).HostConfig;
    assert.deepEqual(host.Devices, [
      { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
      { PathOnHost: '/dev/null', PathInContainer: '/dev/quiet', CgroupPermissions: 'r' },
    ]);
    assert.deepEqual(host.Tmpfs, { '/scratch': 'size=64m,noexec,nosuid' });
    assert.equal(host.MemorySwap, (128 + 256) * 1024 * 1024);
    assert.equal(host.MemorySwappiness, 10);
    assert.equal(create({ memory: 128, linuxParameters: { maxSwap: 0 } }).HostConfig.MemorySwap, 128 * 1024 * 1024, 'maxSwap 0: no swap');
  });

  it('awslogs is left to Wharf: Docker keeps its default log driver', () => {
    assert.equal(create({ logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g' } } }).HostConfig.LogConfig, undefined);
  });

  it('health check: seconds become nanoseconds, with ECS defaults', () => {
    assert.deepEqual(create({ healthCheck: { command: ['CMD-SHELL', 'curl -f localhost'] } }).Healthcheck, {
      Test: ['CMD-SHELL', 'curl -f localhost'], Interval: 30e9, Timeout: 5e9, Retries: 3, StartPeriod: 0,
    });
    assert.deepEqual(create({ healthCheck: { command: ['CMD', 'true'], interval: 5, timeout: 2, retries: 1, startPeriod: 10 } }).Healthcheck, {
      Test: ['CMD', 'true'], Interval: 5e9, Timeout: 2e9, Retries: 1, StartPeriod: 10e9,
    });
    assert.equal(create({}).Healthcheck, undefined, 'no health check: Docker is told nothing');
    assert.equal(create({ healthCheck: { command: [] } }).Healthcheck, undefined);
  });

  it('stop timeout: 30 s unless the definition says', () => {
    assert.equal(stopTimeoutSeconds({}), 30);
    assert.equal(stopTimeoutSeconds({ stopTimeout: 2 }), 2);
    assert.equal(stopTimeoutSeconds({ stopTimeout: 0 }), 0);
  });
});

describe('network bindings', () => {
  const published = [
    { containerPort: 80, protocol: 'tcp' as const, hostIp: '127.0.0.1', hostPort: 32768 },
    { containerPort: 53, protocol: 'udp' as const, hostIp: '127.0.0.1', hostPort: 32769 },
  ];
  it('bridge: what Docker published', () => {
    assert.deepEqual(networkBindings({ portMappings: [{ containerPort: 80 }] }, 'bridge', published), [
      { bindIP: '127.0.0.1', containerPort: 80, hostPort: 32768, protocol: 'tcp' },
      { bindIP: '127.0.0.1', containerPort: 53, hostPort: 32769, protocol: 'udp' },
    ]);
  });
  it('host: the container ports on every address; none: nothing', () => {
    const def = { portMappings: [{ containerPort: 8080 }, { containerPort: 53, hostPort: 53, protocol: 'udp' as const }] };
    assert.deepEqual(networkBindings(def, 'host', []), [
      { bindIP: '0.0.0.0', containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
      { bindIP: '0.0.0.0', containerPort: 53, hostPort: 53, protocol: 'udp' },
    ]);
    assert.deepEqual(networkBindings(def, 'none', published), []);
  });
});

describe("the host's resolver for tasks", () => {
  it("a bridge container resolves with it; its definition's dnsServers win; host-network containers keep the host's", () => {
    assert.deepEqual(create({}, { resolver: '169.254.169.253' }).HostConfig.Dns, ['169.254.169.253']);
    const own = create({ dnsServers: ['10.0.0.2'], dnsSearchDomains: ['corp'] }, { resolver: '169.254.169.253' });
    assert.deepEqual(own.HostConfig.Dns, ['10.0.0.2']);
    assert.deepEqual(own.HostConfig.DnsSearch, ['corp']);
    assert.equal(create({}, { resolver: '169.254.169.253', spec: spec('host') }).HostConfig.Dns, undefined);
    assert.equal(create({}).HostConfig.Dns, undefined, 'a host without it leaves Docker its resolvers');
  });

  it("an awsvpc task's pause container holds it in the resolv.conf its containers share; they set none of their own", () => {
    const { hostIp: _hostIp, dockerNames: _names, ...pauseCtx } = ctx({ spec: spec('awsvpc'), resolver: '169.254.169.253' });
    assert.deepEqual(pauseContainerOptions('wharf/pause:1', pauseCtx).HostConfig.Dns, ['169.254.169.253']);
    const joined = create({}, { spec: spec('awsvpc'), pauseId: 'c0ffee', resolver: '169.254.169.253' });
    assert.equal(joined.HostConfig.Dns, undefined);
  });
});

describe('awsvpc: the pause container and the containers in its namespace', () => {
  it('the pause container: no Docker networking, minimum CPU shares, the task\'s labels under the pause name', () => {
    const { hostIp: _hostIp, dockerNames: _names, ...pauseCtx } = ctx({ spec: spec('awsvpc'), dockerName: 'ecs-web-7-internalecspause-aa' });
    assert.deepEqual(pauseContainerOptions('wharf/pause:1', pauseCtx), {
      name: 'ecs-web-7-internalecspause-aa',
      Image: 'wharf/pause:1',
      Labels: {
        [LABEL.taskArn]: ctx().taskArn,
        [LABEL.containerName]: PAUSE_CONTAINER_NAME,
        [LABEL.cluster]: ctx().clusterArn,
        [LABEL.family]: 'web',
        [LABEL.version]: '7',
        [LABEL.agentId]: 'agent-1',
      },
      HostConfig: { NetworkMode: 'none', CpuShares: 2 },
    });
    assert.equal(PAUSE_CONTAINER_NAME, '~internal~ecs~pause');
  });

  it('a container of the task joins the pause container\'s namespace, with none of the settings Docker refuses there', () => {
    const def: ContainerDefinition = {
      portMappings: [{ containerPort: 8080, hostPort: 8080 }, { containerPort: 53, protocol: 'udp' }],
      links: ['db'],
      hostname: 'app1',
      dnsServers: ['1.1.1.1'],
      dnsSearchDomains: ['corp'],
      extraHosts: [{ hostname: 'db.local', ipAddress: '10.0.0.9' }],
      memory: 256,
      environment: [{ name: 'A', value: '1' }],
      systemControls: [{ namespace: 'net.core.somaxconn', value: '1024' }],
    };
    const o = create(def, { spec: spec('awsvpc'), pauseId: 'c0ffee', dockerNames: { db: 'ecs-web-7-db-1' } });
    assert.equal(o.HostConfig.NetworkMode, 'container:c0ffee');
    assert.equal(o.ExposedPorts, undefined, 'ports are the namespace\'s own: nothing is published on the host');
    assert.equal(o.HostConfig.PortBindings, undefined);
    assert.equal(o.HostConfig.Links, undefined);
    assert.equal(o.Hostname, undefined);
    assert.equal(o.HostConfig.Dns, undefined);
    assert.equal(o.HostConfig.DnsSearch, undefined);
    assert.equal(o.HostConfig.ExtraHosts, undefined);
    assert.equal(o.HostConfig.Memory, 256 * MiB, 'what is not about the network is kept');
    assert.deepEqual(o.Env, ['A=1']);
    assert.deepEqual(o.HostConfig.Sysctls, { 'net.core.somaxconn': '1024' });
  });

  it('every container of the task joins the same namespace', () => {
    const modes = ['app', 'side'].map((name) => create({ name }, { spec: spec('awsvpc'), pauseId: 'c0ffee' }).HostConfig.NetworkMode);
    assert.deepEqual(modes, ['container:c0ffee', 'container:c0ffee']);
  });

  it('joined containers report no host bindings: Docker published nothing for them', () => {
    assert.deepEqual(networkBindings({ portMappings: [{ containerPort: 8080 }] }, 'awsvpc', []), []);
  });
});
