/**
 * Registering an agent's host as container instances, as ECS's RegisterContainerInstance does
 * for its agent: which clusters a `hello` joins, what its principal must be allowed there, and
 * the one transaction that writes the instances and the agent-instance keys binding them to
 * the agent (`identity.ts`). Also the start-up pass that marks every instance disconnected,
 * which reads stored records without trusting them.
 *
 *   hello ──▶ clusters (its own, or every one for the account root's follow-all agent)
 *         ──▶ IAM: ecs:RegisterContainerInstance + ecs:SubmitTaskStateChange on each cluster,
 *                  ecs:CreateCluster for a missing `default`, ecs:Poll on each instance
 *         ──▶ one transaction: instances + agent-instance keys (checked against the identity)
 */
import {
  accessDenied, authorizationGlobals, authorizeRequest, ecsModel, isRegion, type Authority,
} from '../aws/index.ts';
import type { Clock, Ids } from '../common/index.ts';
import {
  FARGATE_POOL, NAME_PATTERN, arns, effectiveSetting, ensureFargatePool, settingPrincipalOf, trunkedEnis, isInternalCluster, isAgentAttribute, keys, newCluster, newContainerInstance, parseArn,
  untakenApiInstance, type AutoScalingGroupsPort, type ClusterRecord, type ContainerInstanceRecord, type Resources, type Scope,
} from '../ecs/index.ts';
import { transact, type Store, type Tx } from '../state/index.ts';
import type { LinkPeer } from './handshake.ts';
import { checkRef, decodeAgentInstanceRef, type AgentIdentity, type AgentInstanceRef } from './identity.ts';
import type { Hello } from './messages.ts';
import type { InstanceChangeHook } from './reports.ts';

/** A registration refused for a reason the agent is told (`error` with this code), not a failure. */
export class RegistrationRefused extends Error {
  constructor(readonly code: 'ClusterNotFound' | 'InvalidHello' | 'AccessDenied', message: string) {
    super(message);
  }
}

/** One cluster an agent joins. */
export interface ClusterRef {
  scope: Scope;
  name: string;
}

/** What registration works with. */
export interface RegistrationDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  authority: Authority;
  /** Where the root's follow-all agent lands when there is no cluster yet. */
  defaultScope: Scope;
  /** This replica's presence id, written on the instances its links hold. */
  replica: string;
  log: (message: string) => void;
  /** Stages what follows from an instance's change in the transaction that writes it (ECS's events on EventBridge). */
  onInstanceChanged?: InstanceChangeHook;
  /** EC2 Auto Scaling groups: an instance a group launched registers with its capacity provider. */
  autoScalingGroups?: AutoScalingGroupsPort;
}

/** Instances updated per transaction when a starting control plane marks them disconnected. */
const START_BATCH = 200;

/** The account and region of an ECS ARN, or undefined when it is not one Wharf could have made. */
export function scopeOfArn(arn: unknown): Scope | undefined {
  if (typeof arn !== 'string') return undefined;
  const parsed = parseArn(arn);
  return parsed && isRegion(parsed.region) ? { account: parsed.account, region: parsed.region } : undefined;
}

/** A stored cluster, or undefined when it cannot be read (a bad record is skipped, never trusted). */
export function decodeCluster(value: string): (ClusterRecord & { scope: Scope }) | undefined {
  try {
    const c = JSON.parse(value) as Partial<ClusterRecord>;
    const scope = scopeOfArn(c?.arn);
    if (!scope || typeof c.name !== 'string' || !(NAME_PATTERN.test(c.name) || c.name === FARGATE_POOL) || (c.status !== 'ACTIVE' && c.status !== 'INACTIVE')) return undefined;
    return { ...(c as ClusterRecord), scope };
  } catch {
    return undefined;
  }
}

/** A stored container instance, or undefined when it cannot be read. */
function decodeInstance(value: string): ContainerInstanceRecord | undefined {
  try {
    const i = JSON.parse(value) as Partial<ContainerInstanceRecord>;
    if (!scopeOfArn(i?.arn) || typeof i.id !== 'string' || typeof i.clusterName !== 'string' || typeof i.version !== 'number') return undefined;
    return i as ContainerInstanceRecord;
  } catch {
    return undefined;
  }
}

/** Reads a key in a transaction; a value that is not JSON reads as absent (and is overwritten, never trusted). */
async function tolerantGet<T>(tx: Tx, key: string): Promise<T | undefined> {
  try {
    return await tx.get<T>(key);
  } catch {
    return undefined;
  }
}

/** Registers agents in their clusters and keeps their instances' agentConnected. */
export class Registrar {
  constructor(private readonly d: RegistrationDeps) {}

  /** The clusters a hello joins, each ACTIVE (a missing `default` is created, as the ECS agent does). */
  async targetClusters(hello: Hello, peer: LinkPeer): Promise<ClusterRef[]> {
    const { principal } = peer;
    if (hello.followAllClusters) {
      if (principal.kind !== 'root') throw new RegistrationRefused('AccessDenied', 'Only the account root may register an agent in every cluster (followAllClusters).');
      const all = await this.activeClusters(principal.account);
      // The Fargate pool is Wharf's, not a cluster of the user's: without one of those, `default` is made.
      if (all.some((c) => !isInternalCluster(c.name))) return all;
      const scope = { account: principal.account, region: this.d.defaultScope.region };
      await this.ensureDefault(scope, peer);
      return [...all, { scope, name: 'default' }];
    }
    if (hello.account !== undefined && hello.account !== principal.account) {
      throw new RegistrationRefused('AccessDenied', `An agent registers in its principal's account (${principal.account}), not ${hello.account}.`);
    }
    if (hello.region !== undefined && hello.region !== peer.region) {
      throw new RegistrationRefused('InvalidHello', `hello.region ${hello.region} is not the region the link's signature is scoped to (${peer.region}).`);
    }
    const scope = { account: principal.account, region: peer.region };
    const ref = hello.cluster ?? 'default';
    let name = ref;
    if (ref.startsWith('arn:')) {
      const arn = parseArn(ref);
      if (!arn || arn.account !== scope.account || arn.region !== scope.region) {
        throw new RegistrationRefused('InvalidHello', `hello.cluster ${ref} is not a cluster of account ${scope.account} in ${scope.region}.`);
      }
      name = arn.resource.join('/');
    }
    const existing = await this.d.store.get(keys.cluster(scope, name));
    if (!existing || decodeCluster(existing.value)?.status !== 'ACTIVE') {
      // The Fargate pool is made for the first host that offers itself to it.
      if (name === FARGATE_POOL) await ensureFargatePool(this.d.store, scope, this.d.clock.now());
      else if (name !== 'default') throw new RegistrationRefused('ClusterNotFound', `Cluster not found: ${name}.`);
      else await this.ensureDefault(scope, peer);
    }
    return [{ scope, name }];
  }

  /**
   * Registers (or re-registers) the agent in `clusters`, all in one transaction, after IAM
   * allowed its principal each action there. Throws AccessDenied (AwsError), RegistrationRefused
   * and AgentIdentityRefused; nothing is written then.
   */
  async register(clusters: ClusterRef[], hello: Hello, peer: LinkPeer, identity: AgentIdentity): Promise<ContainerInstanceRecord[]> {
    for (const { scope, name } of clusters) {
      const clusterArn = arns.cluster(scope, name);
      await this.authorize(peer, scope, 'ecs:RegisterContainerInstance', clusterArn);
      await this.authorize(peer, scope, 'ecs:SubmitTaskStateChange', clusterArn);
    }
    return transact(this.d.store, async (tx) => {
      const out: ContainerInstanceRecord[] = [];
      for (const cluster of clusters) out.push(await this.stageInstance(tx, cluster, hello, peer, identity));
      return out;
    });
  }

  private async stageInstance(tx: Tx, { scope, name }: ClusterRef, hello: Hello, peer: LinkPeer, identity: AgentIdentity): Promise<ContainerInstanceRecord> {
    const cluster = await tolerantGet<ClusterRecord>(tx, keys.cluster(scope, name));
    if (!cluster || cluster.status !== 'ACTIVE') throw new RegistrationRefused('ClusterNotFound', `Cluster not found: ${name}.`);
    const refKey = keys.agentInstance(hello.agentId, scope, name);
    const stored = await tolerantGet<unknown>(tx, refKey);
    const ref = decodeAgentInstanceRef(stored);
    const bound = checkRef(ref, identity) === 'bound';
    // A key with its principal but no secret: the secret issued for it never reached the agent (`unbind`).
    const undelivered = !bound && ref?.principal !== undefined && ref.principal === identity.principal;
    const own = bound || undelivered ? await this.usableInstance(tx, scope, name, ref!, hello.agentId) : undefined;
    // A new agent on an EC2 instance registered through the API (RegisterContainerInstance) takes that container instance.
    const taken = !own && !ref ? await untakenApiInstance(tx, scope, name, hello.ec2InstanceId) : undefined;
    const existing = own ?? taken;
    if (ref && !bound && !undelivered) {
      this.d.log(`agent link: agent ${hello.agentId} has no secret bound in cluster ${name} (registered before agent secrets, or by another principal before its secret was delivered): it registers as a new container instance; ${ref.instanceId} stays disconnected`);
    }
    const id = existing?.id ?? this.d.ids.hex32();
    const arn = arns.containerInstance(scope, name, id);
    await this.authorize(peer, scope, 'ecs:Poll', arn);
    const now = this.d.clock.now();
    const agentAttributes = hello.attributes.map((a) => ({ name: a.name, value: a.value }));
    // ENI trunking is decided when an instance is first registered, by the registering principal's awsvpcTrunking setting
    // (ECS: newly launched instances); Fargate has none.
    const trunking = hello.eniLimit !== undefined && name !== FARGATE_POOL && (own
      ? (own.registeredResources.enis ?? 0) > hello.eniLimit
      : (await effectiveSetting(tx, scope, settingPrincipalOf(peer.principal.arn), 'awsvpcTrunking')) === 'enabled');
    const registered: Resources = {
      cpu: hello.cpu, memory: hello.memory, ports: [...hello.reservedPorts], portsUdp: [],
      ...(hello.gpus?.length ? { gpus: [...hello.gpus] } : {}),
      ...(hello.eniLimit !== undefined ? { enis: trunkedEnis(hello.eniLimit, trunking) } : {}),
    };
    const refValue: AgentInstanceRef = { instanceId: id, principal: identity.principal, secretHash: identity.secretHash };
    if (!existing || !bound) tx.put(refKey, refValue);
    if (existing) {
      const custom = existing.attributes.filter((a) => !agentAttributes.some((b) => b.name === a.name) && !isAgentAttribute(a.name));
      const used = { cpu: existing.registeredResources.cpu - existing.remainingResources.cpu, memory: existing.registeredResources.memory - existing.remainingResources.memory };
      const updated: ContainerInstanceRecord = {
        ...existing,
        agentId: hello.agentId,
        agentConnected: true,
        disconnectedAt: undefined,
        linkedBy: this.d.replica,
        lastHeartbeatAt: now,
        attributes: [...agentAttributes, ...custom],
        versionInfo: hello.versionInfo,
        registeredResources: registered,
        remainingResources: { ...existing.remainingResources, cpu: registered.cpu - used.cpu, memory: registered.memory - used.memory },
        version: existing.version + 1,
      };
      tx.put(keys.instance(scope, name, existing.id), updated);
      await this.d.onInstanceChanged?.(tx, updated, now);
      return updated;
    }
    const created: ContainerInstanceRecord = {
      ...(await newContainerInstance(tx, this.d.autoScalingGroups, scope, cluster, {
        id, ec2InstanceId: hello.ec2InstanceId, resources: registered, attributes: agentAttributes, tags: [], versionInfo: hello.versionInfo, now,
      })),
      agentId: hello.agentId,
      autoAttached: hello.followAllClusters === true,
      agentConnected: true,
      linkedBy: this.d.replica,
      lastHeartbeatAt: now,
    };
    tx.put(keys.instance(scope, name, id), created);
    await this.d.onInstanceChanged?.(tx, created, now);
    return created;
  }

  /**
   * The link closed before the agent was sent the secret just issued to it: its keys keep the
   * instance and the principal but not the secret, so the agent, saying hello again without
   * one, gets a new secret for the same instances (only from the same principal).
   */
  async unbind(clusters: ClusterRef[], agentId: string, secretHash: string): Promise<void> {
    await transact(this.d.store, async (tx) => {
      for (const { scope, name } of clusters) {
        const key = keys.agentInstance(agentId, scope, name);
        const ref = decodeAgentInstanceRef(await tolerantGet<unknown>(tx, key));
        if (ref?.secretHash === secretHash) tx.put<AgentInstanceRef>(key, { instanceId: ref.instanceId, ...(ref.principal !== undefined && { principal: ref.principal }) });
      }
    });
  }

  /** The instance an agent-instance key points at, if it is still the agent's and not deregistered. */
  private async usableInstance(tx: Tx, scope: Scope, cluster: string, ref: AgentInstanceRef, agentId: string): Promise<ContainerInstanceRecord | undefined> {
    const instance = await tolerantGet<ContainerInstanceRecord>(tx, keys.instance(scope, cluster, ref.instanceId));
    const readable = instance && typeof instance.version === 'number' && instance.registeredResources && instance.remainingResources && Array.isArray(instance.attributes);
    return readable && instance.agentId === agentId && instance.status !== 'INACTIVE' ? instance : undefined;
  }

  /** Every ACTIVE cluster of `account`, skipping (and reporting) records that cannot be read. */
  async activeClusters(account: string): Promise<ClusterRef[]> {
    const out: ClusterRef[] = [];
    await this.eachRecord(keys.allClusters, 'cluster', decodeCluster, (c) => {
      if (c.status === 'ACTIVE' && c.scope.account === account) out.push({ scope: c.scope, name: c.name });
    });
    return out;
  }

  /** Creates `default` in `scope` unless it is ACTIVE, as the ECS agent does (the principal needs ecs:CreateCluster). */
  private async ensureDefault(scope: Scope, peer: LinkPeer): Promise<void> {
    await this.authorize(peer, scope, 'ecs:CreateCluster', '*');
    await transact(this.d.store, async (tx) => {
      const key = keys.cluster(scope, 'default');
      const existing = await tolerantGet<ClusterRecord>(tx, key);
      if (existing?.status === 'ACTIVE') return;
      tx.put(key, { ...newCluster(scope, 'default', this.d.clock.now()), tags: Array.isArray(existing?.tags) ? existing.tags : [] });
    });
  }

  /** IAM's decision for the link's principal, as the API would make it for a request in `scope`'s region. */
  private async authorize(peer: LinkPeer, scope: Scope, action: string, resource: string): Promise<void> {
    const now = this.d.clock.now();
    if (peer.principal.account !== scope.account) throw accessDenied(ecsModel, `${peer.principal.arn} may not act in account ${scope.account}.`);
    await authorizeRequest(this.d.authority, ecsModel, peer.principal, { action, resource }, authorizationGlobals(peer, scope.region, now));
  }

  /**
   * No agent is connected to a process that just started: clears what a previous run left, a
   * batch of instances per transaction. A record that cannot be read is reported and skipped:
   * one bad record never keeps the control plane from starting.
   */
  async markAllDisconnected(): Promise<void> {
    // Loss of an instance counts from now at the earliest: its agent had no chance to reconnect yet.
    await this.markDisconnected(this.d.store, (i) => i.agentConnected || i.disconnectedAt === undefined);
  }

  private async markDisconnected(store: Store, stale: (i: ContainerInstanceRecord) => boolean): Promise<void> {
    const keysToMark: string[] = [];
    await this.eachRecord(keys.allInstances, 'container instance', decodeInstance, (i, key) => {
      if (stale(i)) keysToMark.push(key);
    });
    await this.markKeysDisconnected(store, keysToMark, stale);
  }

  /** Marks the instances at `keysToMark` disconnected, each only if it is still `stale` as stored. */
  async markKeysDisconnected(store: Store, keysToMark: readonly string[], stale: (i: ContainerInstanceRecord) => boolean): Promise<void> {
    for (let i = 0; i < keysToMark.length; i += START_BATCH) {
      const batch = keysToMark.slice(i, i + START_BATCH);
      await transact(store, async (tx) => {
        const now = this.d.clock.now();
        for (const key of batch) {
          const instance = await tolerantGet<ContainerInstanceRecord>(tx, key);
          if (!instance || typeof instance.version !== 'number' || !stale(instance)) continue;
          const updated: ContainerInstanceRecord = { ...instance, agentConnected: false, disconnectedAt: now, version: instance.version + 1 };
          tx.put(key, updated);
          await this.d.onInstanceChanged?.(tx, updated, now);
        }
      });
    }
  }

  /**
   * Sets an instance's agentConnected (and disconnectedAt), unless it already says so, or (when
   * disconnecting) another replica's link holds it now.
   */
  async setConnected(key: string, connected: boolean): Promise<void> {
    await transact(this.d.store, async (tx) => {
      const instance = await tolerantGet<ContainerInstanceRecord>(tx, key);
      if (!instance || typeof instance.version !== 'number' || instance.agentConnected === connected) return;
      if (!connected && instance.linkedBy !== undefined && instance.linkedBy !== this.d.replica) return;
      const now = this.d.clock.now();
      const updated: ContainerInstanceRecord = { ...instance, agentConnected: connected, disconnectedAt: connected ? undefined : now, version: instance.version + 1 };
      tx.put(key, updated);
      await this.d.onInstanceChanged?.(tx, updated, now);
    });
  }

  /** Reads every record under `prefix` a page at a time; each one `decode` rejects is reported and skipped. */
  private async eachRecord<T>(prefix: string, what: string, decode: (value: string) => T | undefined, visit: (record: T, key: string) => void): Promise<void> {
    let startAfter: string | undefined;
    for (;;) {
      const page = await this.d.store.range(prefix, { startAfter, limit: 1000 });
      for (const kv of page.kvs) {
        const record = decode(kv.value);
        if (record === undefined) this.d.log(`agent link: skipped ${what} record ${kv.key}: it cannot be read (bad JSON, fields or ARN)`);
        else visit(record, kv.key);
      }
      if (!page.more || page.kvs.length === 0) return;
      startAfter = page.kvs[page.kvs.length - 1].key;
    }
  }
}
