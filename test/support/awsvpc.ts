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
    try {
      execFileSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
    } catch {
      // not there
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
