/**
 * awsvpc on this host: each task's interface plumbed into its pause container's namespace with
 * iproute2, its security groups loaded there as an nftables ruleset, and per subnet one bridge
 * on the host carrying the subnet's router address (so the host reaches task addresses and
 * tasks reach each other), with NAT for traffic leaving the VPC.
 *
 *   task namespace (pause)        host (the agent's namespace)
 *   eth0 10.0.1.5/24 ─── veth ─── wv<eni> ─┐
 *   table inet wharf_task                   ├─ wb<subnet> 10.0.1.1/24 ── routes, NAT ── out
 *   eth0 10.0.1.6/24 ─── veth ─── wv<eni> ─┘
 *
 * A subnet spans hosts as one layer-2 segment: with an underlay address (`--vpc-address`), each
 * subnet's bridge has a VXLAN port (the subnet's network id, flooding to every peer host), so
 * tasks on different hosts reach each other by address. Every host's bridge carries the
 * subnet's router address with the same MAC (an anycast gateway): a task's traffic out of the
 * VPC always leaves through its own host. A host reaches the addresses of its own tasks.
 *
 * Host state is made on first use and removed with the subnet's last task, so nothing is left
 * behind. Operations run one at a time: two tasks of a subnet never race to make its bridge.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { overlaps, parseCidr, type TaskFirewall, type TaskInterface } from '../common/index.ts';
import { renderFirewall } from './task-firewall.ts';
import type { TaskNetworks } from './task-networks.ts';

/** Runs a command, with `input` on its stdin; rejects with its stderr. */
export function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: 15_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    // A command that exits before reading its input closes the pipe: that is its error to report, not a crash.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input ?? '');
  });
}

/** The host bridge of a subnet (interface names are at most 15 characters). */
export const bridgeName = (subnetId: string): string => `wb${subnetId.slice(-12)}`;
/** The host end of a task's veth pair. */
export const vethName = (networkInterfaceId: string): string => `wv${networkInterfaceId.slice(-12)}`;

/** The VXLAN port of a subnet's bridge. */
export const vxlanName = (subnetId: string): string => `wx${subnetId.slice(-12)}`;

const digest = (text: string): string => createHash('sha256').update(text).digest('hex');

/** The subnet's VXLAN network id: 24 bits of its id's hash (0 is not a valid id). */
export const vniOf = (subnetId: string): number => parseInt(digest(subnetId).slice(0, 6), 16) || 1;

/** The subnet router's MAC, the same on every host: locally administered, from the subnet id. */
export const gatewayMac = (subnetId: string): string => ['02', ...digest(`gateway:${subnetId}`).slice(0, 10).match(/../g)!].join(':');

/** Room for VXLAN's 50 bytes inside a 1500-byte underlay. */
export const OVERLAY_MTU = 1450;

/** Pure: the first route of the host's (`ip -j route` output) that overlaps `cidr` and is not on `own`, or undefined. */
export function overlappingRoute(routes: readonly { dst: string; dev?: string }[], cidr: string, own: string): { dst: string; dev?: string } | undefined {
  const block = parseCidr(cidr)!;
  return routes.find((r) => {
    if (r.dst === 'default' || r.dev === own) return false;
    const dst = parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    return dst !== undefined && overlaps(dst, block);
  });
}

/** The rules that let a subnet's traffic through the host: forwarding past Docker's DROP policy, and NAT out of the VPC. */
function hostRules(bridge: string, iface: TaskInterface, forwardChain: string): { table: string; rule: string[] }[] {
  const tag = ['-m', 'comment', '--comment', `wharf awsvpc ${bridge}`];
  return [
    { table: 'filter', rule: [forwardChain, '-i', bridge, ...tag, '-j', 'ACCEPT'] },
    { table: 'filter', rule: [forwardChain, '-o', bridge, ...tag, '-j', 'ACCEPT'] },
    { table: 'nat', rule: ['POSTROUTING', '-s', iface.subnetCidr, '!', '-d', iface.vpcCidr, ...tag, '-j', 'MASQUERADE'] },
  ];
}

/** awsvpc task networks on this host (needs root, iproute2, nftables and iptables). */
export class HostTaskNetworks implements TaskNetworks {
  private queue: Promise<unknown> = Promise.resolve();
  private peers = new Set<string>();

  /** `underlay`: this host's address that other hosts reach it at; without it, subnets stay on this host. */
  constructor(private readonly o: { pauseImage: () => Promise<string>; underlay?: string }) {}

  setPeers(addresses: readonly string[]): Promise<void> {
    return this.serial(async () => {
      const next = new Set(addresses.filter((a) => a !== this.o.underlay));
      if (this.o.underlay) {
        const ports = (JSON.parse(await run('ip', ['-j', 'link', 'show', 'type', 'vxlan'])) as { ifname: string }[]).filter((l) => l.ifname.startsWith('wx'));
        for (const { ifname } of ports) {
          for (const gone of this.peers) if (!next.has(gone)) await floodTo(ifname, gone, 'del');
          for (const peer of next) if (!this.peers.has(peer)) await floodTo(ifname, peer, 'append');
        }
      }
      this.peers = next;
    });
  }

  pauseImage(): Promise<string> {
    return this.o.pauseImage();
  }

  attach(pid: number, iface: TaskInterface): Promise<void> {
    return this.serial(async () => {
      const bridge = await this.ensureSubnet(iface);
      const veth = vethName(iface.networkInterfaceId);
      const inside = await linkExists(['nsenter', '-t', String(pid), '-n', 'ip', 'link', 'show', 'eth0']);
      if (!inside) {
        // A host end left from a namespace that is gone (its pause container was replaced) is stale.
        if (await linkExists(['ip', 'link', 'show', veth])) await run('ip', ['link', 'del', veth]);
        const mtu = this.o.underlay ? ['mtu', String(OVERLAY_MTU)] : [];
        await run('ip', ['link', 'add', veth, ...mtu, 'type', 'veth', 'peer', 'name', 'eth0', 'address', iface.macAddress, ...mtu, 'netns', String(pid)]);
      }
      await run('ip', ['link', 'set', veth, 'master', bridge, 'up']);
      const prefix = iface.subnetCidr.split('/')[1];
      await run('nsenter', ['-t', String(pid), '-n', 'ip', '-batch', '-'], [
        'link set lo up',
        `addr replace ${iface.privateIpAddress}/${prefix} dev eth0`,
        'link set eth0 up',
        `route replace default via ${iface.gateway} dev eth0`,
      ].join('\n') + '\n');
      await this.loadFirewall(pid, iface.firewall);
    });
  }

  applyFirewall(pid: number, firewall: TaskFirewall): Promise<void> {
    return this.serial(() => this.loadFirewall(pid, firewall));
  }

  detach(iface: TaskInterface): Promise<void> {
    return this.serial(async () => {
      const veth = vethName(iface.networkInterfaceId);
      if (await linkExists(['ip', 'link', 'show', veth])) await run('ip', ['link', 'del', veth]);
      const bridge = bridgeName(iface.subnetId);
      if (!(await linkExists(['ip', 'link', 'show', bridge]))) return;
      const ports = JSON.parse(await run('ip', ['-j', 'link', 'show', 'master', bridge])) as { ifname: string }[];
      if (ports.some((p) => p.ifname !== vxlanName(iface.subnetId))) return;
      for (const { table, rule } of hostRules(bridge, iface, await forwardChain())) {
        if (await ruleExists(table, rule)) await run('iptables', ['-t', table, '-D', ...rule]);
      }
      if (await linkExists(['ip', 'link', 'show', vxlanName(iface.subnetId)])) await run('ip', ['link', 'del', vxlanName(iface.subnetId)]);
      await run('ip', ['link', 'del', bridge]);
    });
  }

  private async loadFirewall(pid: number, firewall: TaskFirewall): Promise<void> {
    await run('nsenter', ['-t', String(pid), '-n', 'nft', '-f', '-'], renderFirewall(firewall));
  }

  /**
   * The subnet's bridge with its router address, forwarding and NAT: made if missing. A bridge
   * that exists was made with its rules (they come first), so a task of a subnet already on the
   * host costs one check here.
   */
  private async ensureSubnet(iface: TaskInterface): Promise<string> {
    const bridge = bridgeName(iface.subnetId);
    if (!(await linkExists(['ip', 'link', 'show', bridge]))) {
      const routes = JSON.parse(await run('ip', ['-j', '-4', 'route', 'show'])) as { dst: string; dev?: string }[];
      const clash = overlappingRoute(routes, iface.subnetCidr, bridge);
      if (clash) {
        throw new Error(`subnet ${iface.subnetId} (${iface.subnetCidr}) overlaps this host's route to ${clash.dst}${clash.dev ? ` on ${clash.dev}` : ''}; use a subnet that does not`);
      }
      if ((await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim() !== '1') await writeFile('/proc/sys/net/ipv4/ip_forward', '1');
      for (const { table, rule } of hostRules(bridge, iface, await forwardChain())) {
        if (!(await ruleExists(table, rule))) await run('iptables', ['-t', table, table === 'filter' ? '-I' : '-A', ...rule]);
      }
      await run('ip', ['link', 'add', bridge, 'address', gatewayMac(iface.subnetId), 'type', 'bridge']);
      await run('ip', ['addr', 'add', `${iface.gateway}/${iface.subnetCidr.split('/')[1]}`, 'dev', bridge]);
      await run('ip', ['link', 'set', bridge, 'up']);
    }
    if (this.o.underlay && !(await linkExists(['ip', 'link', 'show', vxlanName(iface.subnetId)]))) {
      const vxlan = vxlanName(iface.subnetId);
      await run('ip', ['link', 'add', vxlan, 'mtu', String(OVERLAY_MTU), 'type', 'vxlan', 'id', String(vniOf(iface.subnetId)), 'local', this.o.underlay, 'dstport', '4789']);
      await run('ip', ['link', 'set', vxlan, 'master', bridge, 'up']);
      for (const peer of this.peers) await floodTo(vxlan, peer, 'append');
    }
    return bridge;
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }
}

/** Docker's chain for users' forwarding rules when Docker manages iptables, else FORWARD itself. */
async function forwardChain(): Promise<string> {
  return (await ruleExists('filter', ['DOCKER-USER'], '-L')) ? 'DOCKER-USER' : 'FORWARD';
}

/** Adds or removes `peer` among the hosts a VXLAN port floods to (unknown and broadcast frames). */
function floodTo(vxlan: string, peer: string, op: 'append' | 'del'): Promise<string> {
  return run('bridge', ['fdb', op, '00:00:00:00:00:00', 'dev', vxlan, 'dst', peer]);
}

async function linkExists(command: string[]): Promise<boolean> {
  return run(command[0], command.slice(1)).then(() => true, () => false);
}

async function ruleExists(table: string, rule: string[], op = '-C'): Promise<boolean> {
  return run('iptables', ['-t', table, op, ...rule]).then(() => true, () => false);
}
