/**
 * Each load balancer's addresses in its subnets (its interfaces' private addresses), given to
 * this host so that the load balancer is where the VPC expects it: tasks reach an internal load
 * balancer at its address in their subnet, and the load balancer sends to IP targets (tasks'
 * interfaces) from that address, so a task's security group that admits the load balancer's
 * security group admits its traffic and health checks, as in a VPC.
 *
 * An address is added to `lo` as a /32 (needs root and iproute2); where it cannot be, the load
 * balancer keeps its loopback address only and sends from the host's own address, said once.
 * Only addresses this process added are ever removed.
 */
import { execFile } from 'node:child_process';
import { networkInterfaces } from 'node:os';

/** How addresses are given to and taken from this host (iproute2; a fake in tests). */
export interface AddressPort {
  /** Every address this host has now. */
  present(): Set<string>;
  add(ip: string): Promise<void>;
  remove(ip: string): Promise<void>;
}

const ip = (args: string[]) => new Promise<void>((resolve, reject) => {
  execFile('ip', args, { timeout: 10_000 }, (error, _stdout, stderr) => (error ? reject(new Error(stderr.trim() || error.message)) : resolve()));
});

/** This host's addresses through iproute2, on `lo`. */
export const hostAddressPort: AddressPort = {
  present: () => new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address))),
  add: (address) => ip(['addr', 'add', `${address}/32`, 'dev', 'lo']),
  remove: (address) => ip(['addr', 'del', `${address}/32`, 'dev', 'lo']),
};

/** The subnet addresses this host holds for load balancers. */
export class SubnetAddresses {
  /** Addresses this process added (and alone may remove). */
  private readonly added = new Set<string>();
  /** Addresses held: added here, or present already. */
  private readonly held = new Set<string>();
  private refused = false;

  constructor(private readonly port: AddressPort, private readonly log: (message: string) => void) {}

  /** Whether the host holds `address`, so that listeners may bind it and traffic may leave from it. */
  holds(address: string): boolean {
    return this.held.has(address);
  }

  /** Holds exactly the `wanted` addresses (as far as the host lets it); returns once done. */
  async sync(wanted: ReadonlySet<string>): Promise<void> {
    for (const address of [...this.held]) {
      if (wanted.has(address)) continue;
      this.held.delete(address);
      if (!this.added.delete(address)) continue;
      await this.port.remove(address).catch((error: unknown) => this.log(`load balancers: cannot remove ${address} from this host (${String(error)})`));
    }
    const missing = [...wanted].filter((a) => !this.held.has(a));
    if (missing.length === 0) return;
    const present = this.port.present();
    for (const address of missing) {
      if (present.has(address)) {
        this.held.add(address);
        continue;
      }
      if (this.refused) continue;
      try {
        await this.port.add(address);
        this.added.add(address);
        this.held.add(address);
      } catch (error) {
        // Not root, or no iproute2: loopback addresses only, said once.
        this.refused = true;
        this.log(`load balancers: cannot give this host their subnet addresses (${error instanceof Error ? error.message : String(error)}); they listen on their loopback addresses only`);
      }
    }
  }

  /** Gives back every address this process added. */
  async release(): Promise<void> {
    await this.sync(new Set());
  }
}
