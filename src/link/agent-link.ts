/**
 * The control plane's end of the agent link (`/_wharf/agent`): registers an agent's host as
 * container instances, tells it the tasks it should run, and records what it reports.
 *
 *   agent ──hello──────────────▶ register instance(s) ──▶ store
 *         ◀─registered / tasks──  complete task set, then one upsert per task change (watch)
 *         ──taskStateChange────▶ stageTaskReport ──▶ store (reports share commits)
 *         ──heartbeat──────────▶ keeps the link; silence for 3 intervals closes it
 *
 * A closed link marks the agent's instances disconnected (agentConnected false).
 *
 * Built for 10,000 agents and 100,000 tasks per control plane: nothing an agent does costs
 * work in proportion to the cluster. A `hello` finds the agent's instance through the
 * agent-instance key written with it (`keys.agentInstance`), not by listing the cluster; the
 * complete task set comes from an in-memory index of each instance's tasks (the ECS
 * domain's `InstanceTaskIndex`, fed by the store's watch), read back from the store task by
 * task; a task change is decoded once and goes to the one link that holds its instance, and only
 * when it changes what the agent is told; agents' reports that arrive together are applied in
 * one transaction (a task's lifecycle is otherwise four commits of its own).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AgentMessage, Clock, DesiredTask, Ids, ServerMessage, TaskStateChange } from '../common/index.ts';
import {
  InstanceTaskIndex, arns, isAgentAttribute, keys, newCluster, parseArn, stageTaskReport,
  type ClusterRecord, type ContainerInstanceRecord, type Resources, type Scope, type TaskRecord,
} from '../ecs/index.ts';
import { listDocs, transact, type Store, type Tx, type WatchEvent } from '../state/index.ts';

type Hello = Extract<AgentMessage, { type: 'hello' }>;

/** A task change waiting for a complete set to go out first. */
interface Queued {
  revision: number;
  task: TaskRecord;
}

/** One connected agent. */
interface Link {
  ws: WebSocket;
  hello?: Hello;
  /** The agent's container instances: id → store key. */
  instanceKeys: Map<string, string>;
  instanceIds: Set<string>;
  lastSeen: number;
  /** While a complete task set is being sent, task changes wait here. */
  pending?: Queued[];
  /** Changes up to this revision are in the complete set the agent was sent. */
  syncedRevision: number;
  closed: boolean;
}

/** The document at `keys.agentInstance`. */
interface AgentInstanceRef {
  instanceId: string;
}

/** Instances updated per transaction when a starting control plane marks them disconnected. */
const START_BATCH = 200;
/** Agent reports applied per transaction, at most. */
const REPORT_BATCH = 256;

/** What the agent link server is given: the store, time, ids, where agents land, registry credentials. */
export interface AgentLinkOptions {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Where an agent that names no cluster registers, and where `default` is created. */
  defaultScope: Scope;
  /** Registry credentials for a task's account and region, sent with each task to run. */
  registryAuth?: RegistryAuthSource;
  /** Agents heartbeat this often; a link silent for 3 intervals is closed. */
  heartbeatMs?: number;
  log?: (message: string) => void;
}

/** Gives the registry credentials for an account and region (user `AWS` and a registry token). */
export type RegistryAuthSource = (scope: Scope) => { username: string; password: string };

/** The per-task message an agent gets for a stored task. */
export function desiredTaskOf(t: TaskRecord, registryAuth?: RegistryAuthSource): DesiredTask {
  return {
    ...(registryAuth && t.desiredStatus === 'RUNNING' ? { registryAuth: registryAuth(scopeOfArn(t.arn)) } : {}),
    taskArn: t.arn,
    clusterArn: t.clusterArn,
    containerInstanceArn: t.containerInstanceArn!,
    desiredStatus: t.desiredStatus,
    spec: t.spec,
    containerArns: Object.fromEntries(t.containers.map((c) => [c.name, c.containerArn])),
    stopCode: t.desiredStatus === 'STOPPED' ? t.stopCode : undefined,
    stoppedReason: t.desiredStatus === 'STOPPED' ? t.stoppedReason : undefined,
  };
}

/** Serves agent links on an HTTP server's upgrade requests. */
export class AgentLinkServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 });
  private readonly links = new Set<Link>();
  /** The link that holds each registered instance (the latest, when an agent reconnects). */
  private readonly linkOf = new Map<string, Link>();
  private readonly tasks: InstanceTaskIndex;
  private readonly unwatch: Array<() => void> = [];
  private readonly sweep: NodeJS.Timeout;
  private readonly heartbeatMs: number;
  /** Set by close(): links closing now leave their instances for the next start to mark. */
  private closing = false;
  /** Agent reports waiting for the next shared commit, in arrival order. */
  private readonly reports: Array<{ change: TaskStateChange; from: ReadonlySet<string> }> = [];
  private flushing = false;

  constructor(private readonly o: AgentLinkOptions) {
    this.heartbeatMs = o.heartbeatMs ?? 10_000;
    // The watch first, then the index's initial listing, so no change falls between them.
    this.unwatch.push(o.store.watch(keys.allTasks, (e) => this.onTaskEvent(e)));
    this.tasks = new InstanceTaskIndex(o.store, keys.allTasks);
    this.unwatch.push(o.store.watch(keys.allClusters, (e) => this.onClusterEvent(e)));
    this.sweep = setInterval(() => this.closeSilent(), this.heartbeatMs);
    this.sweep.unref();
  }

  /**
   * No agent is connected to a process that just started: clear what a previous run left (a
   * batch of instances per transaction). Also writes the agent-instance key of any instance
   * registered before that key existed, so its agent comes back as the same instance.
   */
  async markAllDisconnected(): Promise<void> {
    const docs = await listDocs<ContainerInstanceRecord>(this.o.store, keys.allInstances);
    for (let i = 0; i < docs.length; i += START_BATCH) {
      const batch = docs.slice(i, i + START_BATCH);
      await transact(this.o.store, async (tx) => {
        for (const { key } of batch) {
          const instance = await tx.get<ContainerInstanceRecord>(key);
          if (!instance) continue;
          // Loss of an instance counts from now at the earliest: its agent had no chance to reconnect yet.
          if (instance.agentConnected || instance.disconnectedAt === undefined) {
            tx.put(key, { ...instance, agentConnected: false, disconnectedAt: this.o.clock.now(), version: instance.version + 1 });
          }
          if (instance.status === 'INACTIVE') continue;
          const scope = scopeOfArn(instance.arn);
          const refKey = keys.agentInstance(instance.agentId, scope, instance.clusterName);
          const ref = await tx.get<AgentInstanceRef>(refKey);
          if (ref && (await this.usableInstance(tx, scope, instance.clusterName, ref, instance.agentId))) continue;
          tx.put(refKey, { instanceId: instance.id });
        }
      });
    }
  }

  /** The upgrade handler to mount at AGENT_LINK_PATH. */
  handleUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws));
  };

  /** After the store was wiped (dev reset): register every agent again and resend its tasks. */
  async resync(): Promise<void> {
    await Promise.all([...this.links].filter((l) => l.hello).map((l) => this.register(l, l.hello!)));
  }

  /** Closes every link (agents reconnect to the next server) and stops watching. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweep);
    for (const u of this.unwatch) u();
    for (const l of this.links) l.ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    const link: Link = { ws, instanceKeys: new Map(), instanceIds: new Set(), lastSeen: this.o.clock.now(), syncedRevision: 0, closed: false };
    this.links.add(link);
    ws.on('message', (data) => {
      link.lastSeen = this.o.clock.now();
      let message: AgentMessage;
      try {
        message = JSON.parse(String(data)) as AgentMessage;
      } catch {
        this.send(link, { type: 'error', message: 'Messages must be JSON.' });
        return;
      }
      this.onMessage(link, message).catch((error: unknown) => {
        this.o.log?.(`agent link: ${error instanceof Error ? error.message : String(error)}`);
        this.send(link, { type: 'error', message: error instanceof Error ? error.message : 'failed' });
      });
    });
    ws.on('close', () => {
      link.closed = true;
      this.links.delete(link);
      this.release(link, link.instanceKeys);
    });
    ws.on('error', () => ws.terminate());
  }

  private async onMessage(link: Link, message: AgentMessage): Promise<void> {
    switch (message?.type) {
      case 'hello':
        if (typeof message.agentId !== 'string' || !message.agentId) throw new Error('hello needs an agentId.');
        link.hello = message;
        return this.register(link, message);
      case 'heartbeat':
        return;
      case 'taskStateChange':
        this.report(message.change, link.instanceIds);
        return;
      default:
        this.send(link, { type: 'error', message: 'Unknown message type.' });
    }
  }

  /**
   * Queues an agent's report for the next commit. Reports are level-based (a lost one is sent
   * again after the agent's next registration), so they need no answer.
   */
  private report(change: TaskStateChange, from: ReadonlySet<string>): void {
    this.reports.push({ change, from });
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => void this.flushReports());
  }

  /** Applies queued reports, up to REPORT_BATCH per transaction, in arrival order. */
  private async flushReports(): Promise<void> {
    try {
      while (this.reports.length && !this.closing) {
        const batch = this.reports.splice(0, REPORT_BATCH);
        await transact(this.o.store, async (tx) => {
          const now = this.o.clock.now();
          for (const r of batch) await stageTaskReport(tx, now, r.change, r.from);
        }).catch((error: unknown) => this.o.log?.(`agent link: ${batch.length} task report(s) not applied: ${error instanceof Error ? error.message : String(error)}`));
      }
    } finally {
      this.flushing = false;
    }
  }

  /** Registers (or re-registers) the agent in its cluster(s), then sends its complete task set. */
  private async register(link: Link, hello: Hello): Promise<void> {
    const clusters = await this.targetClusters(hello);
    const registered: ContainerInstanceRecord[] = [];
    for (const cluster of clusters) registered.push(await this.registerIn(cluster, hello));
    const held = new Map(registered.map((i) => [i.id, keys.instance(scopeOfArn(i.arn), i.clusterName, i.id)]));
    if (link.closed) {
      // The agent went away while it was being registered: it is not connected.
      this.release(link, held);
      return;
    }
    const dropped = new Map([...link.instanceKeys].filter(([id]) => !held.has(id)));
    this.release(link, dropped);
    link.instanceKeys = held;
    link.instanceIds = new Set(held.keys());
    for (const id of held.keys()) this.linkOf.set(id, link);
    this.send(link, { type: 'registered', containerInstanceArns: registered.map((i) => i.arn) });
    await this.sendComplete(link);
  }

  /**
   * A link no longer holds `instances`: each that no other link took over meanwhile (an agent
   * that reconnected) is marked disconnected.
   */
  private release(link: Link, instances: ReadonlyMap<string, string>): void {
    for (const [id, key] of instances) {
      const holder = this.linkOf.get(id);
      if (holder && holder !== link) continue;
      this.linkOf.delete(id);
      if (this.closing) continue;
      this.setConnected(key, false).catch((error: unknown) => this.o.log?.(`agent link: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private async targetClusters(hello: Hello): Promise<Array<{ scope: Scope; name: string }>> {
    if (hello.followAllClusters) {
      const all = (await listDocs<ClusterRecord>(this.o.store, keys.allClusters)).filter((d) => d.value.status === 'ACTIVE');
      if (all.length) return all.map((d) => ({ scope: scopeOfArn(d.value.arn), name: d.value.name }));
      await this.ensureCluster(this.o.defaultScope, 'default');
      return [{ scope: this.o.defaultScope, name: 'default' }];
    }
    const scope = { account: hello.account ?? this.o.defaultScope.account, region: hello.region ?? this.o.defaultScope.region };
    const ref = hello.cluster ?? 'default';
    const name = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
    const existing = await this.o.store.get(keys.cluster(scope, name));
    const active = existing && (JSON.parse(existing.value) as ClusterRecord).status === 'ACTIVE';
    if (!active) {
      if (name !== 'default') throw new Error(`Cluster not found: ${name}.`);
      await this.ensureCluster(scope, name);
    }
    return [{ scope, name }];
  }

  /** Creates a cluster unless it is ACTIVE already, as the ECS agent does for `default`. */
  private async ensureCluster(scope: Scope, name: string): Promise<void> {
    await transact(this.o.store, async (tx) => {
      const key = keys.cluster(scope, name);
      const existing = await tx.get<ClusterRecord>(key);
      if (existing?.status === 'ACTIVE') return;
      tx.put(key, { ...newCluster(scope, name, this.o.clock.now()), tags: existing?.tags ?? [] });
    });
  }

  private registerIn(cluster: { scope: Scope; name: string }, hello: Hello): Promise<ContainerInstanceRecord> {
    const { scope, name } = cluster;
    return transact(this.o.store, async (tx) => {
      const clusterRecord = await tx.get<ClusterRecord>(keys.cluster(scope, name));
      if (!clusterRecord || clusterRecord.status !== 'ACTIVE') throw new Error(`Cluster not found: ${name}.`);
      const refKey = keys.agentInstance(hello.agentId, scope, name);
      const ref = await tx.get<AgentInstanceRef>(refKey);
      const existing = ref && (await this.usableInstance(tx, scope, name, ref, hello.agentId));
      const now = this.o.clock.now();
      const agentAttributes = hello.attributes.map((a) => ({ name: a.name, value: a.value }));
      const registered: Resources = {
        cpu: hello.cpu, memory: hello.memory, ports: [...hello.reservedPorts], portsUdp: [],
        ...(hello.gpus?.length ? { gpus: [...hello.gpus] } : {}),
        ...(hello.eniLimit !== undefined ? { enis: hello.eniLimit } : {}),
      };
      if (existing) {
        const custom = existing.attributes.filter((a) => !agentAttributes.some((b) => b.name === a.name) && !isAgentAttribute(a.name));
        const used = { cpu: existing.registeredResources.cpu - existing.remainingResources.cpu, memory: existing.registeredResources.memory - existing.remainingResources.memory };
        const updated: ContainerInstanceRecord = {
          ...existing,
          agentConnected: true,
          disconnectedAt: undefined,
          lastHeartbeatAt: now,
          attributes: [...agentAttributes, ...custom],
          versionInfo: hello.versionInfo,
          registeredResources: registered,
          remainingResources: { ...existing.remainingResources, cpu: registered.cpu - used.cpu, memory: registered.memory - used.memory },
          version: existing.version + 1,
        };
        tx.put(keys.instance(scope, name, existing.id), updated);
        return updated;
      }
      const id = this.o.ids.hex32();
      const created: ContainerInstanceRecord = {
        id,
        arn: arns.containerInstance(scope, name, id),
        clusterName: name,
        clusterArn: clusterRecord.arn,
        ec2InstanceId: hello.ec2InstanceId,
        status: 'ACTIVE',
        agentId: hello.agentId,
        autoAttached: hello.followAllClusters === true,
        agentConnected: true,
        lastHeartbeatAt: now,
        registeredAt: now,
        registeredResources: registered,
        remainingResources: { ...registered, ports: [...registered.ports] },
        attributes: agentAttributes,
        tags: [],
        versionInfo: hello.versionInfo,
        version: 1,
      };
      tx.put(keys.instance(scope, name, id), created);
      tx.put<AgentInstanceRef>(refKey, { instanceId: id });
      return created;
    });
  }

  /** The instance an agent-instance key points at, if it is still the agent's and not deregistered. */
  private async usableInstance(tx: Tx, scope: Scope, cluster: string, ref: AgentInstanceRef, agentId: string): Promise<ContainerInstanceRecord | undefined> {
    const instance = await tx.get<ContainerInstanceRecord>(keys.instance(scope, cluster, ref.instanceId));
    return instance && instance.agentId === agentId && instance.status !== 'INACTIVE' ? instance : undefined;
  }

  private async setConnected(key: string, connected: boolean): Promise<void> {
    await transact(this.o.store, async (tx) => {
      const instance = await tx.get<ContainerInstanceRecord>(key);
      if (!instance || instance.agentConnected === connected) return;
      const disconnectedAt = connected ? undefined : this.o.clock.now();
      tx.put(key, { ...instance, agentConnected: connected, disconnectedAt, version: instance.version + 1 });
    });
  }

  /**
   * Sends the agent every task placed on its instances that is not yet STOPPED: the index says
   * which, the store says what each is now. Task changes meanwhile wait and follow it.
   */
  private async sendComplete(link: Link): Promise<void> {
    const queued: Queued[] = [];
    link.pending = queued;
    try {
      await this.tasks.ready;
      const revision = this.tasks.revision;
      const taskKeys = [...link.instanceIds].flatMap((id) => this.tasks.tasksOn(id));
      const desired: DesiredTask[] = [];
      for (const key of taskKeys) {
        const kv = await this.o.store.get(key);
        if (!kv) continue;
        const t = JSON.parse(kv.value) as TaskRecord;
        if (t.containerInstanceId && link.instanceIds.has(t.containerInstanceId) && t.lastStatus !== 'STOPPED') desired.push(desiredTaskOf(t, this.o.registryAuth));
      }
      this.send(link, { type: 'tasks', tasks: desired, complete: true });
      link.syncedRevision = revision;
    } finally {
      if (link.pending === queued) link.pending = undefined;
      for (const q of queued) this.forward(link, q);
    }
  }

  /** A task changed: index it, and tell the one agent that holds its instance. */
  private onTaskEvent(event: WatchEvent): void {
    const task = event.type === 'put' ? (JSON.parse(event.kv.value) as TaskRecord) : undefined;
    this.tasks.onEvent(event, task);
    const link = task?.containerInstanceId && this.linkOf.get(task.containerInstanceId);
    if (!task || !link || !desiredChanged(task, event.prevKv?.value)) return;
    const change = { revision: event.kv.modRevision, task };
    if (link.pending) link.pending.push(change);
    else this.forward(link, change);
  }

  private forward(link: Link, { revision, task }: Queued): void {
    if (revision <= link.syncedRevision) return;
    if (!task.containerInstanceId || !link.instanceIds.has(task.containerInstanceId)) return;
    if (task.lastStatus === 'STOPPED') return;
    this.send(link, { type: 'tasks', tasks: [desiredTaskOf(task, this.o.registryAuth)], complete: false });
  }

  /** A follow-all agent joins every cluster as it is created. */
  private onClusterEvent(event: WatchEvent): void {
    if (event.type === 'delete') return;
    const cluster = JSON.parse(event.kv.value) as ClusterRecord;
    const scope = scopeOfArn(cluster.arn);
    const prefix = keys.instances(scope, cluster.name);
    if (cluster.status !== 'ACTIVE') {
      // Deleted: its instances went INACTIVE with it, so no link holds them any more.
      for (const link of this.links) {
        for (const [id, key] of [...link.instanceKeys].filter(([, k]) => k.startsWith(prefix))) {
          link.instanceKeys.delete(id);
          link.instanceIds.delete(id);
          if (this.linkOf.get(id) === link) this.linkOf.delete(id);
        }
      }
      return;
    }
    if (event.prevKv && (JSON.parse(event.prevKv.value) as ClusterRecord).status === 'ACTIVE') return;
    for (const link of this.links) {
      if (!link.hello?.followAllClusters || [...link.instanceKeys.values()].some((k) => k.startsWith(prefix))) continue;
      void this.registerIn({ scope, name: cluster.name }, link.hello).then((instance) => {
        const key = keys.instance(scopeOfArn(instance.arn), instance.clusterName, instance.id);
        if (link.closed) {
          this.release(link, new Map([[instance.id, key]]));
          return;
        }
        link.instanceKeys.set(instance.id, key);
        link.instanceIds.add(instance.id);
        this.linkOf.set(instance.id, link);
        this.send(link, { type: 'registered', containerInstanceArns: [instance.arn] });
      }).catch((error: unknown) => this.o.log?.(`agent link: ${error instanceof Error ? error.message : String(error)}`));
    }
  }

  private closeSilent(): void {
    const limit = this.o.clock.now() - 3 * this.heartbeatMs;
    for (const link of this.links) if (link.lastSeen < limit) link.ws.terminate();
  }

  private send(link: Link, message: ServerMessage): void {
    if (link.ws.readyState === link.ws.OPEN) link.ws.send(JSON.stringify(message));
  }
}


/**
 * Whether a task change alters what its agent is told (a new task, a new instance, a new
 * desiredStatus). Most task writes are the agent's own reports coming back: echoing each of
 * them to the agent would add nothing it does not know, at every agent's and task's scale.
 */
function desiredChanged(task: TaskRecord, previous: string | undefined): boolean {
  if (previous === undefined) return true;
  const before = JSON.parse(previous) as TaskRecord;
  return before.desiredStatus !== task.desiredStatus || before.containerInstanceId !== task.containerInstanceId;
}

/** The account and region of an ECS ARN that Wharf itself made. */
const scopeOfArn = (arn: string): Scope => parseArn(arn)!;
