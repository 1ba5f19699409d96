/**
 * Local etcd clusters of real `etcd` processes on loopback: for `wharf cluster` (a one-command
 * local cluster), the etcd tests and the benchmarks. Each member has its own data directory
 * and ports; members can be killed (SIGKILL) and started again on the same data.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** How to start a local cluster. */
export interface EtcdClusterOptions {
  /** Number of members (1 or 3 make sense). */
  members: number;
  /** Parent directory of the members' data directories and logs. */
  dir: string;
  /** The etcd binary (default: `etcd` on PATH, Debian's etcd-server). */
  binary?: string;
  /** Faster heartbeats and elections than etcd's defaults, for tests (default true). */
  fast?: boolean;
  /** Serve clients over TLS with these PEM files; `clientCertAuth` also asks clients for a certificate the CA signed. */
  tls?: { cert: string; key: string; ca: string; clientCertAuth?: boolean };
  /** An address to serve clients on besides 127.0.0.1 (for clients in other network namespaces); `storeUrl` names it. */
  clientHost?: string;
}

interface Member {
  name: string;
  clientPort: number;
  peerPort: number;
  dataDir: string;
  process?: ChildProcess;
}

/** A free TCP port on 127.0.0.1 (the kernel's pick, released for the caller to bind). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** A running local etcd cluster. */
export class EtcdCluster {
  private constructor(private readonly members: Member[], private readonly options: EtcdClusterOptions) {}

  /** Starts every member and resolves once the cluster answers. */
  static async start(options: EtcdClusterOptions): Promise<EtcdCluster> {
    const members: Member[] = [];
    for (let i = 0; i < options.members; i++) {
      const name = `m${i + 1}`;
      members.push({ name, clientPort: await freePort(), peerPort: await freePort(), dataDir: join(options.dir, name) });
    }
    const cluster = new EtcdCluster(members, options);
    for (let i = 0; i < members.length; i++) cluster.spawnMember(i, 'new');
    await cluster.waitHealthy();
    return cluster;
  }

  private get scheme(): 'http' | 'https' {
    return this.options.tls ? 'https' : 'http';
  }

  /** The members' client URLs. */
  private extraClientUrls(m: Member): string[] {
    return this.options.clientHost ? [`${this.scheme}://${this.options.clientHost}:${m.clientPort}`] : [];
  }

  get hosts(): string[] {
    return this.members.map((m) => `${this.scheme}://127.0.0.1:${m.clientPort}`);
  }

  /** `etcd://127.0.0.1:p1,127.0.0.1:p2,...` (`etcds://` with TLS), as `wharf server --store` takes it. */
  get storeUrl(): string {
    const host = this.options.clientHost ?? '127.0.0.1';
    return `${this.options.tls ? 'etcds' : 'etcd'}://${this.members.map((m) => `${host}:${m.clientPort}`).join(',')}`;
  }

  /** The process ids of the running members. */
  get pids(): number[] {
    return this.members.flatMap((m) => (m.process?.pid ? [m.process.pid] : []));
  }

  private spawnMember(index: number, state: 'new' | 'existing'): void {
    const m = this.members[index];
    mkdirSync(m.dataDir, { recursive: true, mode: 0o700 });
    const peers = this.members.map((p) => `${p.name}=http://127.0.0.1:${p.peerPort}`).join(',');
    const fast = this.options.fast ?? true;
    const args = [
      '--name', m.name,
      '--data-dir', m.dataDir,
      '--listen-client-urls', [`${this.scheme}://127.0.0.1:${m.clientPort}`, ...this.extraClientUrls(m)].join(','),
      '--advertise-client-urls', [`${this.scheme}://127.0.0.1:${m.clientPort}`, ...this.extraClientUrls(m)].join(','),
      ...(this.options.tls ? ['--cert-file', this.options.tls.cert, '--key-file', this.options.tls.key, '--trusted-ca-file', this.options.tls.ca] : []),
      ...(this.options.tls?.clientCertAuth ? ['--client-cert-auth'] : []),
      '--listen-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-advertise-peer-urls', `http://127.0.0.1:${m.peerPort}`,
      '--initial-cluster', peers,
      '--initial-cluster-state', state,
      '--initial-cluster-token', `wharf-${this.members[0].peerPort}`,
      '--logger', 'zap', '--log-level', 'warn',
      ...(fast ? ['--heartbeat-interval', '50', '--election-timeout', '500'] : []),
    ];
    // Straight to the file, not through this process: a parent busy (or blocked in a
    // synchronous call) must never stall a member writing its log.
    const log = openSync(join(this.options.dir, `${m.name}.log`), 'a');
    const child = spawn(this.options.binary ?? 'etcd', args, { stdio: ['ignore', log, log] });
    closeSync(log);
    m.process = child;
    child.once('exit', () => {
      if (m.process === child) m.process = undefined;
    });
  }

  /** Resolves once a majority of the members report healthy (etcd's /health needs a leader). */
  async waitHealthy(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const healthy = await Promise.all(this.members.map((m) => (m.process ? this.healthOf(m) : false)));
      if (healthy.filter(Boolean).length > this.members.length / 2) return;
      if (Date.now() > deadline) throw new Error(`etcd did not become healthy within ${timeoutMs} ms (logs in ${this.options.dir})`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Whether a member says it is healthy (its /health needs a leader), over TLS when the cluster uses it. */
  private healthOf(m: Member): Promise<boolean> {
    const tls = this.options.tls;
    const options = tls
      ? { ca: readFileSync(tls.ca), ...(tls.clientCertAuth && { cert: readFileSync(tls.cert), key: readFileSync(tls.key) }) }
      : {};
    return new Promise((resolve) => {
      const req = (tls ? httpsGet : httpGet)(`${this.scheme}://127.0.0.1:${m.clientPort}/health`, { ...options, timeout: 1000 }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve(/"health":\s*"true"/.test(body)));
        res.on('error', () => resolve(false));
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
  }

  /** Kills member `index` with SIGKILL (as a crash would) and waits for it to be gone. */
  async kill(index: number): Promise<void> {
    const child = this.members[index].process;
    if (!child) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /** Starts member `index` again on its data directory. */
  restart(index: number): void {
    if (this.members[index].process) return;
    this.spawnMember(index, 'existing');
  }

  /** Stops every member. */
  async stop(): Promise<void> {
    await Promise.all(this.members.map((_, i) => this.kill(i)));
  }
}
