/**
 * The control plane's end of the agent link (`/_wharf/agent`): authenticates each agent,
 * registers its host as container instances, tells it the tasks it should run, and records
 * what it reports.
 *
 *   upgrade ──────────────────▶ handshake.ts: no Origin, rate per address, SigV4 (else 401/403/429)
 *   agent ──hello─────────────▶ messages.ts (typed, bounded) ─▶ identity.ts (secret, principal)
 *                                ─▶ registration.ts (IAM, one transaction) ──▶ store
 *         ◀─registered / tasks──  complete task set from the ECS tasks informer, then one
 *                                 message per task change that alters what the agent is told
 *         ──taskStateChange───▶ messages.ts ─▶ reports.ts (≤256 per commit; refused alone)
 *         ──heartbeat─────────▶ keeps the link; silence for 3 intervals closes it
 *         ──credentialsRequest▶ task-credentials.ts: a session of a task's role, for tasks on its instances
 *         ──telemetry─────────▶ telemetry.ts: containers' use → AWS/ECS datapoints (never stored as state)
 *
 * A closed link marks the agent's instances disconnected (agentConnected false). One hello per
 * link; each link has a message rate (beyond it its socket is paused, never its messages lost).
 *
 * Built for 10,000 agents and 100,000 tasks per control plane: nothing an agent does costs
 * work in proportion to the cluster. A `hello` finds the agent's instance through its
 * agent-instance key, not by listing the cluster; the complete task set comes from the shared
 * tasks informer's index by container instance; a task change goes to the one link that holds
 * its instance, and only when it changes what the agent is told.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AwsError, type Authority, type Principal } from '../aws/index.ts';
import {
  AGENT_LINK_LIMITS, VPC_ADDRESS_ATTRIBUTE, elapsedMs, type AgentLinkErrorCode, type Clock, type DesiredTask, type Ids, type ServerMessage,
} from '../common/index.ts';
import { heldForDraining, keys, type AutoScalingGroupsPort, type ContainerInstanceRecord, type EcsInformers, type Scope, type TaskRecord } from '../ecs/index.ts';
import type { NetworkInformers } from '../network/index.ts';
import type { InformerChange, Store, WatchEvent } from '../state/index.ts';
import { authenticateUpgrade, browserRefusal, refuseUpgrade, type LinkPeer } from './handshake.ts';
import { AgentIdentityRefused, establishIdentity, newAgentSecret, type AgentIdentity } from './identity.ts';
import { AddressLimiter, DEFAULT_LINK_LIMITS, TokenBucket, sourceOf, type LinkLimits } from './limits.ts';
import { decodeAgentMessage, type Hello } from './messages.ts';
import { Registrar, RegistrationRefused, decodeCluster, scopeOfArn } from './registration.ts';
import { ReportQueue, type InstanceChangeHook, type ReportSender, type TaskChangeHook } from './reports.ts';
import { answerCredentials, type RoleSessionSource } from './task-credentials.ts';
import { telemetryDatapoints, type TelemetrySink } from './telemetry.ts';
import { onNetworkChange, taskInterfaceOf, taskVpcKey } from './task-networks.ts';
import { VpcPeers } from './vpc-peers.ts';

/** One connected agent. */
interface Link extends ReportSender {
  ws: WebSocket;
  peer: LinkPeer;
  source: string;
  /** When the link opened, on the monotonic clock (`elapsedMs`). */
  openedAt: number;
  hello?: Hello;
  /** Set once registered: who the agent proved to be. */
  identity?: AgentIdentity;
  /** The interface last sent for each awsvpc task (JSON), so a firewall is re-sent only when it changed. */
  interfaces: Map<string, string>;
  /** The agent's container instances: id → store key (`instanceIds` are its keys, as the report queue reads them). */
  instanceKeys: Map<string, string>;
  instanceIds: Set<string>;
  /** When the agent last sent a frame, on the monotonic clock. */
  lastSeen: number;
  /** Changes up to this revision are in the complete set the agent was sent (undefined until it was sent). */
  syncedRevision?: number;
  closed: boolean;
  messages: TokenBucket;
  /** Why the socket is paused (no more messages read until none is left). */
  paused: Set<'rate' | 'reports'>;
}

/** What the agent link server is given. */
export interface AgentLinkOptions {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Where the root's follow-all agent registers when there is no cluster, and the account unknown keys act in (dev). */
  defaultScope: Scope;
  /** Verifies the upgrade's signature and decides what the principal may do (as for the API). */
  authority: Authority;
  /** `wharf dev` without --enforce-iam: an access key IAM does not know acts as the account root. */
  unknownKeysAsRoot: boolean;
  /** The shared ECS informers: the tasks informer says which tasks each instance runs. */
  informers: EcsInformers;
  /** Security groups and interfaces: an awsvpc task's firewall is resolved from them. */
  network: NetworkInformers;
  /** Registry credentials for a task's account and region, issued to the link's principal, sent with each task to run. */
  registryAuth?: RegistryAuthSource;
  /** A report changed a task: what follows is staged in the same transaction (events to EventBridge). */
  onTaskChanged?: TaskChangeHook;
  /** An instance changed (registered, its agent (dis)connected, resources released by a report): staged in the same transaction. */
  /** EC2 Auto Scaling groups: an instance a group launched registers with its capacity provider. */
  autoScalingGroups?: AutoScalingGroupsPort;
  onInstanceChanged?: InstanceChangeHook;
  /** Where the `AWS/ECS` datapoints made from agents' telemetry go (none: telemetry is dropped). */
  telemetry?: TelemetrySink;
  /** Sessions of tasks' roles, for the agents that run them (none: every request is refused). */
  roleSessions?: RoleSessionSource;
  /** Agents heartbeat this often; a link silent for 3 intervals is closed. */
  heartbeatMs?: number;
  /** Rates and sizes (DEFAULT_LINK_LIMITS where not given). */
  limits?: Partial<LinkLimits>;
  /** Issues agent secrets (default: 32 random bytes). */
  newAgentSecret?: () => string;
  /** This replica's presence id, recorded on the instances its links hold (default `local`). */
  replica?: string;
  log?: (message: string) => void;
}

/** Who registry credentials are issued to: the link's principal (with its session token, for temporary credentials). */
export interface RegistryHolder {
  principal: Principal;
  sessionToken?: string;
}

/** Gives registry credentials for an account and region (user `AWS` and a registry token) to `holder`. */
export type RegistryAuthSource = (scope: Scope, holder: RegistryHolder) => { username: string; password: string };

/** The per-task message an agent gets for a stored task. */
function desiredTaskOf(t: TaskRecord, network: NetworkInformers, registryAuth?: RegistryAuthSource, holder?: RegistryHolder): DesiredTask {
  const scope = t.desiredStatus === 'RUNNING' && holder && registryAuth ? scopeOfArn(t.arn) : undefined;
  const networkInterface = taskInterfaceOf(t, network);
  return {
    ...(scope && { registryAuth: registryAuth!(scope, holder!) }),
    ...(networkInterface && { networkInterface }),
    ...(t.launchType === 'FARGATE' && { launchType: 'FARGATE' as const }),
    taskArn: t.arn,
    clusterArn: t.clusterArn,
    containerInstanceArn: t.containerInstanceArn!,
    // A DEACTIVATING task keeps running while its load balancer targets drain.
    desiredStatus: heldForDraining(t) ? 'RUNNING' : t.desiredStatus,
    spec: t.spec,
    containerArns: Object.fromEntries(t.containers.map((c) => [c.name, c.containerArn])),
    stopCode: t.desiredStatus === 'STOPPED' && !heldForDraining(t) ? t.stopCode : undefined,
    stoppedReason: t.desiredStatus === 'STOPPED' && !heldForDraining(t) ? t.stoppedReason : undefined,
  };
}

/** An `error` the link sends; bounded so a client that never reads cannot make the server buffer them. */
const MAX_BUFFERED_FOR_ERRORS = 1024 * 1024;

/** Serves agent links on an HTTP server's upgrade requests. */
export class AgentLinkServer {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: AGENT_LINK_LIMITS.maxMessageBytes });
  private readonly links = new Set<Link>();
  /** The link that holds each registered instance (the latest, when an agent reconnects). */
  private readonly linkOf = new Map<string, Link>();
  private readonly unwatch: Array<() => void> = [];
  private readonly sweep: NodeJS.Timeout;
  private readonly heartbeatMs: number;
  private readonly limits: LinkLimits;
  private readonly addresses: AddressLimiter;
  private readonly registrar: Registrar;
  private readonly reports: ReportQueue;
  /** Links paused until queued reports are applied. */
  private readonly reporting = new Set<Link>();
  private readonly log: (message: string) => void;
  /** Set by close(): links closing now leave their instances for the next start to mark. */
  private closing = false;
  /** The hosts awsvpc subnets span, for agents that offer a VPC address. */
  private readonly peers: VpcPeers;

  constructor(private readonly o: AgentLinkOptions) {
    this.heartbeatMs = o.heartbeatMs ?? 10_000;
    this.limits = { ...DEFAULT_LINK_LIMITS, ...o.limits };
    this.log = o.log ?? (() => undefined);
    this.addresses = new AddressLimiter(this.limits);
    this.registrar = new Registrar({
      store: o.store, clock: o.clock, ids: o.ids, authority: o.authority, defaultScope: o.defaultScope, replica: o.replica ?? 'local', log: this.log,
      onInstanceChanged: o.onInstanceChanged, autoScalingGroups: o.autoScalingGroups,
    });
    this.reports = new ReportQueue({ store: o.store, clock: o.clock, log: this.log, settled: () => this.resumeReporters(), onApplied: o.onTaskChanged, onInstanceChanged: o.onInstanceChanged,
    });
    this.unwatch.push(o.informers.tasks.subscribe((change) => this.onTaskChange(change)));
    this.unwatch.push(onNetworkChange(o.network, (vpcs) => this.resendChangedInterfaces(vpcs)));
    this.peers = new VpcPeers(o.informers.instances, (account) => this.sendPeers(account));
    this.unwatch.push(() => this.peers.close());
    this.unwatch.push(o.store.watch(keys.allClusters, (e) => this.onClusterEvent(e)));
    this.sweep = setInterval(() => this.closeSilent(), Math.min(this.heartbeatMs, this.limits.helloTimeoutMs));
    this.sweep.unref();
  }

  /**
   * No agent is connected to a process that just started: clear what a previous run left. A
   * stored record that cannot be read is reported and skipped, never a reason not to start.
   */
  markAllDisconnected(): Promise<void> {
    return this.registrar.markAllDisconnected();
  }

  /**
   * The leader's sweep: an instance linked through a replica not in `alive` lost its agent (that
   * replica died before it could say so). Candidates come from the informer; each is re-checked
   * as stored, and written through `store` (the leader's fenced one).
   */
  async markOrphansDisconnected(store: Store, alive: ReadonlySet<string>): Promise<void> {
    const orphaned = (i: ContainerInstanceRecord) => i.agentConnected && !alive.has(i.linkedBy ?? '');
    const candidates = this.o.informers.instances.list().filter((d) => orphaned(d.value)).map((d) => d.key);
    if (candidates.length) await this.registrar.markKeysDisconnected(store, candidates, orphaned);
  }

  /**
   * Drops every link: the agents reconnect (here or to another replica) and register again,
   * which rewrites their instances as connected. For a replica that lost its presence, whose
   * agents the leader may have counted as gone.
   */
  dropLinks(): void {
    for (const l of this.links) l.ws.terminate();
  }

  /** The upgrade handler to mount at AGENT_LINK_PATH: refuses browsers, floods and unsigned requests before upgrading. */
  handleUpgrade = (req: http.IncomingMessage, socket: Duplex, head: Buffer): void => {
    // The HTTP server no longer watches an upgrading socket: a reset while it is checked must not go unhandled.
    socket.on('error', () => socket.destroy());
    if (this.closing) {
      socket.destroy();
      return;
    }
    const now = this.o.clock.now();
    const source = sourceOf(req.socket.remoteAddress);
    const refused = browserRefusal(req) ?? this.addresses.refuse(source, now);
    if (refused) {
      refuseUpgrade(socket, refused);
      return;
    }
    // Counted from now (authentication takes a moment) until the socket closes, however it ends.
    this.addresses.count(source, 1);
    socket.once('close', () => this.addresses.count(source, -1));
    const auth = { authority: this.o.authority, unknownKeysAsRoot: this.o.unknownKeysAsRoot, account: this.o.defaultScope.account };
    authenticateUpgrade(req, auth, now).then((result) => {
      if ('refusal' in result) return refuseUpgrade(socket, result.refusal);
      if (socket.destroyed || this.closing) return socket.destroy();
      this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, result.peer, source));
    }).catch((error: unknown) => {
      this.log(`agent link: upgrade failed: ${messageOf(error)}`);
      refuseUpgrade(socket, { status: 503, code: 'ServiceUnavailableException', message: 'The agent link could not authenticate the request.' });
    });
  };

  /** After the store was wiped (dev reset): register every agent again and resend its tasks. */
  async resync(): Promise<void> {
    await Promise.all([...this.links].filter((l) => l.identity).map((l) => this.register(l)));
  }

  /** Closes every link (agents reconnect to the next server) and stops watching. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.sweep);
    this.reports.close();
    for (const u of this.unwatch) u();
    for (const l of this.links) l.ws.terminate();
    this.wss.close();
  }

  /** Agent links open now, and how many of them are registered. */
  get linkCounts(): { open: number; registered: number } {
    let registered = 0;
    for (const l of this.links) if (l.identity) registered++;
    return { open: this.links.size, registered };
  }

  private accept(ws: WebSocket, peer: LinkPeer, source: string): void {
    const now = this.o.clock.now();
    const opened = elapsedMs();
    const link: Link = {
      ws, peer, source, openedAt: opened, instanceKeys: new Map(), instanceIds: new Set(), interfaces: new Map(), lastSeen: opened, closed: false,
      messages: new TokenBucket(this.limits.messageBurst, this.limits.messagesPerSecond, now), paused: new Set(), queued: 0, queuedBytes: 0,
      refused: (taskArn, code, message) => this.refuse(link, code, message, taskArn),
    };
    this.links.add(link);
    ws.on('message', (data, isBinary) => this.onFrame(link, data, isBinary));
    ws.on('close', () => {
      link.closed = true;
      this.links.delete(link);
      this.release(link, link.instanceKeys);
    });
    ws.on('error', () => ws.terminate());
  }

  private onFrame(link: Link, data: RawData, isBinary: boolean): void {
    const size = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
    const now = this.o.clock.now();
    link.lastSeen = elapsedMs();
    if (!link.messages.take(now)) this.pauseFor(link, 'rate', link.messages.waitMs(now));
    if (isBinary) return this.refuse(link, 'InvalidMessage', 'Messages are JSON text frames.');
    const decoded = decodeAgentMessage(String(data));
    if (!decoded.ok) {
      this.refuse(link, decoded.code, decoded.message, decoded.taskArn);
      if (decoded.code === 'InvalidHello') link.ws.close(1008, decoded.code);
      return;
    }
    const message = decoded.message;
    switch (message.type) {
      case 'hello':
        if (link.hello) {
          this.refuse(link, 'HelloRepeated', 'One hello per link: reconnect to register again.');
          link.ws.close(1008, 'HelloRepeated');
          return;
        }
        link.hello = message;
        void this.register(link);
        return;
      case 'heartbeat':
        return;
      case 'taskStateChange': {
        // Whether the task is on one of the link's instances is judged once, with the stored task, in the report's transaction.
        if (!link.identity) {
          this.refuse(link, 'TaskNotOnInstance', `Task ${message.change.taskArn} is not placed on this agent's container instances.`, message.change.taskArn);
          return;
        }
        this.reports.push(message.change, link, size);
        if (this.reportsFull(link)) {
          this.pauseFor(link, 'reports');
          this.reporting.add(link);
        }
        return;
      }
      case 'telemetry':
        if (!link.identity || !this.o.telemetry) return;
        for (const { scope, datapoints } of telemetryDatapoints(this.o.informers, link.instanceKeys, message.samples, this.o.clock.now())) {
          if (datapoints.length) this.o.telemetry(scope, datapoints);
        }
        return;
      case 'credentialsRequest':
        void answerCredentials(this.o.informers, link.identity ? link.instanceIds : new Set(), message, this.o.roleSessions)
          .then((answer) => this.send(link, answer))
          .catch((error: unknown) => this.log(`agent link: credentials for ${message.taskArn}: ${messageOf(error)}`));
    }
  }

  /** Proves who the agent is, registers it in its cluster(s), then sends its complete task set; a refusal closes the link. */
  private async register(link: Link): Promise<void> {
    const hello = link.hello!;
    try {
      const identity = link.identity ?? (await establishIdentity(this.o.store, hello.agentId, hello.agentSecret, link.peer.principal, this.o.newAgentSecret ?? newAgentSecret));
      const clusters = await this.registrar.targetClusters(hello, link.peer);
      const registered = await this.registrar.register(clusters, hello, link.peer, identity);
      const held = new Map(registered.map((i) => [i.id, keys.instance(scopeOfArn(i.arn)!, i.clusterName, i.id)]));
      if (link.closed || link.ws.readyState !== link.ws.OPEN) {
        // The agent went away while it was being registered: it is not connected, and a secret issued now never reached it.
        this.release(link, held);
        if (identity.issued) await this.registrar.unbind(clusters, hello.agentId, identity.secretHash);
        return;
      }
      this.release(link, new Map([...link.instanceKeys].filter(([id]) => !held.has(id))));
      link.identity = { agentId: identity.agentId, principal: identity.principal, secretHash: identity.secretHash };
      link.instanceKeys = held;
      link.instanceIds = new Set(held.keys());
      for (const id of held.keys()) this.linkOf.set(id, link);
      this.send(link, { type: 'registered', containerInstanceArns: registered.map((i) => i.arn), ...(identity.issued && { agentSecret: identity.issued }) });
      await this.sendComplete(link);
    } catch (error) {
      const code: AgentLinkErrorCode = error instanceof AgentIdentityRefused ? 'AgentIdentityRefused'
        : error instanceof RegistrationRefused ? error.code
          : error instanceof AwsError && error.code === 'AccessDeniedException' ? 'AccessDenied' : 'InternalError';
      this.log(`agent link: agent ${hello.agentId} (${link.peer.principal.arn} from ${link.source}) not registered: ${code}: ${messageOf(error)}`);
      this.refuse(link, code, messageOf(error));
      link.ws.close(code === 'InternalError' ? 1011 : 1008, code);
    }
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
      this.registrar.setConnected(key, false).catch((error: unknown) => this.log(`agent link: ${messageOf(error)}`));
    }
  }

  /** Sends the agent every task placed on its instances that is not yet STOPPED, as the tasks informer has them. */
  private async sendComplete(link: Link): Promise<void> {
    await Promise.all([this.o.informers.start(), this.o.network.start()]);
    if (link.closed) return;
    const revision = this.o.informers.tasks.revision;
    const holder = this.holderOf(link);
    const desired: DesiredTask[] = [];
    for (const id of link.instanceIds) {
      for (const { value } of this.o.informers.tasksOn(id)) desired.push(this.desiredFor(link, value, holder));
    }
    this.send(link, { type: 'tasks', tasks: desired, complete: true });
    link.syncedRevision = revision;
    this.sendPeersTo(link);
  }

  /** An account's set of VPC addresses changed: tell its agents that offer one. */
  private sendPeers(account: string): void {
    for (const link of this.links) if (link.peer.principal.account === account) this.sendPeersTo(link);
  }

  /** The other hosts' VPC addresses, to an agent that offers one itself. */
  private sendPeersTo(link: Link): void {
    const own = link.hello?.attributes.find((a) => a.name === VPC_ADDRESS_ATTRIBUTE)?.value;
    if (own === undefined || link.syncedRevision === undefined || link.closed) return;
    this.send(link, { type: 'peers', addresses: this.peers.addresses(link.peer.principal.account).filter((a) => a !== own) });
  }

  /** A task changed: tell the one agent that holds its instance, when it alters what the agent is told. */
  private onTaskChange(change: InformerChange<TaskRecord>): void {
    if (change.type === 'delete') return;
    const task = change.value;
    const link = task.containerInstanceId ? this.linkOf.get(task.containerInstanceId) : undefined;
    // A stopping task's firewall no longer matters: forget what it was sent.
    if (link && task.desiredStatus === 'STOPPED') link.interfaces.delete(task.arn);
    if (!link || link.syncedRevision === undefined || change.modRevision <= link.syncedRevision) return;
    if (change.type === 'update' && !desiredChanged(task, change.previous)) return;
    if (!link.instanceIds.has(task.containerInstanceId!) || task.lastStatus === 'STOPPED') return;
    this.send(link, { type: 'tasks', tasks: [this.desiredFor(link, task, this.holderOf(link))], complete: false });
  }

  /** The desired task for `link`, remembering the interface it carries. */
  private desiredFor(link: Link, task: TaskRecord, holder: RegistryHolder): DesiredTask {
    const desired = desiredTaskOf(task, this.o.network, this.o.registryAuth, holder);
    if (desired.networkInterface) link.interfaces.set(task.arn, JSON.stringify(desired.networkInterface));
    else link.interfaces.delete(task.arn);
    return desired;
  }

  /** Security groups or interfaces of `vpcs` changed: send each linked awsvpc task there whose firewall is now different. */
  private resendChangedInterfaces(vpcs: ReadonlySet<string>): void {
    for (const link of this.links) {
      if (link.syncedRevision === undefined || link.closed) continue;
      const changed: DesiredTask[] = [];
      for (const id of link.instanceIds) {
        for (const { value: task } of this.o.informers.tasksOn(id)) {
          if (!task.eni || task.lastStatus === 'STOPPED' || task.desiredStatus === 'STOPPED' || !vpcs.has(taskVpcKey(task)!)) continue;
          const now = JSON.stringify(taskInterfaceOf(task, this.o.network));
          if (link.interfaces.get(task.arn) !== now) changed.push(this.desiredFor(link, task, this.holderOf(link)));
        }
      }
      if (changed.length) this.send(link, { type: 'tasks', tasks: changed, complete: false });
    }
  }

  private holderOf(link: Link): RegistryHolder {
    return { principal: link.peer.principal, ...(link.peer.sessionToken && { sessionToken: link.peer.sessionToken }) };
  }

  /** A follow-all agent joins every cluster of its account as it is created. */
  private onClusterEvent(event: WatchEvent): void {
    if (event.type === 'delete' || this.closing) return;
    const cluster = decodeCluster(event.kv.value);
    if (!cluster) return this.log(`agent link: ignored cluster record ${event.kv.key}: it cannot be read`);
    const prefix = keys.instances(cluster.scope, cluster.name);
    if (cluster.status !== 'ACTIVE') {
      // Deleted: its instances went INACTIVE with it, so no link holds them any more.
      for (const link of this.links) {
        for (const [id] of [...link.instanceKeys].filter(([, k]) => k.startsWith(prefix))) {
          link.instanceKeys.delete(id);
          link.instanceIds.delete(id);
          if (this.linkOf.get(id) === link) this.linkOf.delete(id);
        }
      }
      return;
    }
    if (event.prevKv && decodeCluster(event.prevKv.value)?.status === 'ACTIVE') return;
    for (const link of this.links) {
      const { hello, identity } = link;
      if (!hello?.followAllClusters || !identity || link.peer.principal.account !== cluster.scope.account) continue;
      if ([...link.instanceKeys.values()].some((k) => k.startsWith(prefix))) continue;
      this.registrar.register([{ scope: cluster.scope, name: cluster.name }], hello, link.peer, identity).then(([instance]) => {
        const key = keys.instance(cluster.scope, instance.clusterName, instance.id);
        if (link.closed) return this.release(link, new Map([[instance.id, key]]));
        link.instanceKeys.set(instance.id, key);
        link.instanceIds.add(instance.id);
        this.linkOf.set(instance.id, link);
        this.send(link, { type: 'registered', containerInstanceArns: [instance.arn] });
      }).catch((error: unknown) => this.log(`agent link: ${hello.agentId} not registered in ${cluster.name}: ${messageOf(error)}`));
    }
  }

  /** Closes links silent for 3 heartbeat intervals, links that never said hello and links whose credentials expired; forgets idle addresses. */
  private closeSilent(): void {
    const now = this.o.clock.now();
    const since = elapsedMs();
    for (const link of this.links) {
      if (link.lastSeen < since - 3 * this.heartbeatMs || (!link.hello && link.openedAt < since - this.limits.helloTimeoutMs)) link.ws.terminate();
      else if (link.peer.expiresAt !== undefined && link.peer.expiresAt <= now) link.ws.close(1000, 'The link\'s credentials expired: sign again.');
    }
    this.addresses.sweep(now);
  }

  /** Whether `link` must wait for queued reports to be applied before it sends more (its own, or everyone's, above the limits). */
  private reportsFull(link: Link, fraction = 1): boolean {
    const l = this.limits;
    return link.queued >= l.queuedReportsPerLink * fraction || link.queuedBytes >= l.queuedReportBytesPerLink * fraction
      || this.reports.bytes >= l.queuedReportBytes * fraction;
  }

  /** After a batch of reports: links paused for a full queue read again once it is half empty. */
  private resumeReporters(): void {
    for (const link of this.reporting) {
      if (link.closed || !this.reportsFull(link, 0.5)) {
        this.reporting.delete(link);
        this.resume(link, 'reports');
      }
    }
  }

  /** Stops reading the link's socket for `reason` (for `ms`, or until `resume`). */
  private pauseFor(link: Link, reason: 'rate' | 'reports', ms?: number): void {
    if (link.paused.has(reason)) return;
    link.paused.add(reason);
    link.ws.pause();
    if (ms !== undefined) setTimeout(() => this.resume(link, reason), Math.max(1, ms)).unref();
  }

  private resume(link: Link, reason: 'rate' | 'reports'): void {
    if (!link.paused.delete(reason) || link.paused.size > 0 || link.closed) return;
    link.ws.resume();
  }

  /** Tells the agent what was refused (dropped when the agent is not reading what it is sent). */
  private refuse(link: Link, code: AgentLinkErrorCode, message: string, taskArn?: string): void {
    if (link.ws.bufferedAmount > MAX_BUFFERED_FOR_ERRORS) return;
    this.send(link, { type: 'error', code, message, ...(taskArn !== undefined && { taskArn }) });
  }

  private send(link: Link, message: ServerMessage): void {
    if (link.ws.readyState === link.ws.OPEN) link.ws.send(JSON.stringify(message));
  }
}

/**
 * Whether a task change alters what its agent is told (a new instance, a new desiredStatus).
 * Most task writes are the agent's own reports coming back: echoing each of them to the agent
 * would add nothing it does not know, at every agent's and task's scale.
 */
function desiredChanged(task: TaskRecord, before: TaskRecord): boolean {
  return before.desiredStatus !== task.desiredStatus || before.containerInstanceId !== task.containerInstanceId ||
    heldForDraining(before) !== heldForDraining(task);
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));
