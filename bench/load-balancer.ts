/**
 * `npm run bench:load-balancer` — HTTP through Wharf's application load balancer, beside nginx as
 * a reverse proxy and beside the backend itself, in one run, with the same backend and the same
 * load generator:
 *
 *  1. requests/s, p50 and p99 latency of GET / for DURATION_S seconds each (after a WARMUP_S
 *     warm-up), CONNECTIONS keep-alive connections from this process: directly to the backend,
 *     through nginx (Debian's /usr/sbin/nginx, its own config in a temp dir, `daemon off`,
 *     NGINX_WORKERS worker processes, upstream keep-alive), and through a `wharf dev` ALB whose
 *     listener forwards to the backend registered as an instance target, and through a plain Node
 *     http proxy (the reference for what Node's HTTP stack costs). The backend is a small Node
 *     HTTP server in a process of its own; Wharf, nginx and the plain proxy run in theirs. Then
 *     the same with one connection for SINGLE_S seconds: the latency added when nothing queues.
 *  2. health-check detection: two more backends behind a second listener (interval 5 s,
 *     unhealthy threshold 2); one is killed under light load; how long requests still reach it
 *     (answered 502 by the load balancer) and when DescribeTargetHealth says unhealthy.
 *
 * Traffic goes only to loopback. Prints figures; never passes or fails on them. Set PROFILE=<dir> to
 * have Wharf write a CPU profile (.cpuprofile) there.
 *
 *   npm run bench:load-balancer          (needs nginx: apt-get install -y nginx)
 *   DURATION_S=10 CONNECTIONS=32 npx tsx bench/load-balancer.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { join } from 'node:path';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
  RegisterTargetsCommand, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateClusterCommand, DescribeContainerInstancesCommand, ListContainerInstancesCommand, type ECSClient } from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { benchCredentials, ecsClient, env, percentile, poll, runBench, sleep, spawnWharf, tempDir, type WharfProcess } from './support/wharf.ts';

const DURATION_S = env('DURATION_S', 5);
const WARMUP_S = env('WARMUP_S', 1);
const CONNECTIONS = env('CONNECTIONS', 64);
const SINGLE_S = env('SINGLE_S', 3);
const NGINX_WORKERS = env('NGINX_WORKERS', 1);
const NGINX = process.env.NGINX ?? '/usr/sbin/nginx';
const region = 'us-east-1';
const say = (line = '') => console.log(line);

const children: ChildProcess[] = [];
let wharf: WharfProcess | undefined;
let ecs: ECSClient | undefined;
let elb: ElasticLoadBalancingV2Client | undefined;

/** The backend: answers its name (and `ok` on /health) from a process of its own. */
const BACKEND_SOURCE = `
const http = require('node:http');
const name = process.argv[1];
const server = http.createServer((req, res) => {
  const body = req.url === '/health' ? 'ok' : name;
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.keepAliveTimeout = 120000;
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

/**
 * The least a proxy in Node can do (a reference for what Node's http costs): every request
 * forwarded to the backend over a keep-alive agent, headers copied, bodies piped, no routing.
 */
const PLAIN_PROXY_SOURCE = `
const http = require('node:http');
const backend = Number(process.argv[1]);
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' });
const server = http.createServer((req, res) => {
  const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress };
  delete headers.connection;
  const up = http.request({ host: '127.0.0.1', port: backend, method: req.method, path: req.url, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  up.on('error', () => { res.writeHead(502); res.end(); });
  req.pipe(up);
});
server.keepAliveTimeout = 120000;
server.listen(0, '127.0.0.1', () => console.log('port ' + server.address().port));
`;

/** Starts a small Node server process (`source`, given `arg`); resolves with its process and port. */
function startNodeServer(source: string, arg: string): Promise<{ child: ChildProcess; port: number }> {
  const name = arg;
  const child = spawn(process.execPath, ['-e', source, arg], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.once('exit', (code) => reject(new Error(`server ${name} exited (${code}) before listening`)));
  });
}

/** Starts a backend process named `name`. */
const startBackend = (name: string) => startNodeServer(BACKEND_SOURCE, name);

/** CPU seconds (user and system) so far of `pid` and its child processes (nginx's workers); 0 where /proc is not there. */
function cpuSeconds(pid: number): number {
  const stat = (p: string) => {
    try {
      return readFileSync(`/proc/${p}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    } catch {
      return undefined;
    }
  };
  let ticks = 0;
  for (const p of existsSync('/proc') ? readdirSync('/proc').filter((d) => /^\d+$/.test(d)) : []) {
    const f = stat(p);
    if (f && (p === String(pid) || Number(f[1]) === pid)) ticks += Number(f[11]) + Number(f[12]);
  }
  return ticks / 100;
}

/** A port free on loopback now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Starts nginx in the foreground with its own config, proxying 127.0.0.1:<port> to the backend with upstream keep-alive. */
async function startNginx(backendPort: number): Promise<{ child: ChildProcess; port: number }> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} not found: apt-get install -y nginx`);
  const dir = tempDir('wharf-bench-nginx-');
  const port = await freePort();
  for (const d of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, d));
  writeFileSync(join(dir, 'nginx.conf'), `
worker_processes ${NGINX_WORKERS};
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  keepalive_requests 1000000;
  upstream backend {
    server 127.0.0.1:${backendPort};
    keepalive ${CONNECTIONS};
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto $scheme;
    }
  }
}
`);
  const child = spawn(NGINX, ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { stdio: ['ignore', 'inherit', 'inherit'] });
  children.push(child);
  child.once('exit', (code, signal) => code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGQUIT' && console.error(`nginx exited (${code ?? signal})`));
  await poll('nginx listening', async () => ((await get('127.0.0.1', port, '/health').catch(() => undefined))?.status === 200 ? true : undefined), { timeoutMs: 10_000, everyMs: 50 });
  return { child, port };
}

/** One GET on a fresh connection; resolves with its status and body. */
function get(host: string, port: number, path: string, agent?: http.Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path, agent: agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

interface LoadResult { requests: number; errors: number; ms: number; latencies: number[]; /** CPU seconds the server process used meanwhile. */ cpu?: number }

/** `connections` loops of back-to-back keep-alive GETs for `seconds`; latencies in ms. */
async function load(host: string, port: number, seconds: number, connections = CONNECTIONS): Promise<LoadResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections, maxFreeSockets: connections });
  const latencies: number[] = [];
  let errors = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  const loop = async () => {
    while (performance.now() < end) {
      const t = performance.now();
      try {
        const r = await get(host, port, '/', agent);
        if (r.status !== 200) errors++;
      } catch {
        errors++;
      }
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const ms = performance.now() - t0;
  agent.destroy();
  return { requests: latencies.length, errors, ms, latencies };
}

/** A warm-up, then the measured run, with the CPU time of process `pid` (the proxy, or the backend) meanwhile. */
async function measure(host: string, port: number, pid: number): Promise<LoadResult> {
  await load(host, port, WARMUP_S);
  const cpu0 = cpuSeconds(pid);
  const r = await load(host, port, DURATION_S);
  return { ...r, cpu: cpuSeconds(pid) - cpu0 };
}

/** Starts `wharf dev`; resolves with the ALB address, the container instance's EC2 id and clients. */
async function startWharf(): Promise<{ instanceId: string; subnets: string[] }> {
  const profileDir = process.env.PROFILE;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  wharf = await spawnWharf(['dev', '--port', '0', '--data-dir', tempDir()], /Wharf ready at http:\/\//, 90_000, { nodeArgs });
  if (profileDir) process.once('beforeExit', () => say(`Wharf CPU profile(s): ${readdirSync(profileDir).map((f) => join(profileDir, f)).join(', ')}`));
  ecs = ecsClient(wharf.url);
  elb = new ElasticLoadBalancingV2Client({ endpoint: wharf.url, region, credentials: benchCredentials, maxAttempts: 1 });
  await ecs.send(new CreateClusterCommand({ clusterName: 'lbbench' }));
  const arn = await poll('the local agent in cluster lbbench', async () => (await ecs!.send(new ListContainerInstancesCommand({ cluster: 'lbbench' }))).containerInstanceArns?.[0], { timeoutMs: 30_000, everyMs: 200 });
  const instanceId = (await ecs.send(new DescribeContainerInstancesCommand({ cluster: 'lbbench', containerInstances: [arn] }))).containerInstances![0]!.ec2InstanceId!;
  const ec2 = new EC2Client({ endpoint: wharf.url, region, credentials: benchCredentials });
  const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!.map((s) => s.SubnetId!);
  ec2.destroy();
  return { instanceId, subnets };
}

const targetStates = async (group: TargetGroup) =>
  (await elb!.send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }))).TargetHealthDescriptions!
    .map((d) => ({ port: d.Target!.Port!, state: d.TargetHealth!.State! }));

const fmtRate = (r: LoadResult) => Math.round((r.requests * 1000) / r.ms).toLocaleString('en-US');
const fmtMs = (x: number) => `${x.toFixed(2)} ms`;
const cpuPer = (r: LoadResult) => Math.round(((r.cpu ?? NaN) * 1e6) / r.requests);

async function main(): Promise<void> {
  say(`Load balancer bench: ${CONNECTIONS} keep-alive connections, ${DURATION_S} s each (after ${WARMUP_S} s warm-up), nginx with ${NGINX_WORKERS} worker(s)`);
  const backend = await startBackend('main');
  const [hcA, hcB] = await Promise.all([startBackend('a'), startBackend('b')]);
  const nginx = await startNginx(backend.port);
  const plain = await startNodeServer(PLAIN_PROXY_SOURCE, String(backend.port));
  const { instanceId, subnets } = await startWharf();

  // One ALB, two listeners: one to the main backend (throughput), one to a and b (detection).
  const [lb] = (await elb!.send(new CreateLoadBalancerCommand({ Name: 'bench', Subnets: subnets.slice(0, 2) }))).LoadBalancers!;
  const group = async (name: string) => (await elb!.send(new CreateTargetGroupCommand({
    Name: name, Protocol: 'HTTP', Port: 80, VpcId: lb!.VpcId, TargetType: 'instance', HealthCheckPath: '/health',
    HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
  }))).TargetGroups![0]!;
  const tput = await group('throughput');
  const hc = await group('detection');
  const [tputPort, hcPort] = [await freePort(), await freePort()];
  for (const [port, g] of [[tputPort, tput], [hcPort, hc]] as const) {
    await elb!.send(new CreateListenerCommand({ LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'HTTP', Port: port, DefaultActions: [{ Type: 'forward', TargetGroupArn: g.TargetGroupArn }] }));
  }
  await elb!.send(new RegisterTargetsCommand({ TargetGroupArn: tput.TargetGroupArn, Targets: [{ Id: instanceId, Port: backend.port }] }));
  await elb!.send(new RegisterTargetsCommand({ TargetGroupArn: hc.TargetGroupArn, Targets: [{ Id: instanceId, Port: hcA.port }, { Id: instanceId, Port: hcB.port }] }));
  const address = await poll('the load balancer address', async () =>
    (await elb!.send(new DescribeLoadBalancersCommand({ Names: ['bench'] }))).LoadBalancers![0]!.AvailabilityZones?.[0]?.LoadBalancerAddresses?.[0]?.IpAddress,
  { timeoutMs: 10_000, everyMs: 100 });
  await poll('all targets healthy', async () => {
    const all = [...(await targetStates(tput)), ...(await targetStates(hc))];
    return all.every((t) => t.state === 'healthy') ? true : undefined;
  }, { timeoutMs: 60_000, everyMs: 250 });
  await poll('the ALB forwarding', async () => ((await get(address, tputPort, '/').catch(() => undefined))?.body === 'main' ? true : undefined), { timeoutMs: 10_000, everyMs: 100 });

  // 1. Throughput and latency: direct, nginx, Wharf.
  const runs: [string, LoadResult][] = [];
  const targets = [
    ['direct to the backend', '127.0.0.1', backend.port, backend.child.pid!], ['nginx', '127.0.0.1', nginx.port, nginx.child.pid!],
    ['Wharf ALB', address, tputPort, wharf!.pid], ['plain Node proxy', '127.0.0.1', plain.port, plain.child.pid!],
  ] as const;
  for (const [name, host, port, pid] of targets) {
    const r = await measure(host, port, pid);
    runs.push([name, r]);
    say(`  ${name.padEnd(22)} ${fmtRate(r).padStart(8)} req/s   p50 ${fmtMs(percentile(r.latencies, 0.5)).padStart(9)}   p99 ${fmtMs(percentile(r.latencies, 0.99)).padStart(9)}   errors ${r.errors}   ${cpuPer(r)} µs CPU/request (${name === 'direct to the backend' ? 'backend' : 'proxy'})`);
  }
  const [direct, viaNginx, viaWharf] = runs.map(([, r]) => r) as [LoadResult, LoadResult, LoadResult];
  const p99 = (r: LoadResult) => percentile(r.latencies, 0.99);
  const rps = (r: LoadResult) => (r.requests * 1000) / r.ms;
  say();
  say('| | requests/s | p50 | p99 | p99 added vs direct | CPU µs/request |');
  say('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const [name, r] of runs) {
    say(`| ${name} | ${fmtRate(r)} | ${fmtMs(percentile(r.latencies, 0.5))} | ${fmtMs(p99(r))} | ${r === direct ? '' : fmtMs(p99(r) - p99(direct))} | ${cpuPer(r)} |`);
  }
  say(`| Wharf / nginx | ${(rps(viaWharf) / rps(viaNginx)).toFixed(2)}× | | | | |`);

  // The same, one request at a time: the latency a proxy adds when requests do not queue in it.
  say();
  say(`One connection, requests back to back, ${SINGLE_S} s each:`);
  say('| | requests/s | p50 | p99 | p50 added | p99 added |');
  say('| --- | ---: | ---: | ---: | ---: | ---: |');
  const single: LoadResult[] = [];
  for (const [name, host, port] of targets) {
    await load(host, port, WARMUP_S, 1);
    const r = await load(host, port, SINGLE_S, 1);
    single.push(r);
    const added = (p: number) => (single[0] === r ? '' : fmtMs(percentile(r.latencies, p) - percentile(single[0]!.latencies, p)));
    say(`| ${name} | ${fmtRate(r)} | ${fmtMs(percentile(r.latencies, 0.5))} | ${fmtMs(percentile(r.latencies, 0.99))} | ${added(0.5)} | ${added(0.99)} |`);
  }
  const added1 = percentile(single[2]!.latencies, 0.99) - percentile(single[0]!.latencies, 0.99);
  say(`Goal: ≥ 0.8× nginx requests/s (${rps(viaWharf) / rps(viaNginx) >= 0.8 ? 'met' : 'not met'}), < 1 ms added p99 (${CONNECTIONS} connections: ${p99(viaWharf) - p99(direct) < 1 ? 'met' : 'not met'}; one connection: ${added1 < 1 ? 'met' : 'not met'})`);

  // 2. Health-check detection: b killed under light load (4 connections, a request each 10 ms).
  say();
  const b = hcB.child;
  let killedAt = 0;
  let lastToDead = NaN;
  let unhealthyAt = NaN;
  let stop = false;
  let sent = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  const traffic = Promise.all(Array.from({ length: 4 }, async () => {
    while (!stop) {
      const r = await get(address, hcPort, '/', agent).catch(() => ({ status: 0, body: '' }));
      sent++;
      // Before the kill b answers 'b'; after it the load balancer answers 502 for it.
      if (killedAt && r.status !== 200) lastToDead = performance.now();
      await sleep(10);
    }
  }));
  await sleep(1000);
  killedAt = performance.now();
  b.kill('SIGKILL');
  const watching = (async () => {
    while (!stop && Number.isNaN(unhealthyAt)) {
      if ((await targetStates(hc)).find((t) => t.port === hcB.port)?.state === 'unhealthy') unhealthyAt = performance.now();
      else await sleep(100);
    }
  })();
  await poll('b unhealthy', async () => (Number.isNaN(unhealthyAt) ? undefined : true), { timeoutMs: 40_000, everyMs: 100 });
  await sleep(3000); // requests after this would show b still in rotation
  stop = true;
  await Promise.all([traffic, watching]);
  agent.destroy();
  say(`health-check detection (interval 5 s, unhealthy threshold 2: ≤ ~10 s by design), ${sent} requests:`);
  say(`  b killed → last request to reach it (a 502): ${((lastToDead - killedAt) / 1000).toFixed(2)} s`);
  say(`  b killed → DescribeTargetHealth says unhealthy: ${((unhealthyAt - killedAt) / 1000).toFixed(2)} s`);
}

async function cleanup(): Promise<void> {
  elb?.destroy();
  ecs?.destroy();
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
  await wharf?.stop();
}

runBench(main, cleanup);
