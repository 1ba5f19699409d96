/**
 * Starts a real `wharf dev` (or `wharf server` / `wharf agent`) as a child process for an
 * integration test, on a free port with its own data dir, and hands back SDK clients for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after } from 'node:test';
import { ECSClient } from '@aws-sdk/client-ecs';
import { inNetworkNamespace } from '../../src/cli/host-namespaces.ts';
import { removeClusterContainers } from './docker.ts';
import { tempDir } from './temp-dir.ts';

const root = new URL('../..', import.meta.url).pathname;

/** A running wharf process. */
export interface WharfProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL and wait for exit: a crash. */
  kill9(): Promise<void>;
}

/**
 * The account root's key of every Wharf a test starts (seeded through the environment on its
 * first start), so `wharf server` — which refuses keys IAM does not know — takes the tests' calls.
 */
export const credentials = { accessKeyId: 'AKIAWHARFTEST0000001', secretAccessKey: 'wharf-test-secret-0000000000000000000000' };

/** The environment that seeds the root key. */
export const rootKeyEnv = { WHARF_ROOT_ACCESS_KEY_ID: credentials.accessKeyId, WHARF_ROOT_SECRET_ACCESS_KEY: credentials.secretAccessKey };
export const region = 'us-east-1';

/** The environment the AWS CLI v2 runs in: the test credentials, no pager, no user config. */
export const awsCliEnv: NodeJS.ProcessEnv = {
  ...process.env,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId,
  AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_PAGER: '',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

export { tempDir } from './temp-dir.ts';

/**
 * Spawns `wharf <args>` (inside network namespace `netns` when given) and resolves once it
 * prints `readyPattern` (the URL is taken from the first `http://...` in that line).
 */
export function spawnWharf(args: string[], readyPattern: RegExp, env: NodeJS.ProcessEnv = {}, netns?: string): Promise<WharfProcess & { readyLine: string }> {
  const [command, prefix] = netns ? inNetworkNamespace(netns, process.execPath) : [process.execPath, []];
  const child = spawn(command, [...prefix, join(root, 'bin/wharf.js'), ...args], {
    cwd: root,
    env: { ...process.env, ...rootKeyEnv, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const done = (signal: NodeJS.Signals) => async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => readyPattern.test(l));
      if (line) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
        const url = /http:\/\/[^\s]+/.exec(line)?.[0] ?? '';
        const dataDirIndex = args.indexOf('--data-dir');
        resolve({
          url, readyLine: line, child, output: () => out,
          dataDir: dataDirIndex >= 0 ? args[dataDirIndex + 1] : '',
          stop: done('SIGTERM'), kill9: done('SIGKILL'),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    child.once('exit', (code) => reject(new Error(`wharf ${args.join(' ')} exited (${code}) before ready:\n${out}`)));
  });
}

/** `wharf dev` on a free port with a fresh (or the given) data dir, and any further flags. */
export function startDev(dataDir = tempDir(), flags: string[] = []): Promise<WharfProcess> {
  return spawnWharf(['dev', '--port', '0', '--data-dir', dataDir, ...flags], /Wharf ready at http:\/\//);
}

/** An ECS client pointed at a running Wharf. */
export function ecsClient(url: string): ECSClient {
  return new ECSClient({ endpoint: url, region, credentials });
}

/**
 * What a test file started: every process and cluster pushed here is stopped and has its
 * containers removed after the file's tests.
 */
export function cleanedUpAfter(): { processes: WharfProcess[]; clusterArns: string[] } {
  const started = { processes: [] as WharfProcess[], clusterArns: [] as string[] };
  after(async () => {
    for (const p of started.processes) await p.stop();
    for (const arn of started.clusterArns) removeClusterContainers(arn);
  });
  return started;
}

/** Whether 127.0.0.1:`port` can be listened on now. */
function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * `count` consecutive free ports on 127.0.0.1, the first returned (for `wharf cluster`, whose
 * replica i is forwarded from port + i). Chosen below Linux's ephemeral range (32768 and up), so
 * the source port of some connection made meanwhile does not take one of them.
 */
export async function freePortRun(count: number): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 12_000);
    let free = true;
    for (let i = 0; i < count && free; i++) free = await canListen(base + i);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports below 32000`);
}
