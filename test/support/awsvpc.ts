/**
 * What awsvpc tests look at on the host: the interfaces, firewall rules and pause containers
 * Wharf made for task networks, counted before and after; and removing those of a test's own
 * subnets when a test ends early (a stopped Wharf leaves its tasks' networks to the next start).
 */
import { execFileSync } from 'node:child_process';

const sh = (command: string, args: string[]): string => execFileSync(command, args, { encoding: 'utf8' });

/** The host bridge Wharf makes for a subnet, and a task interface's host end (as host-network.ts names them). */
export const bridgeOf = (subnetId: string) => `wb${subnetId.slice(-12)}`;
export const vethOf = (networkInterfaceId: string) => `wv${networkInterfaceId.slice(-12)}`;

/** What Wharf's task networks hold on this host for `subnetIds`: bridges, veths on them, iptables rules, pause containers. */
export function awsvpcFootprint(subnetIds: readonly string[]): { bridges: number; veths: number; rules: number; pauses: number } {
  const links = JSON.parse(sh('ip', ['-j', 'link', 'show'])) as { ifname: string; master?: string }[];
  const bridges = new Set(subnetIds.map(bridgeOf));
  const rules = sh('iptables-save', []).split('\n').filter((l) => [...bridges].some((b) => l.includes(`wharf awsvpc ${b}`))).length;
  const pauses = sh('docker', ['ps', '-aq', '--filter', 'label=com.amazonaws.ecs.container-name=~internal~ecs~pause']).trim();
  return {
    bridges: links.filter((l) => bridges.has(l.ifname)).length,
    veths: links.filter((l) => l.master && bridges.has(l.master)).length,
    rules,
    pauses: pauses ? pauses.split('\n').length : 0,
  };
}

/** Removes the bridges and iptables rules of `subnetIds` (their task namespaces go with their containers). */
export function removeAwsvpcLeftovers(subnetIds: readonly string[]): void {
  for (const subnetId of subnetIds) {
    const bridge = bridgeOf(subnetId);
    for (const link of [bridge, `wx${subnetId.slice(-12)}`]) {
      try {
        execFileSync('ip', ['link', 'del', link], { stdio: 'ignore' });
      } catch {
        // not there
      }
    }
    for (const table of ['filter', 'nat']) {
      for (const line of sh('iptables-save', ['-t', table]).split('\n')) {
        if (!line.startsWith('-A ') || !line.includes(`wharf awsvpc ${bridge}`)) continue;
        const args = line.slice(3).match(/"[^"]*"|\S+/g)!.map((a) => a.replace(/^"|"$/g, ''));
        sh('iptables', ['-t', table, '-D', ...args]);
      }
    }
  }
}

/**
 * Simulated hosts on this machine: network namespaces joined by an underlay bridge the test
 * makes (`<prefix>.1` on the bridge, `<prefix>.2`, `.3`, … in the hosts), so agents started in
 * them are hosts with their own network. Docker's forwarding policy is opened for the underlay
 * bridge alone, and everything goes again with `remove()`.
 */
export interface SimulatedHosts {
  /** The bridge's address: the control plane listens there for the hosts' agents. */
  gateway: string;
  hosts: { netns: string; address: string }[];
  remove(): void;
}

export function simulatedHosts(prefix: string, count: number): SimulatedHosts {
  const tag = Math.random().toString(16).slice(2, 6);
  const bridge = `wul${tag}`;
  const forward = (op: '-I' | '-D') => ['-t', 'filter', op, 'DOCKER-USER', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
  const hosts = Array.from({ length: count }, (_, i) => ({ netns: `wharf-host-${tag}-${i}`, address: `${prefix}.${i + 2}`, veth: `wuh${tag}${i}` }));
  const remove = () => {
    for (const h of hosts) execFileSync('ip', ['netns', 'del', h.netns], { stdio: 'ignore' });
    execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    execFileSync('iptables', forward('-D'), { stdio: 'ignore' });
  };
  try {
    sh('ip', ['link', 'add', bridge, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', bridge]);
    sh('ip', ['link', 'set', bridge, 'up']);
    sh('iptables', forward('-I'));
    for (const h of hosts) {
      sh('ip', ['netns', 'add', h.netns]);
      sh('ip', ['link', 'add', h.veth, 'type', 'veth', 'peer', 'name', 'uplink0', 'netns', h.netns]);
      sh('ip', ['link', 'set', h.veth, 'master', bridge, 'up']);
      const inHost = (...args: string[]) => sh('ip', ['netns', 'exec', h.netns, 'ip', ...args]);
      inHost('addr', 'add', `${h.address}/24`, 'dev', 'uplink0');
      inHost('link', 'set', 'uplink0', 'up');
      inHost('link', 'set', 'lo', 'up');
      inHost('route', 'add', 'default', 'via', `${prefix}.1`);
    }
  } catch (error) {
    try {
      remove();
    } catch {
      // partly made
    }
    throw error;
  }
  return {
    gateway: `${prefix}.1`,
    hosts: hosts.map(({ netns, address }) => ({ netns, address })),
    remove: () => {
      for (const step of [remove]) {
        try {
          step();
        } catch {
          // already gone
        }
      }
    },
  };
}
