/**
 * What awsvpc tests look at on the host: the interfaces, firewall rules and pause containers
 * Wharf made for task networks, counted before and after; and removing those of a test's own
 * subnets when a test ends early (a stopped Wharf leaves its tasks' networks to the next start).
 */
import { execFileSync } from 'node:child_process';
import { bridgeName, vxlanName } from '../../src/agent/host-network.ts';
import { makeHostNamespaces, type HostNamespaces } from '../../src/cli/host-namespaces.ts';

const sh = (command: string, args: string[]): string => execFileSync(command, args, { encoding: 'utf8' });


/** What Wharf's task networks hold on this host for `subnetIds`: bridges, veths on them, iptables rules, and the pause containers of `clusterArn`. */
export function awsvpcFootprint(subnetIds: readonly string[], clusterArn = ''): { bridges: number; veths: number; rules: number; pauses: number } {
  const links = JSON.parse(sh('ip', ['-j', 'link', 'show'])) as { ifname: string; master?: string }[];
  const bridges = new Set(subnetIds.map(bridgeName));
  const rules = sh('iptables-save', []).split('\n').filter((l) => [...bridges].some((b) => l.includes(`wharf awsvpc ${b}`))).length;
  const pauses = sh('docker', [
    'ps', '-aq', '--filter', 'label=com.amazonaws.ecs.container-name=~internal~ecs~pause',
    ...(clusterArn ? ['--filter', `label=com.amazonaws.ecs.cluster=${clusterArn}`] : []),
  ]).trim();
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
    const bridge = bridgeName(subnetId);
    for (const link of [bridge, vxlanName(subnetId)]) {
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
 * Simulated hosts on this machine (`wharf cluster`'s own): network namespaces joined by an
 * underlay bridge the test makes, `<prefix>.1` on the bridge and `<prefix>.2`, `.3`, … in the
 * hosts, so agents started in them are hosts with their own network.
 */
export type SimulatedHosts = HostNamespaces;

export function simulatedHosts(prefix: string, count: number): SimulatedHosts {
  return makeHostNamespaces(prefix, Array.from({ length: count }, (_, i) => `host-${i}`));
}
