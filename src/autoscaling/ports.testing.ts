/**
 * TEST HARNESS, not production code: an `InstancesPort` whose instances are documents in the
 * store, so tests (and a control plane started by a test) launch, see and terminate them without
 * EC2. Instances start `pending` and a terminated one is `shutting-down` first, as EC2's are; a
 * test moves them on with `runAll` (or sets any state with `setState`).
 */
import { getDoc, listDocs, transact, type Store } from '../state/index.ts';
import type { InstancesPort, InstanceState, InstanceView, LaunchRequest, LaunchTemplateRef } from './ports.ts';
import type { LaunchTemplateSpec, Scope } from './records.ts';

interface FakeInstance extends InstanceView {
  scope: Scope;
  clientToken: string;
  launchTemplate: LaunchTemplateSpec;
  tags: { key: string; value: string }[];
}

/** A launch template the fake knows: id, name, its versions and the instance type each gives. */
export interface FakeTemplate {
  launchTemplateId: string;
  launchTemplateName: string;
  instanceType?: string;
  versions?: number;
}

const PREFIX = 'testing/instances/';
const key = (id: string) => `${PREFIX}${id}`;

/** Store-backed instances and launch templates for tests. */
export class FakeInstances implements InstancesPort {
  private next = 0;
  /** Launch calls made (retries with a known token included). */
  launches = 0;

  constructor(private readonly store: Store, private readonly templates: FakeTemplate[] = [{ launchTemplateId: 'lt-0123456789abcdef0', launchTemplateName: 'web' }]) {}

  async launchTemplate(_scope: Scope, ref: LaunchTemplateRef): Promise<LaunchTemplateSpec | undefined> {
    const t = this.templates.find((x) => x.launchTemplateId === ref.launchTemplateId || x.launchTemplateName === ref.launchTemplateName);
    if (!t) return undefined;
    const version = ref.version ?? '$Default';
    if (/^\d+$/.test(version) && Number(version) > (t.versions ?? 1)) return undefined;
    return { launchTemplateId: t.launchTemplateId, launchTemplateName: t.launchTemplateName, version };
  }

  async launch(scope: Scope, request: LaunchRequest): Promise<{ instanceId: string; instanceType: string }> {
    this.launches++;
    const existing = (await this.all()).find((i) => i.clientToken === request.clientToken);
    if (existing) return { instanceId: existing.instanceId, instanceType: existing.instanceType };
    const template = this.templates.find((t) => t.launchTemplateId === request.launchTemplate.launchTemplateId);
    const instanceId = `i-${(++this.next).toString(16).padStart(17, '0')}`;
    const instance: FakeInstance = {
      instanceId, state: 'pending', availabilityZone: request.availabilityZone, subnetId: request.subnetId, instanceType: template?.instanceType ?? 't3.micro',
      scope, clientToken: request.clientToken, launchTemplate: request.launchTemplate, tags: request.tags,
    };
    await transact(this.store, async (tx) => tx.put(key(instanceId), instance));
    return { instanceId, instanceType: instance.instanceType };
  }

  async terminate(_scope: Scope, instanceIds: readonly string[]): Promise<void> {
    for (const id of instanceIds) {
      const i = await this.get(id);
      if (i && i.state !== 'terminated') await this.setState(id, 'shutting-down');
    }
  }

  async describe(_scope: Scope, instanceIds: readonly string[]): Promise<InstanceView[]> {
    const all = await this.all();
    return all.filter((i) => instanceIds.includes(i.instanceId)).map(({ instanceId, state, availabilityZone, subnetId, instanceType }) => ({ instanceId, state, availabilityZone, subnetId, instanceType }));
  }

  /** Every instance launched, with its tags and token. */
  async all(): Promise<FakeInstance[]> {
    return (await listDocs<FakeInstance>(this.store, PREFIX)).map((d) => d.value);
  }

  /** Sets an instance's EC2 state (a test stopping or terminating it outside the group). */
  async setState(instanceId: string, state: InstanceState): Promise<void> {
    await transact(this.store, async (tx) => {
      const i = await tx.get<FakeInstance>(key(instanceId));
      if (i) tx.put(key(instanceId), { ...i, state });
    });
  }

  /** Moves every pending instance to running, and every shutting-down one to terminated. */
  async runAll(): Promise<void> {
    for (const i of await this.all()) {
      if (i.state === 'pending') await this.setState(i.instanceId, 'running');
      if (i.state === 'shutting-down') await this.setState(i.instanceId, 'terminated');
    }
  }

  /** One instance's record, if launched. */
  async get(instanceId: string): Promise<FakeInstance | undefined> {
    return (await getDoc<FakeInstance>(this.store, key(instanceId)))?.value;
  }
}

/** An `InstancesPort` that calls the fake `current()` gives at each call (a control plane's port, bound before its store exists). */
export function portOver(current: () => FakeInstances): InstancesPort {
  return {
    launchTemplate: (s, r) => current().launchTemplate(s, r),
    launch: (s, r) => current().launch(s, r),
    terminate: (s, ids) => current().terminate(s, ids),
    describe: (s, ids) => current().describe(s, ids),
  };
}
