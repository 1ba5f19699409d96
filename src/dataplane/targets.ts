/**
 * A target group's targets as the proxies and the health checker reach them: each registration
 * (not draining) with the address traffic goes to — an IP target's own when it is a task's
 * interface, an instance target's host's through the `InstanceAddresses` port — and its state
 * from the health records (a target the data plane cannot reach is left out: it stays initial), compiled
 * once per change of the records.
 */
import { parseLbArn } from '../lb/index.ts';
import type { RoutableTarget } from './alb/balance.ts';
import type { LbView } from './lb-view.ts';

/** Where an instance target is reached: the address its host serves the port on. */
export type InstanceAddresses = (scope: { account: string; region: string }, instanceId: string, port: number) => string | undefined;

/**
 * Whether an IP target is one the data plane may send to: an address Wharf itself gave out (a
 * task's interface). Any other address is never probed nor sent to, so that nothing leaves for
 * a network Wharf does not know.
 */
export type IpTargets = (scope: { account: string; region: string }, ip: string) => boolean;

/** A routable target with its registration's id. */
export interface GroupTarget extends RoutableTarget {
  id: string;
}

/** The targets of each group, rebuilt when the view's generation moves on. */
export class GroupTargets {
  private generation = -1;
  private readonly byGroup = new Map<string, GroupTarget[]>();
  /** When each target was first seen healthy in this process, for slow start. */
  private readonly healthySince = new Map<string, number>();

  constructor(private readonly view: LbView, private readonly reach: { instances: InstanceAddresses; ips: IpTargets }, private readonly now: () => number) {}

  /** The group's registered targets that are not draining, with their state. */
  of(groupArn: string): GroupTarget[] {
    if (this.generation !== this.view.generation) {
      this.generation = this.view.generation;
      this.byGroup.clear();
    }
    let targets = this.byGroup.get(groupArn);
    if (!targets) this.byGroup.set(groupArn, (targets = this.compile(groupArn)));
    return targets;
  }

  private compile(groupArn: string): GroupTarget[] {
    const group = this.view.group(groupArn);
    const scope = parseLbArn(groupArn)?.scope;
    if (!group || !scope) return [];
    const out: GroupTarget[] = [];
    for (const reg of this.view.registrations(groupArn)) {
      if (reg.drainingUntil !== undefined) continue;
      const address = group.targetType === 'ip' ? (this.reach.ips(scope, reg.id) ? reg.id : undefined) : this.reach.instances(scope, reg.id, reg.port);
      if (address === undefined) continue;
      const key = `${groupArn}|${reg.id}|${reg.port}`;
      const health = this.view.healthOf(groupArn, reg.id, reg.port);
      const state = !group.healthCheck.enabled ? 'healthy' : health && health.checkedAt >= reg.registeredAt ? health.state : 'initial';
      if (state === 'healthy') {
        if (!this.healthySince.has(key)) this.healthySince.set(key, this.now());
      } else {
        this.healthySince.delete(key);
      }
      out.push({ key, id: reg.id, address, port: reg.port, state, healthySince: this.healthySince.get(key) });
    }
    return out;
  }
}
