/**
 * Task interfaces from ECS's side, on a real SQLite store: the lowest free address of the
 * subnet, never the reserved ones, and — the invariant the address keys exist for — no two
 * interfaces with one address however launches and releases race. Property-tested: racing
 * transactions, each taking some addresses (and some releasing an interface first), with
 * their steps interleaved at random.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ManualClock, randomIds } from '../common/index.ts';
import { SqliteStore, getDoc, listDocs, transact, type Tx } from '../state/index.ts';
import { assignableCount, parseCidr, parseIp } from '../common/index.ts';
import { ensureDefaultVpc } from './default-vpc.ts';
import type { NetworkEnv } from './env.ts';
import { keys, type NetworkInterfaceRecord, type Scope, type SubnetRecord } from './records.ts';
import { createSubnet } from './subnets.ts';
import { stageReleaseInterface, stageTaskInterface } from './task-interfaces.ts';
import { createVpc } from './vpcs.ts';

const scope: Scope = { account: '123456789012', region: 'us-east-1' };

/** A fresh store with a VPC 10.0.0.0/16 and its subnet `cidrBlock`. */
async function world(cidrBlock: string): Promise<{ env: NetworkEnv; store: SqliteStore; subnet: SubnetRecord }> {
  const store = SqliteStore.open(':memory:');
  const env: NetworkEnv = { store, clock: new ManualClock(), ids: randomIds };
  await ensureDefaultVpc(store, scope, 0);
  const vpc = await createVpc(env, scope, { cidrBlock: '10.0.0.0/16', tags: [] });
  const subnet = await createSubnet(env, scope, { vpcId: vpc.vpcId, cidrBlock, tags: [] });
  return { env, store, subnet };
}

/** Stages one interface for task `n` in `subnet`. */
const stage = (tx: Tx, subnet: SubnetRecord, n: number) => stageTaskInterface(tx, scope, {
  subnet, groupIds: ['sg-0123456789abcdef0'], assignPublicIp: false, taskArn: `arn:aws:ecs:us-east-1:123456789012:task/c/${n}`,
  attachmentId: randomIds.uuid(), random: randomIds.hex32(), now: 0,
});

const stored = async (store: SqliteStore) => (await listDocs<NetworkInterfaceRecord>(store, keys.interfaces(scope))).map((d) => d.value);
const holds = async (store: SqliteStore, subnetId: string) =>
  (await listDocs<{ networkInterfaceId: string; ip: string }>(store, keys.addresses(scope, subnetId))).map((d) => ({ key: d.key.split('/').pop()!, ...d.value }));

describe('task interfaces', () => {
  it('takes the lowest free address, skipping the network address, the three reserved and the broadcast', async () => {
    const { store, subnet } = await world('10.0.1.0/28');
    const ips: string[] = [];
    for (let n = 0; n < 11; n++) ips.push((await transact(store, (tx) => stage(tx, subnet, n)))!.privateIpAddress);
    assert.deepEqual(ips, Array.from({ length: 11 }, (_, i) => `10.0.1.${4 + i}`));
    assert.equal(await transact(store, (tx) => stage(tx, subnet, 99)), undefined, 'a full subnet has no address to give');
    const [first] = await stored(store);
    assert.equal(first!.prefixLength, 28);
    await store.close();
  });

  it('releasing frees the address for the next interface; releasing again changes nothing', async () => {
    const { store, subnet } = await world('10.0.1.0/24');
    const a = (await transact(store, (tx) => stage(tx, subnet, 1)))!;
    const b = (await transact(store, (tx) => stage(tx, subnet, 2)))!;
    await transact(store, (tx) => stageReleaseInterface(tx, scope, a.networkInterfaceId));
    const revision = await store.revision();
    await transact(store, (tx) => stageReleaseInterface(tx, scope, a.networkInterfaceId));
    assert.equal(await store.revision(), revision, 'a release of an interface already gone writes nothing');
    assert.deepEqual((await holds(store, subnet.subnetId)).map((h) => h.key), [b.privateIpAddress]);
    const c = (await transact(store, (tx) => stage(tx, subnet, 3)))!;
    assert.equal(c.privateIpAddress, a.privateIpAddress);
    assert.equal(await getDoc(store, keys.networkInterface(scope, a.networkInterfaceId)), undefined);
    await store.close();
  });

  it('a release does not free an address that another interface holds now', async () => {
    const { store, subnet } = await world('10.0.1.0/24');
    const a = (await transact(store, (tx) => stage(tx, subnet, 1)))!;
    // The address key rewritten as if a later interface held it (a stale interface record left behind).
    await store.txn([], [{ type: 'put', key: keys.address(scope, subnet.subnetId, a.privateIpAddress), value: JSON.stringify({ networkInterfaceId: 'eni-other', ip: a.privateIpAddress }) }]);
    await transact(store, (tx) => stageReleaseInterface(tx, scope, a.networkInterfaceId));
    assert.deepEqual(await holds(store, subnet.subnetId), [{ key: a.privateIpAddress, networkInterfaceId: 'eni-other', ip: a.privateIpAddress }]);
    await store.close();
  });

  it('property: racing launches and releases never give two interfaces one address', async () => {
    class SubnetFull extends Error {}
    const racer = fc.record({
      take: fc.integer({ min: 1, max: 4 }),
      /** Which existing interface it releases first, if any. */
      releases: fc.option(fc.nat({ max: 5 }), { nil: undefined }),
      /** How many turns of the event loop it lets pass before each step. */
      pauses: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 5, maxLength: 5 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('10.0.1.0/28', '10.0.1.0/27'), fc.integer({ min: 0, max: 6 }), fc.array(racer, { minLength: 2, maxLength: 8 }), fc.boolean(),
        async (cidrBlock, existing, racers, withReleases) => {
          const { store, subnet } = await world(cidrBlock);
          try {
            const before: NetworkInterfaceRecord[] = [];
            for (let n = 0; n < existing; n++) before.push((await transact(store, (tx) => stage(tx, subnet, n)))!);
            const releaseOf = (r: (typeof racers)[number]) => (withReleases && r.releases !== undefined && before.length ? before[r.releases % before.length] : undefined);
            const pause = async (turns: number) => {
              for (let i = 0; i < turns; i++) await new Promise((resolve) => setImmediate(resolve));
            };
            const outcomes = await Promise.allSettled(racers.map((r, i) => transact(store, async (tx) => {
              await pause(r.pauses[0]!);
              const released = releaseOf(r);
              if (released) await stageReleaseInterface(tx, scope, released.networkInterfaceId);
              const made: NetworkInterfaceRecord[] = [];
              for (let k = 0; k < r.take; k++) {
                await pause(r.pauses[k + 1]!);
                const eni = await stage(tx, subnet, 100 * (i + 1) + k);
                if (!eni) throw new SubnetFull();
                made.push(eni);
              }
              return made;
            })));

            for (const o of outcomes) if (o.status === 'rejected') assert.ok(o.reason instanceof SubnetFull, `only a full subnet refuses: ${String(o.reason)}`);
            const enis = await stored(store);
            const ips = enis.map((e) => e.privateIpAddress);
            assert.equal(new Set(ips).size, ips.length, `one address, one interface: ${ips.join(', ')}`);

            const cidr = parseCidr(cidrBlock)!;
            const last = cidr.base + 2 ** (32 - cidr.prefix) - 1;
            for (const ip of ips) assert.ok(parseIp(ip)! >= cidr.base + 4 && parseIp(ip)! < last, `${ip} is assignable in ${cidrBlock}`);

            const held = await holds(store, subnet.subnetId);
            assert.deepEqual(
              held.map((h) => `${h.key} ${h.ip} ${h.networkInterfaceId}`).sort(),
              enis.map((e) => `${e.privateIpAddress} ${e.privateIpAddress} ${e.networkInterfaceId}`).sort(),
              'every address key holds its interface, and every interface its address key',
            );

            const committed = racers.flatMap((r, i) => (outcomes[i]!.status === 'fulfilled' ? [r] : []));
            const made = outcomes.flatMap((o) => (o.status === 'fulfilled' ? o.value : []));
            const released = new Set(committed.map(releaseOf).filter((e) => e !== undefined).map((e) => e!.networkInterfaceId));
            assert.deepEqual(
              enis.map((e) => e.networkInterfaceId).sort(),
              [...before.filter((e) => !released.has(e.networkInterfaceId)), ...made].map((e) => e.networkInterfaceId).sort(),
              'exactly the interfaces the committed transactions made, and those none released',
            );

            if (!withReleases) {
              const free = assignableCount(cidr) - enis.length;
              racers.forEach((r, i) => {
                if (outcomes[i]!.status === 'rejected') assert.ok(free < r.take, `refused ${r.take} with ${free} free at the end`);
              });
            }
          } finally {
            await store.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
