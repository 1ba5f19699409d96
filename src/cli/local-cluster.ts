/**
 * `wharf cluster`: a whole distributed Wharf on this machine, for trying it — etcd members,
 * `wharf server` replicas on etcd, and `wharf agent`s that know every replica — each a real
 * process, started and stopped together. The replicas share one registry directory.
 *
 *   wharf cluster [--members 3] [--replicas 3] [--agents 1] [--port 8040] [--data-dir ./.wharf-cluster]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdCluster } from '../state/index.ts';

/** What `wharf cluster` starts. */
export interface LocalClusterOptions {
  members: number;
  replicas: number;
  agents: number;
  /** The first replica's port; the others follow it. */
  port: number;
  dataDir: string;
  /** The `wharf` entry point to run the replicas and agents with. */
  wharf: string;
  env: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

/** A running local cluster. */
export interface LocalCluster {
  urls: string[];
  stop(): Promise<void>;
}

/** Starts a child `wharf` and resolves once a line of its output matches `ready`. */
function startWharf(o: LocalClusterOptions, name: string, args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, [o.wharf, ...args], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let seen = false;
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        o.log(`${name}: ${line.replace(/^\[wharf\] /, '')}`);
        if (!seen && ready.test(line)) {
          seen = true;
          resolve(child);
        }
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    child.once('exit', (code) => !seen && reject(new Error(`${name} exited (${code}) before it was ready`)));
  });
}

/** Starts the members, then the replicas, then the agents; stops everything if any fails. */
export async function startLocalCluster(o: LocalClusterOptions): Promise<LocalCluster> {
  mkdirSync(o.dataDir, { recursive: true, mode: 0o700 });
  const children: ChildProcess[] = [];
  let etcd: EtcdCluster | undefined;
  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await etcd?.stop();
  };
  try {
    etcd = await EtcdCluster.start({ members: o.members, dir: join(o.dataDir, 'etcd'), fast: false });
    o.log(`etcd: ${o.members} member(s) at ${etcd.hosts.join(', ')}`);
    const urls: string[] = [];
    for (let i = 0; i < o.replicas; i++) {
      const port = o.port + i;
      const name = `replica-${i + 1}`;
      children.push(await startWharf(o, name, [
        'server', '--store', etcd.storeUrl, '--replica', name, '--port', String(port), '--data-dir', join(o.dataDir, name),
        '--registry-dir', join(o.dataDir, 'registry'),
      ], /Wharf server ready at/));
      urls.push(`http://127.0.0.1:${port}`);
    }
    for (let i = 0; i < o.agents; i++) {
      const name = `agent-${i + 1}`;
      children.push(await startWharf(o, name, ['agent', '--server', urls.join(','), '--data-dir', join(o.dataDir, name)], /agent .* started/));
    }
    return { urls, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
