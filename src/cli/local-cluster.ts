/**
 * `wharf cluster`: a whole distributed Wharf on this machine, for trying it — etcd members,
 * `wharf server` replicas on etcd, and `wharf agent`s that know every replica — each a real
 * process, started and stopped together. The replicas share one registry directory.
 *
 * Where the machine allows (root, iproute2, iptables), every replica and agent is a host of its
 * own: a network namespace with one address on an underlay bridge (`host-namespaces.ts`); etcd
 * serves them on the bridge's address, agents offer their addresses for subnets spanning hosts,
 * and 127.0.0.1:<port + i> forwards to replica i, so the replicas keep loopback addresses
 * (Docker pushes and pulls plain HTTP to loopback registries only). Elsewhere all run here.
 *
 *   wharf cluster [--members 3] [--replicas 3] [--agents 1] [--port 8040] [--data-dir ./.wharf-cluster] [--no-namespaces]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { EtcdCluster } from '../state/index.ts';
import { freeUnderlay, inNetworkNamespace, makeHostNamespaces, namespacesAllowed, type HostNamespaces } from './host-namespaces.ts';
import { forwardTcp, type TcpForward } from './tcp-forward.ts';

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
  /** Run the replicas and agents as hosts of their own where the machine allows (default true). */
  namespaces?: boolean;
}

/** A running local cluster. */
export interface LocalCluster {
  urls: string[];
  /** The network namespace of each replica and agent, when they run in their own. */
  namespaces: string[];
  stop(): Promise<void>;
}

/** Starts a child `wharf` and resolves once a line of its output matches `ready`. */
function startWharf(o: LocalClusterOptions, name: string, args: string[], ready: RegExp, netns?: string): Promise<ChildProcess> {
  const [command, prefix] = netns ? inNetworkNamespace(netns, process.execPath) : [process.execPath, []];
  const child = spawn(command, [...prefix, o.wharf, ...args], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
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
  const forwards: TcpForward[] = [];
  let etcd: EtcdCluster | undefined;
  let hosts: HostNamespaces | undefined;
  const stop = async () => {
    for (const child of children.reverse()) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    for (const f of forwards) await f.close();
    await etcd?.stop();
    hosts?.remove();
  };
  try {
    const replicaNames = Array.from({ length: o.replicas }, (_, i) => `replica-${i + 1}`);
    const agentNames = Array.from({ length: o.agents }, (_, i) => `agent-${i + 1}`);
    if (o.namespaces !== false && namespacesAllowed()) {
      hosts = makeHostNamespaces(freeUnderlay(), [...replicaNames, ...agentNames], 10);
      o.log(`hosts: ${hosts.hosts.map((h) => `${h.netns} ${h.address}`).join(', ')} on the underlay ${hosts.gateway}/24`);
    }
    const hostOf = (i: number) => hosts?.hosts[i];
    etcd = await EtcdCluster.start({ members: o.members, dir: join(o.dataDir, 'etcd'), fast: false, clientHost: hosts?.gateway });
    o.log(`etcd: ${o.members} member(s) at ${etcd.hosts.join(', ')}`);
    const urls: string[] = [];
    const replicaUrls: string[] = [];
    for (const [i, name] of replicaNames.entries()) {
      const port = o.port + i;
      const host = hostOf(i);
      children.push(await startWharf(o, name, [
        'server', '--store', etcd.storeUrl, '--replica', name, '--port', String(host ? o.port : port), '--data-dir', join(o.dataDir, name),
        '--registry-dir', join(o.dataDir, 'registry'), ...(host ? ['--host', host.address] : []),
      ], /Wharf server ready at/, host?.netns));
      urls.push(`http://127.0.0.1:${port}`);
      replicaUrls.push(host ? `http://${host.address}:${o.port}` : `http://127.0.0.1:${port}`);
    }
    if (hosts) {
      // Replica i first, the others when it is down: every replica serves every API and the registry.
      const targets = replicaUrls.map((u) => new URL(u).host);
      for (const i of targets.keys()) forwards.push(await forwardTcp(o.port + i, [...targets.slice(i), ...targets.slice(0, i)]));
    }
    for (const [i, name] of agentNames.entries()) {
      const host = hostOf(o.replicas + i);
      children.push(await startWharf(o, name, [
        'agent', '--server', replicaUrls.join(','), '--data-dir', join(o.dataDir, name),
        // Docker pulls from the registry at the replicas' loopback addresses.
        ...(host ? ['--vpc-address', host.address, '--registry', `127.0.0.1:${o.port}`] : []),
      ], /agent .* started/, host?.netns));
    }
    return { urls, namespaces: hosts?.hosts.map((h) => h.netns) ?? [], stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
