/**
 * Event buses: CreateEventBus, DeleteEventBus, DescribeEventBus, ListEventBuses. `default`
 * exists in every account and region: read, it is shown even before anything was written;
 * a write that needs it (PutRule, PutEvents) writes it in the same transaction.
 */
import type { Clock } from '../common/index.ts';
import { listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { EventsErrors } from './errors.ts';
import { DEFAULT_BUS, busArn, keys, type BusRecord, type EventsTag, type RuleRecord, type Scope } from './records.ts';

/** What the events domain runs on. */
export interface EventsEnv {
  store: Store;
  clock: Clock;
}

/** The default bus as it is before anything was written. */
const defaultBus = (scope: Scope): BusRecord => ({ name: DEFAULT_BUS, arn: busArn(scope, DEFAULT_BUS), tags: [] });

/** The bus `name`, read through `tx`; `default` always exists. */
export async function findBus(tx: Tx, scope: Scope, name: string): Promise<BusRecord> {
  const bus = await tx.get<BusRecord>(keys.bus(scope, name));
  if (bus) return bus;
  if (name === DEFAULT_BUS) return defaultBus(scope);
  throw EventsErrors.busNotFound(name);
}

/** Writes the default bus if it is not written yet (a write that uses it). */
export async function ensureBus(tx: Tx, scope: Scope, name: string, now: number): Promise<BusRecord> {
  const bus = await findBus(tx, scope, name);
  if (bus.createdAt === undefined) {
    const written = { ...bus, createdAt: now };
    tx.put(keys.bus(scope, name), written);
    return written;
  }
  return bus;
}

/** CreateEventBus. Partner event sources are not served. */
export async function createEventBus(env: EventsEnv, scope: Scope, req: { name: string; description?: string; tags: EventsTag[]; eventSourceName?: string }): Promise<BusRecord> {
  if (req.eventSourceName !== undefined) throw EventsErrors.resourceNotFound(`Event source ${req.eventSourceName}`);
  if (req.name.includes('/')) throw EventsErrors.validation('Event bus name must not contain \'/\'.');
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const existing = await tx.get<BusRecord>(keys.bus(scope, req.name));
    if (existing || req.name === DEFAULT_BUS) throw EventsErrors.busExists(req.name);
    const bus: BusRecord = {
      name: req.name, arn: busArn(scope, req.name), tags: req.tags, createdAt: now,
      ...(req.description !== undefined ? { description: req.description } : {}),
    };
    tx.put(keys.bus(scope, req.name), bus);
    return bus;
  });
}

/** DeleteEventBus: the default bus cannot be; a bus that does not exist is no error (as AWS answers); its rules go with it. */
export async function deleteEventBus(env: EventsEnv, scope: Scope, name: string): Promise<void> {
  if (name === DEFAULT_BUS) throw EventsErrors.validation('Cannot delete event bus default.');
  await transact(env.store, async (tx) => {
    if (!(await tx.get<BusRecord>(keys.bus(scope, name)))) return;
    for (const rule of await tx.list<RuleRecord>(keys.rules(scope, name))) tx.delete(keys.rule(scope, name, rule.name));
    tx.delete(keys.bus(scope, name));
    tx.delete(keys.rulesChanged(scope, name));
  });
}

/** DescribeEventBus. */
export async function describeEventBus(env: EventsEnv, scope: Scope, name: string): Promise<BusRecord> {
  return transact(env.store, (tx) => findBus(tx, scope, name));
}

/** ListEventBuses: by name, `default` among them; NamePrefix filters. */
export async function listEventBuses(env: EventsEnv, scope: Scope, namePrefix?: string): Promise<BusRecord[]> {
  const stored = (await listDocs<BusRecord>(env.store, keys.buses(scope))).map((d) => d.value);
  const all = stored.some((b) => b.name === DEFAULT_BUS) ? stored : [defaultBus(scope), ...stored];
  return all.filter((b) => !namePrefix || b.name.startsWith(namePrefix)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** TagResource / UntagResource / ListTagsForResource on a bus. */
export async function changeBusTags(env: EventsEnv, scope: Scope, name: string, change: (tags: EventsTag[]) => EventsTag[]): Promise<EventsTag[]> {
  const now = env.clock.now();
  return transact(env.store, async (tx) => {
    const bus = await ensureBus(tx, scope, name, now);
    const tags = change(bus.tags);
    if (tags !== bus.tags) tx.put(keys.bus(scope, name), { ...bus, tags });
    return tags;
  });
}

/** Tags added, a key already there takes the new value (at most 50). */
export function mergeTags(tags: EventsTag[], added: EventsTag[]): EventsTag[] {
  const byKey = new Map(tags.map((t) => [t.key, t]));
  for (const t of added) byKey.set(t.key, t);
  if (byKey.size > 50) throw EventsErrors.limitExceeded('The requested resource exceeds the maximum number allowed.');
  return [...byKey.values()];
}
