/**
 * RunTask → RUNNING latency for a one-container task on `wharf dev`, beside a plain
 * `docker run -d` of the same image on the same host, measured alternately in one run.
 * Prints figures; never passes or fails on them.
 *
 *   npm run bench            (needs Docker Engine and the test image: scripts/build-test-images.sh)
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CreateClusterCommand, DescribeTasksCommand, RegisterTaskDefinitionCommand, RunTaskCommand, StopTaskCommand,
} from '@aws-sdk/client-ecs';
import { ecsClient, startDev } from '../test/support/wharf.ts';
import { TEST_IMAGE, removeClusterContainers } from '../test/support/docker.ts';

const run = promisify(execFile);
const ROUNDS = Number(process.env.ROUNDS ?? 20);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

async function main(): Promise<void> {
  const wharf = await startDev();
  const ecs = ecsClient(wharf.url);
  const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: 'bench' }));
  await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'bench-sleep',
    containerDefinitions: [{ name: 'main', image: TEST_IMAGE, memory: 16, command: ['sleep', '3600'], stopTimeout: 2 }],
  }));

  const wharfMs: number[] = [];
  const dockerMs: number[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      let t0 = performance.now();
      const { tasks } = await ecs.send(new RunTaskCommand({ cluster: 'bench', taskDefinition: 'bench-sleep' }));
      const taskArn = tasks![0].taskArn!;
      for (;;) {
        const { tasks: seen } = await ecs.send(new DescribeTasksCommand({ cluster: 'bench', tasks: [taskArn] }));
        if (seen![0].lastStatus === 'RUNNING') break;
        if (seen![0].lastStatus === 'STOPPED') throw new Error(`task stopped: ${seen![0].stoppedReason}`);
        await new Promise((r) => setTimeout(r, 5));
      }
      wharfMs.push(performance.now() - t0);
      await ecs.send(new StopTaskCommand({ cluster: 'bench', task: taskArn }));

      t0 = performance.now();
      const { stdout } = await run('docker', ['run', '-d', '--memory', '16m', TEST_IMAGE, 'sleep', '3600']);
      dockerMs.push(performance.now() - t0);
      await run('docker', ['rm', '-f', stdout.trim()]);
    }
  } finally {
    removeClusterContainers(cluster!.clusterArn!);
    await wharf.stop();
  }

  const row = (name: string, xs: number[]) =>
    `${name.padEnd(34)} median ${median(xs).toFixed(0).padStart(5)} ms   p90 ${pct(xs, 0.9).toFixed(0).padStart(5)} ms`;
  console.log(`RunTask → RUNNING, one container, ${ROUNDS} rounds each, alternating`);
  console.log(row('wharf dev: RunTask → RUNNING', wharfMs));
  console.log(row('docker run -d (same image)', dockerMs));
  console.log(`ratio (median wharf / median docker): ${(median(wharfMs) / median(dockerMs)).toFixed(2)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
