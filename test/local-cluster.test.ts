/**
 * `wharf cluster`: one command starts etcd, replicas on it and an agent that knows every
 * replica; a task run through any replica runs on the agent; SIGTERM stops every process it
 * started (task containers stay, as with any agent).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DescribeClustersCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand, waitUntilTasksRunning,
} from '@aws-sdk/client-ecs';
import { removeClusterContainers } from './support/docker.ts';
import { freePortRun, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

let running: (WharfProcess & { readyLine: string }) | undefined;
after(async () => {
  await running?.stop();
  removeClusterContainers('arn:aws:ecs:us-east-1:123456789012:cluster/default');
});

describe('wharf cluster', () => {
  it('starts etcd, two replicas and an agent, each in its own network namespace; a task runs through either replica; SIGTERM stops them all', { timeout: 180_000 }, async () => {
    const dir = tempDir();
    const port = await freePortRun(3);
    running = await spawnWharf(
      ['cluster', '--members', '1', '--replicas', '2', '--agents', '1', '--port', String(port), '--data-dir', dir],
      /Wharf cluster ready at/,
    );
    const urls = running.readyLine.match(/http:\/\/[^\s,]+/g)!;
    // As root, each replica and the agent is a host of its own: a network namespace on an underlay.
    const namespaces = [...running.output().matchAll(/(wharf-[0-9a-f]{4}-(?:replica|agent)-\d+) (10\.253\.\d+\.\d+)/g)].map((m) => m[1]);
    if (process.getuid?.() === 0) {
      assert.deepEqual(namespaces.map((n) => n.replace(/^wharf-[0-9a-f]{4}-/, '')), ['replica-1', 'replica-2', 'agent-1']);
      const listed = execFileSync('ip', ['netns', 'list']).toString();
      for (const n of namespaces) assert.ok(listed.includes(n), `${n} exists while the cluster runs`);
    }
    assert.deepEqual(urls, [`http://127.0.0.1:${port}`, `http://127.0.0.1:${port + 1}`]);
    const text = readFileSync(join(dir, 'root-credentials'), 'utf8');
    const credentials = {
      accessKeyId: /aws_access_key_id = (\S+)/.exec(text)![1], secretAccessKey: /aws_secret_access_key = (\S+)/.exec(text)![1],
    };
    const [first, second] = urls.map((endpoint) => new ECSClient({ endpoint, region: 'us-east-1', credentials }));
    // The agent registers in `default` (made for it) once linked, seen through both replicas.
    for (const ecs of [first, second]) {
      for (let i = 0; ; i++) {
        const { clusters } = await ecs.send(new DescribeClustersCommand({ clusters: ['default'] }));
        if (clusters?.[0]?.registeredContainerInstancesCount === 1) break;
        assert.ok(i < 300, 'the agent never registered');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    await first.send(new RegisterTaskDefinitionCommand({
      family: 'cluster-sleep', containerDefinitions: [{ name: 'main', image: 'wharf-test/busybox:latest', memory: 32, command: ['sleep', '3600'] }],
    }));
    const { tasks } = await second.send(new RunTaskCommand({ taskDefinition: 'cluster-sleep' }));
    await waitUntilTasksRunning({ client: first, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { tasks: [tasks![0].taskArn!] });
    await first.send(new StopTaskCommand({ task: tasks![0].taskArn! }));

    await running.stop();
    const left = execFileSync('ps', ['-eo', 'args']).toString().split('\n').filter((line) => line.includes(dir));
    assert.deepEqual(left, [], 'no etcd member, replica or agent of the cluster is left running');
    const listed = execFileSync('ip', ['netns', 'list']).toString();
    for (const n of namespaces) assert.ok(!listed.includes(n), `${n} is gone with the cluster`);
  });
});
