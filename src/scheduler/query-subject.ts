/**
 * Instance views for the cluster query language that read the snapshot in place: a memberOf
 * constraint is evaluated on every candidate of every request, so building a Map and a Set
 * per instance would cost more than the query. One view is re-pointed at each instance.
 */
import type { QuerySubject } from './query/index.ts';
import type { InstanceAttribute, InstanceSnapshot } from './types.ts';

/** An instance's attributes as a read-only Map (name → value), over its attribute list. */
class AttributesView implements ReadonlyMap<string, string | undefined> {
  list: readonly InstanceAttribute[] = [];

  private find(name: string): InstanceAttribute | undefined {
    for (let k = this.list.length - 1; k >= 0; k--) if (this.list[k].name === name) return this.list[k];
    return undefined;
  }
  get(name: string): string | undefined {
    return this.find(name)?.value;
  }
  has(name: string): boolean {
    return this.find(name) !== undefined;
  }
  get size(): number {
    return new Set(this.list.map((a) => a.name)).size;
  }
  *entries(): MapIterator<[string, string | undefined]> {
    const seen = new Map(this.list.map((a) => [a.name, a.value]));
    yield* seen.entries();
  }
  *keys(): MapIterator<string> {
    for (const [k] of this.entries()) yield k;
  }
  *values(): MapIterator<string | undefined> {
    for (const [, v] of this.entries()) yield v;
  }
  forEach(f: (value: string | undefined, key: string, map: ReadonlyMap<string, string | undefined>) => void): void {
    for (const [k, v] of this.entries()) f(v, k, this);
  }
  [Symbol.iterator](): MapIterator<[string, string | undefined]> {
    return this.entries();
  }
}

/** An instance's task groups (those with tasks) as a read-only Set, plus the request's group once it has placed there. */
class GroupsView implements ReadonlySet<string> {
  counts: ReadonlyMap<string, number> | undefined;
  extra: string | undefined;

  has(group: string): boolean {
    return group === this.extra || (this.counts?.get(group) ?? 0) > 0;
  }
  get size(): number {
    let n = 0;
    for (const _ of this) n++;
    return n;
  }
  *values(): SetIterator<string> {
    for (const [group, count] of this.counts ?? []) if (count > 0) yield group;
    if (this.extra !== undefined && !((this.counts?.get(this.extra) ?? 0) > 0)) yield this.extra;
  }
  keys(): SetIterator<string> {
    return this.values();
  }
  *entries(): SetIterator<[string, string]> {
    for (const g of this.values()) yield [g, g];
  }
  forEach(f: (value: string, key: string, set: ReadonlySet<string>) => void): void {
    for (const g of this.values()) f(g, g, this);
  }
  [Symbol.iterator](): SetIterator<string> {
    return this.values();
  }
}

/** A reusable query subject: `at` points it at one instance, valid until the next call. */
export class SubjectView {
  private readonly attributes = new AttributesView();
  private readonly groups = new GroupsView();
  private readonly subject: QuerySubject = { attributes: this.attributes, ec2InstanceId: '', taskGroups: this.groups };

  at(s: InstanceSnapshot, placedGroup: string | undefined): QuerySubject {
    this.attributes.list = s.attributes;
    this.groups.counts = s.taskGroups;
    this.groups.extra = placedGroup;
    const subject = this.subject;
    subject.ec2InstanceId = s.ec2InstanceId ?? '';
    subject.agentConnected = s.agentConnected;
    subject.agentVersion = s.agentVersion;
    subject.registeredAt = s.registeredAt;
    subject.runningTasksCount = s.runningTasksCount;
    return subject;
  }
}
