/**
 * Which hosts awsvpc subnets span: per account, the addresses agents registered with
 * (`wharf.vpc-address`) while connected, kept from the instances informer's changes. Each
 * agent with an address is told the others', so its subnets' VXLAN ports flood to them; a
 * change is passed on only when an account's set of addresses changes (not on heartbeats).
 */
import { VPC_ADDRESS_ATTRIBUTE } from '../common/index.ts';
import { parseArn, type ContainerInstanceRecord } from '../ecs/index.ts';
import type { Informer, InformerChange } from '../state/index.ts';

/** The VPC address an instance offers while its agent is connected, and its account. */
function offered(instance: ContainerInstanceRecord): { account: string; address: string } | undefined {
  if (!instance.agentConnected || instance.status === 'INACTIVE') return undefined;
  const address = instance.attributes.find((a) => a.name === VPC_ADDRESS_ATTRIBUTE)?.value;
  return address === undefined ? undefined : { account: parseArn(instance.arn)!.account, address };
}

/** The connected hosts' VPC addresses by account. */
export class VpcPeers {
  /** account → address → how many instances (one per cluster an agent is in) offer it. */
  private readonly byAccount = new Map<string, Map<string, number>>();
  private readonly unsubscribe: () => void;
  private readonly pending = new Set<string>();
  private timer?: NodeJS.Timeout;

  constructor(instances: Informer<ContainerInstanceRecord>, private readonly changed: (account: string) => void) {
    this.unsubscribe = instances.subscribe((change) => this.apply(change));
  }

  /** The addresses offered in `account`, sorted. */
  addresses(account: string): string[] {
    return [...(this.byAccount.get(account)?.keys() ?? [])].sort();
  }

  close(): void {
    clearTimeout(this.timer);
    this.unsubscribe();
  }

  private apply(change: InformerChange<ContainerInstanceRecord>): void {
    const before = change.type === 'add' ? undefined : offered(change.previous);
    const after = change.type === 'delete' ? undefined : offered(change.value);
    if (before?.account === after?.account && before?.address === after?.address) return;
    if (before) this.count(before.account, before.address, -1);
    if (after) this.count(after.account, after.address, 1);
  }

  private count(account: string, address: string, by: 1 | -1): void {
    const addresses = this.byAccount.get(account) ?? new Map<string, number>();
    const n = (addresses.get(address) ?? 0) + by;
    if (n > 0) addresses.set(address, n);
    else addresses.delete(address);
    this.byAccount.set(account, addresses);
    // Only a first offer or a last withdrawal changes the set.
    if ((by === 1 && n === 1) || n === 0) {
      this.pending.add(account);
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        for (const a of this.pending) this.changed(a);
        this.pending.clear();
      }, 50);
    }
  }
}
