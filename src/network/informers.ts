/**
 * The network's shared in-memory views: every security group and every interface, decoded and
 * indexed so the agent link can resolve a task's firewall (groups by id, interface addresses by
 * group) without reading the store per task.
 */
import { decodeJson, Informer, type Store } from '../state/index.ts';
import { keys, type NetworkInterfaceRecord, type SecurityGroupRecord } from './records.ts';

/** Index of interfaces by `<account>/<region>/<groupId>`, and of groups by `<account>/<region>/<groupId>`. */
export const GROUP_INDEX = 'group';

const scopePath = (prefix: string, key: string): string => key.slice(prefix.length).split('/').slice(0, 2).join('/');

/** Security groups and interfaces, watched. */
export class NetworkInformers {
  readonly securityGroups: Informer<SecurityGroupRecord>;
  readonly interfaces: Informer<NetworkInterfaceRecord>;

  constructor(store: Store, onError?: (error: unknown) => void) {
    this.securityGroups = new Informer<SecurityGroupRecord>({
      store, onError, prefix: keys.allSecurityGroups, decode: decodeJson,
      indexes: { [GROUP_INDEX]: (g, key) => [`${scopePath(keys.allSecurityGroups, key)}/${g.groupId}`] },
    });
    this.interfaces = new Informer<NetworkInterfaceRecord>({
      store, onError, prefix: keys.allInterfaces, decode: decodeJson,
      indexes: { [GROUP_INDEX]: (eni, key) => eni.groupIds.map((g) => `${scopePath(keys.allInterfaces, key)}/${g}`) },
    });
  }

  async start(): Promise<void> {
    await Promise.all([this.securityGroups.start(), this.interfaces.start()]);
  }

  close(): void {
    this.securityGroups.close();
    this.interfaces.close();
  }

  /** A group of a scope (`<account>/<region>`) by id. */
  group(scopePath: string, groupId: string): SecurityGroupRecord | undefined {
    return this.securityGroups.byIndex(GROUP_INDEX, `${scopePath}/${groupId}`)[0]?.value;
  }

  /** The addresses of the interfaces in a group. */
  memberAddresses(scopePath: string, groupId: string): string[] {
    return this.interfaces.byIndex(GROUP_INDEX, `${scopePath}/${groupId}`).map((d) => d.value.privateIpAddress);
  }
}
