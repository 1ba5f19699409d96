/**
 * The container-definition fields a task's container is run with, checked from inside the
 * container on a real `wharf dev` through @aws-sdk/client-ecs: readonlyRootFilesystem, user,
 * workingDirectory, hostname, extraHosts, dnsServers, pseudoTerminal, interactive, dockerLabels,
 * ulimits and linuxParameters (tmpfs, initProcessEnabled, capabilities). Nothing is sent to the
 * DNS server named: only its place in resolv.conf is read.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, waitUntilTasksStopped, type ECSClient,
} from '@aws-sdk/client-ecs';
import { ecsClient, startDev, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';

const run = Date.now().toString(36);
let wharf: WharfProcess;
let ecs: ECSClient;
let cluster: string;
let clusterArn = '';

before(async () => {
  wharf = await startDev();
  ecs = ecsClient(wharf.url);
  const created = await ecs.send(new CreateClusterCommand({ clusterName: `settings-${run}` }));
  cluster = created.cluster!.clusterName!;
  clusterArn = created.cluster!.clusterArn!;
});

after(async () => {
  if (clusterArn) removeClusterContainers(clusterArn);
  await wharf?.stop();
});

describe('container settings', () => {
  it('each field of the container definition is what the container finds', async () => {
    const script = [
      'touch /written 2>/dev/null && echo ROOTFS=writable || echo ROOTFS=read-only',
      'echo UID=$(id -u) GID=$(id -g)',
      'echo PWD=$(pwd)',
      'echo HOSTNAME=$(hostname)',
      'echo HOSTS=$(grep db.internal /etc/hosts)',
      'echo DNS=$(grep nameserver /etc/resolv.conf)',
      '[ -t 1 ] && echo TTY=yes || echo TTY=no',
      'echo NOFILE=$(ulimit -n)',
      'echo SCRATCH=$(grep " /scratch " /proc/mounts | cut -d" " -f1,3)',
      'echo WRITE_SCRATCH=$(echo x > /scratch/f && cat /scratch/f)',
      'echo INIT=$(tr "\\0" " " < /proc/1/cmdline | cut -d" " -f1)',
      'echo CAPS=$(grep CapEff /proc/self/status)',
    ].join('; ');
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: `settings-${run}`,
      containerDefinitions: [{
        name: 'app', image: TEST_IMAGE, memory: 64, essential: true, command: ['sh', '-c', script],
        readonlyRootFilesystem: true, user: '65534:65534', workingDirectory: '/tmp', hostname: 'svc-host',
        extraHosts: [{ hostname: 'db.internal', ipAddress: '10.9.9.9' }], dnsServers: ['10.9.9.53'],
        pseudoTerminal: true, interactive: true, dockerLabels: { team: 'core' },
        ulimits: [{ name: 'nofile', softLimit: 1234, hardLimit: 2048 }],
        linuxParameters: { tmpfs: [{ containerPath: '/scratch', size: 8, mountOptions: ['mode=1777'] }], initProcessEnabled: true, capabilities: { drop: ['ALL'] } },
      }],
    }));
    const arn = (await ecs.send(new RunTaskCommand({ cluster, taskDefinition: `settings-${run}` }))).tasks![0].taskArn!;
    await waitUntilTasksStopped({ client: ecs, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { cluster, tasks: [arn] });
    const task = (await ecs.send(new DescribeTasksCommand({ cluster, tasks: [arn] }))).tasks![0];
    const id = task.containers![0].runtimeId!;
    const logs = docker('logs', id).replaceAll('\r', '');
    const out = Object.fromEntries(logs.split('\n').filter((l) => l.includes('=')).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    assert.equal(task.containers![0].exitCode, 0, logs);
    assert.equal(out.ROOTFS, 'read-only');
    assert.equal(out.UID, '65534 GID=65534');
    assert.equal(out.PWD, '/tmp');
    assert.equal(out.HOSTNAME, 'svc-host');
    assert.match(out.HOSTS!, /^10\.9\.9\.9\s+db\.internal$/);
    assert.equal(out.DNS, 'nameserver 10.9.9.53');
    assert.equal(out.TTY, 'yes');
    assert.equal(out.NOFILE, '1234');
    assert.equal(out.SCRATCH, 'tmpfs tmpfs');
    assert.equal(out.WRITE_SCRATCH, 'x', 'the tmpfs is writable though the root is not');
    assert.match(out.INIT!, /docker-init|tini/);
    assert.equal(out.CAPS, 'CapEff: 0000000000000000', 'every capability dropped');
    const inspected = JSON.parse(docker('inspect', id))[0];
    assert.equal(inspected.Config.OpenStdin, true);
    assert.equal(inspected.Config.Labels.team, 'core');
  });
});
