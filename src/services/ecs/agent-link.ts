/**
 * The control plane's end of the agent link (`/_wharf/agent`): registers an agent's host as
 * container instances, tells it the tasks it should run, and records what it reports.
 *
 *   agent ──hello──────────────▶ register instance(s) ──▶ store
 *         ◀─registered / tasks──  complete task set, then one upsert per task change (watch)
 *         ──taskStateChange────▶ applyTaskStateChange ──▶ store
 *         ──heartbeat──────────▶ keeps the link; silence for 3 intervals closes it
 *
 * A closed link marks the agent's instances disconnected (agentConnected false).
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AgentMessage, DesiredTask, ServerMessage } from '../../common/agent-protocol.ts';
import type { Clock, Ids } from '../../common/clock.ts';
import type { Store, WatchEvent } from '../../state/store.ts';
import { listDocs, transact } from '../../state/transact.ts';
import { isAgentAttribute } from './attributes.ts';
import { newCluster } from './cluster-record.ts';
import { arns, keys, parseArn, type ClusterRecord, type ContainerInstanceRecord, type Scope, type TaskRecord } from './records.ts';
import { applyTaskStateChange } from './task-state.ts';

type Hello = Extract<AgentMessage, { type: 'hello' }>;

/** One connected agent. */
interface Link {
  ws: WebSocket;
  hello?: Hello;
  /** Store keys of the agent's container instances. */
  instanceKeys: Set<string>;
  instanceIds: Set<string>;
  lastSeen: number;
  /** While a complete task set is being sent, task changes wait here. */
  pending?: WatchEvent[];
  syncedRevision: number;
}

export interface AgentLinkOptions {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Where an agent that names no cluster registers, and where `default` is created. */
  defaultScope: Scope;
  /** Agents heartbeat this often; a link silent for 3 intervals is closed. */
  heartbeatMs?: number;
  log?: (message: string) => void;
}

/** The per-task message an agent gets for a stored task. */
export function desiredTask(t: TaskRecord): DesiredTask {
  return {
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
  private readonly unwatch: Array<() => void> = [];
  private readonly sweep: NodeJS.Timeout;
  private readonly heartbeatMs: number;

  constructor(private readonly o: AgentLinkOptions) {
    this.heartbeatMs = o.heartbeatMs ?? 10_000;
    this.unwatch.push(o.store.watch(keys.allTasks, (e) => this.onTaskEvent(e)));
    this.unwatch.push(o.store.watch(keys.allClusters, (e) => this.onClusterEvent(e)));
    this.sweep = setInterval(() => this.closeSilent(), this.heartbeatMs);
    this.sweep.unref();
  }

  /** No agent is connected to a process that just started: clear what a previous run left. */
  async markAllDisconnected(): Promise<void> {
    for (const doc of await listDocs<ContainerInstanceRecord>(this.o.store, keys.allInstances)) {
      if (doc.value.agentConnected) await this.setConnected(doc.key, false);
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
    clearInterval(this.sweep);
    for (const u of this.unwatch) u();
    for (const l of this.links) l.ws.terminate();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    const link: Link = { ws, instanceKeys: new Set(), instanceIds: new Set(), lastSeen: this.o.clock.now(), syncedRevision: 0 };
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
      this.links.delete(link);
      for (const key of link.instanceKeys) void this.setConnected(key, false).catch(() => undefined);
    });
    ws.on('error', () => ws.terminate());
  }

  private async onMessage(link: Link, message: AgentMessage): Promise<void> {
    switch (message?.type) {
      case 'hello':
        link.hello = message;
        return this.register(link, message);
      case 'heartbeat':
        return;
      case 'taskStateChange':
        await applyTaskStateChange(this.o.store, this.o.clock, message.change, link.instanceIds);
        return;
      default:
        this.send(link, { type: 'error', message: 'Unknown message type.' });
    }
  }

  /** Registers (or re-registers) the agent in its cluster(s), then sends its complete task set. */
  private async register(link: Link, hello: Hello): Promise<void> {
    const clusters = await this.targetClusters(hello);
    const registered: ContainerInstanceRecord[] = [];
    for (const cluster of clusters) registered.push(await this.registerIn(cluster, hello));
    link.instanceKeys = new Set(registered.map((i) => keys.instance(scopeOfArn(i.arn), i.clusterName, i.id)));
    link.instanceIds = new Set(registered.map((i) => i.id));
    this.send(link, { type: 'registered', containerInstanceArns: registered.map((i) => i.arn) });
    await this.sendComplete(link);
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
      const instances = await tx.list<ContainerInstanceRecord>(keys.instances(scope, name));
      const existing = instances.find((i) => i.agentId === hello.agentId && i.status !== 'INACTIVE');
      const now = this.o.clock.now();
      const agentAttributes = hello.attributes.map((a) => ({ name: a.name, value: a.value }));
      const registered = { cpu: hello.cpu, memory: hello.memory, ports: [...hello.reservedPorts], portsUdp: [] };
      if (existing) {
        const custom = existing.attributes.filter((a) => !agentAttributes.some((b) => b.name === a.name) && !isAgentAttribute(a.name));
        const used = { cpu: existing.registeredResources.cpu - existing.remainingResources.cpu, memory: existing.registeredResources.memory - existing.remainingResources.memory };
        const updated: ContainerInstanceRecord = {
          ...existing,
          agentConnected: true,
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
      return created;
    });
  }

  private async setConnected(key: string, connected: boolean): Promise<void> {
    await transact(this.o.store, async (tx) => {
      const instance = await tx.get<ContainerInstanceRecord>(key);
      if (!instance || instance.agentConnected === connected) return;
      tx.put(key, { ...instance, agentConnected: connected, version: instance.version + 1 });
    });
  }

  /** Sends the agent every task placed on its instances that is not yet STOPPED. */
  private async sendComplete(link: Link): Promise<void> {
    link.pending = [];
    const revision = await this.o.store.revision();
    const tasks: DesiredTask[] = [];
    const clusters = new Set([...link.instanceKeys].map((k) => k.replace('ecs/instances/', 'ecs/tasks/').replace(/[^/]+$/, '')));
    for (const prefix of clusters) {
      for (const doc of await listDocs<TaskRecord>(this.o.store, prefix)) {
        const t = doc.value;
        if (t.containerInstanceId && link.instanceIds.has(t.containerInstanceId) && t.lastStatus !== 'STOPPED') tasks.push(desiredTask(t));
      }
    }
    this.send(link, { type: 'tasks', tasks, complete: true });
    const queued = link.pending;
    link.pending = undefined;
    link.syncedRevision = revision;
    for (const event of queued) this.forward(link, event);
  }

  private onTaskEvent(event: WatchEvent): void {
    if (event.type === 'delete') return;
    for (const link of this.links) {
      if (link.pending) link.pending.push(event);
      else this.forward(link, event);
    }
  }

  private forward(link: Link, event: WatchEvent): void {
    if (event.kv.modRevision <= link.syncedRevision) return;
    const task = JSON.parse(event.kv.value) as TaskRecord;
    if (!task.containerInstanceId || !link.instanceIds.has(task.containerInstanceId)) return;
    if (task.lastStatus === 'STOPPED') return;
    this.send(link, { type: 'tasks', tasks: [desiredTask(task)], complete: false });
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
        for (const key of [...link.instanceKeys].filter((k) => k.startsWith(prefix))) {
          link.instanceKeys.delete(key);
          link.instanceIds.delete(key.slice(prefix.length));
        }
      }
      return;
    }
    if (event.prevKv && (JSON.parse(event.prevKv.value) as ClusterRecord).status === 'ACTIVE') return;
    for (const link of this.links) {
      if (!link.hello?.followAllClusters || [...link.instanceKeys].some((k) => k.startsWith(prefix))) continue;
      void this.registerIn({ scope, name: cluster.name }, link.hello).then((instance) => {
        link.instanceKeys.add(keys.instance(scopeOfArn(instance.arn), instance.clusterName, instance.id));
        link.instanceIds.add(instance.id);
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


/** The account and region of an ECS ARN that Wharf itself made. */
const scopeOfArn = (arn: string): Scope => parseArn(arn)!;
