/**
 * renderFirewall's rulesets in a real kernel: two network namespaces joined by a veth pair,
 * rulesets loaded into namespace b with `nft -f -`, and real TCP connections between them. Runs
 * only as root with `ip` and `nft`; skipped otherwise. Talks only to the addresses it creates,
 * and deletes its namespaces afterwards, whatever happened.
 */
import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import type { TaskFirewall } from '../common/index.ts';
import { FIREWALL_TABLE, renderFirewall } from './task-firewall.ts';

const run = promisify(execFile);

function skipReason(): string | false {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root';
  for (const [tool, flag] of [['ip', '-V'], ['nft', '--version']] as const) {
    if (spawnSync(tool, [flag], { stdio: 'ignore', timeout: 5000 }).status !== 0) return `needs ${tool}`;
  }
  return false;
}

const suffix = randomBytes(3).toString('hex');
const NS_A = `wharf-fwtest-${suffix}-a`;
const NS_B = `wharf-fwtest-${suffix}-b`;
const subnet = `10.250.${randomInt(256)}`;
const ADDR_A = `${subnet}.1`;
const ADDR_B = `${subnet}.2`;
const PORT = 7000;
const OTHER_PORT = 7001;

/** Answers every connection with "hello" and closes; gives up on its own after two minutes. */
const SERVER = `
const net = require('node:net');
const [host, ...ports] = process.argv.slice(1);
let pending = ports.length;
for (const port of ports) {
  net.createServer((s) => s.end('hello\\n')).listen(Number(port), host, () => {
    if (--pending === 0) process.stdout.write('listening\\n');
  });
}
setTimeout(() => process.exit(0), 120000);
`;

/** Prints what became of one connection: "connected:<what the server said>", "timeout" or "error:<code>". */
const CLIENT = `
const net = require('node:net');
const [host, port, ms] = process.argv.slice(1);
const done = (what) => { process.stdout.write(what + '\\n'); process.exit(0); };
const timer = setTimeout(() => done('timeout'), Number(ms));
const s = net.connect({ host, port: Number(port) });
let data = '';
s.on('data', (d) => { data += d; });
s.on('end', () => { clearTimeout(timer); done('connected:' + data.trim()); });
s.on('error', (e) => { clearTimeout(timer); done('error:' + e.code); });
`;

async function ip(...args: string[]): Promise<void> {
  await run('ip', args, { timeout: 10_000 });
}

async function loadFirewall(ns: string, firewall: TaskFirewall): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'], timeout: 10_000 });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`nft -f - in ${ns} exited ${code}: ${stderr}`))));
    child.stdin.end(renderFirewall(firewall));
  });
}

/** Connects from namespace `from` to `host:port` and reports what happened. */
async function connect(from: string, host: string, port: number, waitMs = 1500): Promise<string> {
  const { stdout } = await run('ip', ['netns', 'exec', from, process.execPath, '-e', CLIENT, host, String(port), String(waitMs)], { timeout: waitMs + 10_000 });
  return stdout.trim();
}

const servers: ChildProcess[] = [];

async function startServer(ns: string, host: string, ports: number[]): Promise<void> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER, host, ...ports.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(child);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server in ${ns} did not start`)), 10_000);
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('listening')) { clearTimeout(timer); resolve(); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`server in ${ns} exited ${code}`)); });
  });
}

const tcp = (port: number, ...cidrs: string[]) => ({ protocol: 'tcp', fromPort: port, toPort: port, cidrs });

describe('task firewall in a network namespace (nft)', { skip: skipReason() }, () => {
  before(async () => {
    await ip('netns', 'add', NS_A);
    await ip('netns', 'add', NS_B);
    await ip('-n', NS_A, 'link', 'add', 'wfa', 'type', 'veth', 'peer', 'name', 'wfb', 'netns', NS_B);
    for (const [ns, dev, addr] of [[NS_A, 'wfa', ADDR_A], [NS_B, 'wfb', ADDR_B]] as const) {
      await ip('-n', ns, 'addr', 'add', `${addr}/24`, 'dev', dev);
      await ip('-n', ns, 'link', 'set', dev, 'up');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    await startServer(NS_B, ADDR_B, [PORT, OTHER_PORT]);
    await startServer(NS_A, ADDR_A, [PORT, OTHER_PORT]);
  });

  after(async () => {
    for (const child of servers) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const ns of [NS_A, NS_B]) await ip('netns', 'del', ns).catch(() => undefined);
  });

  it('without a ruleset a reaches b (the setup works); with an empty firewall inbound connections are dropped', { timeout: 30_000 }, async () => {
    assert.equal(await connect(NS_A, ADDR_B, PORT), 'connected:hello');
    await loadFirewall(NS_B, { ingress: [], egress: [] });
    assert.equal(await connect(NS_A, ADDR_B, PORT), 'timeout');
  });

  it("an ingress rule covering a's address admits a on its port only, and b's replies pass though egress allows nothing", { timeout: 30_000 }, async () => {
    await loadFirewall(NS_B, { ingress: [tcp(PORT, `${subnet}.99`, '192.0.2.0/24')], egress: [] });
    assert.equal(await connect(NS_A, ADDR_B, PORT), 'timeout', 'a rule for other addresses');

    await loadFirewall(NS_B, { ingress: [tcp(PORT, `${subnet}.0/24`)], egress: [] });
    assert.equal(await connect(NS_A, ADDR_B, PORT), 'connected:hello', 'a rule for the subnet a is in');
    assert.equal(await connect(NS_A, ADDR_B, OTHER_PORT), 'timeout', 'another port');
  });

  it('egress: b cannot connect out to a unless an egress rule allows that destination and port', { timeout: 30_000 }, async () => {
    await loadFirewall(NS_B, { ingress: [{ protocol: 'all', cidrs: ['0.0.0.0/0'] }], egress: [] });
    assert.equal(await connect(NS_B, ADDR_A, PORT), 'timeout', 'its SYN dropped on the way out');

    await loadFirewall(NS_B, { ingress: [], egress: [tcp(PORT, `${ADDR_A}/32`)] });
    assert.equal(await connect(NS_B, ADDR_A, PORT), 'connected:hello', "allowed out, and a's replies come back in though ingress allows nothing");
    assert.equal(await connect(NS_B, ADDR_A, OTHER_PORT), 'timeout', 'another port');
  });

  it('loading a new ruleset replaces the old one: a revoked rule cuts new connections, and one table remains', { timeout: 30_000 }, async () => {
    await loadFirewall(NS_B, { ingress: [tcp(PORT, ADDR_A)], egress: [] });
    assert.equal(await connect(NS_A, ADDR_B, PORT), 'connected:hello');

    await loadFirewall(NS_B, { ingress: [tcp(OTHER_PORT, ADDR_A)], egress: [] });
    assert.equal(await connect(NS_A, ADDR_B, PORT), 'timeout', 'revoked');
    assert.equal(await connect(NS_A, ADDR_B, OTHER_PORT), 'connected:hello', 'the new rule applies');

    const { stdout } = await run('ip', ['netns', 'exec', NS_B, 'nft', 'list', 'tables'], { timeout: 10_000 });
    assert.deepEqual(stdout.trim().split('\n'), [`table ${FIREWALL_TABLE}`]);
  });
});
