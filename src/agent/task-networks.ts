/**
 * The port through which a task's owner gives an awsvpc task its network namespace: the pause
 * image, plumbing the task's interface into the pause container's namespace, loading its
 * firewall, and clearing host state once a namespace is gone. `host-network.ts` does it on this
 * host with iproute2 and nftables; simulated hosts have none, and their awsvpc tasks fail to
 * start saying so.
 */
import type { TaskFirewall, TaskInterface } from '../common/index.ts';

/** What the agent does to a host's network for awsvpc tasks. */
export interface TaskNetworks {
  /** The pause image's reference, imported first if the host lacks it. */
  pauseImage(): Promise<string>;
  /** Plumbs `iface` into the namespace of process `pid` and loads its firewall; what is in place already is kept (after a restart). */
  attach(pid: number, iface: TaskInterface): Promise<void>;
  /** Replaces the firewall in the namespace of `pid`. */
  applyFirewall(pid: number, firewall: TaskFirewall): Promise<void>;
  /** The task's namespace is gone: host state that no other task uses (its subnet's bridge, NAT) goes too. */
  detach(iface: TaskInterface): Promise<void>;
  /** The other hosts a subnet spans, by their addresses: this host's subnets reach their tasks through them. */
  setPeers(addresses: readonly string[]): Promise<void>;
}
