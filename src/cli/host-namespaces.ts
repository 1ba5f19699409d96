/**
 * Hosts simulated on one machine: a network namespace per host, each with one address on an
 * underlay bridge in this namespace (`<prefix>.1` on the bridge, the hosts after it), as
 * `wharf cluster` runs its replicas and agents and the tests run several agents. Docker's
 * forwarding policy is opened for the underlay bridge alone; `remove()` takes everything away.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { overlaps, parseCidr, type Cidr } from '../common/index.ts';

/** One simulated host. */
export interface NamespacedHost {
  netns: string;
  address: string;
}

/** The underlay and its hosts. */
export interface HostNamespaces {
  /** The bridge's address, which the hosts route through (this namespace's address on the underlay). */
  gateway: string;
  hosts: NamespacedHost[];
  remove(): void;
}

const sh = (command: string, args: string[]): string => execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const quietly = (command: string, args: string[]): void => {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
  } catch {
    // already gone
  }
};

/** Whether this machine lets us make namespaces: root, with iproute2 and iptables. */
export function namespacesAllowed(): boolean {
  if (process.getuid?.() !== 0) return false;
  try {
    sh('ip', ['netns', 'list']);
    sh('iptables', ['--version']);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes `count` hosts on the /24 `prefix` (e.g. `10.253.7`), host `i` at `<prefix>.<firstHost + i>`,
 * named `wharf-<tag>-<names[i]>`.
 */
export function makeHostNamespaces(prefix: string, names: readonly string[], firstHost = 2): HostNamespaces {
  const tag = randomBytes(2).toString('hex');
  const bridge = `wul${tag}`;
  const forward = (op: '-I' | '-D') => ['-t', 'filter', op, 'DOCKER-USER', '-i', bridge, '-o', bridge, '-j', 'ACCEPT'];
  const hosts = names.map((name, i) => ({ netns: `wharf-${tag}-${name}`, address: `${prefix}.${firstHost + i}`, veth: `wuh${tag}${i}` }));
  const remove = () => {
    for (const h of hosts) quietly('ip', ['netns', 'del', h.netns]);
    quietly('ip', ['link', 'del', bridge]);
    quietly('iptables', forward('-D'));
  };
  try {
    sh('ip', ['link', 'add', bridge, 'type', 'bridge']);
    sh('ip', ['addr', 'add', `${prefix}.1/24`, 'dev', bridge]);
    sh('ip', ['link', 'set', bridge, 'up']);
    // Docker drops forwarded traffic by default, bridged traffic between namespaces included.
    if (hasChain('DOCKER-USER')) sh('iptables', forward('-I'));
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
    remove();
    throw error;
  }
  return { gateway: `${prefix}.1`, hosts: hosts.map(({ netns, address }) => ({ netns, address })), remove };
}

function hasChain(chain: string): boolean {
  try {
    sh('iptables', ['-t', 'filter', '-L', chain, '-n']);
    return true;
  } catch {
    return false;
  }
}

/** A /24 under 10.253.0.0/16 that no route of this host overlaps, for an underlay. */
export function freeUnderlay(): string {
  const routes = (JSON.parse(sh('ip', ['-j', '-4', 'route', 'show'])) as { dst: string }[])
    .flatMap((r) => (r.dst === 'default' ? [] : [parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`)]))
    .filter((c): c is Cidr => c !== undefined);
  for (let k = 1 + Math.floor(Math.random() * 200); k < 255; k++) {
    const prefix = `10.253.${k}`;
    if (!routes.some((r) => overlaps(r, parseCidr(`${prefix}.0/24`)!))) return prefix;
  }
  throw new Error('no free /24 under 10.253.0.0/16 for the underlay');
}

/**
 * The command that runs `program` inside network namespace `netns`: `nsenter --net`, which
 * becomes the program (so its pid is the program's) and changes nothing but the network — unlike
 * `ip netns exec`, which also remounts /sys and so hides the cgroup filesystems the agent uses.
 */
export function inNetworkNamespace(netns: string, program: string): [string, string[]] {
  return ['nsenter', [`--net=/run/netns/${netns}`, '--', program]];
}
