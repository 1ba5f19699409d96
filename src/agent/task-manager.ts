/**
 * The owner of one task on the agent: the only thing that changes the task's model. Inputs
 * (desired state, runtime events, action results) go through its mailbox one at a time; after
 * each it asks the pure core (`task-lifecycle.ts`) what to do, starts those actions (they run
 * concurrently and report back through the mailbox), reports the task's state when it changed,
 * and saves. Once the task is STOPPED it removes the containers after the cleanup wait.
 */
import { registryImageRef, type Clock, type DesiredTask, type Ids, type TaskStateChange } from '../common/index.ts';
import {
  LABEL, PAUSE_CONTAINER_NAME, containerCreateOptions, dockerContainerName, pauseContainerOptions, stopTimeoutSeconds,
} from './container-config.ts';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { taskCgroupParent, type TaskCgroups } from './task-cgroups.ts';
import { secretStores, type TaskCredentials } from './task-credentials.ts';
import { definitionToRun } from './task-environment.ts';
import { LogShipper, awslogsOptions, type LogSink } from './log-shipper.ts';
import { resolveRegistryCredentials, resolveTaskSecrets, SecretsUnavailable, type ContainerSecrets, type SecretStores } from './task-secrets.ts';
import type { TaskNetworks } from './task-networks.ts';
import { TaskResourceError, TaskResources } from './task-resources.ts';
import type { ContainerRuntime, ContainerSummary } from './runtime.ts';
import { encodeTask, type StoredTask } from './checkpoint.ts';
import {
  desiredFirewall, plan, reduce, toStateChange, type ContainerModel, type TaskAction, type TaskEvent, type TaskKnown, type TaskModel,
} from './task-lifecycle.ts';

/** What a task's owner needs from the agent around it. */
export interface TaskManagerDeps {
  runtime: ContainerRuntime;
  clock: Clock;
  ids: Ids;
  agentId: string;
  hostIp: string;
  /** How long a STOPPED task's containers are kept before removal. */
  cleanupWaitMs: number;
  /** Saves the agent's checkpoint; resolves once it is on disk. */
  persist(): Promise<void>;
  report(change: TaskStateChange): void;
  /** Runtime events for this container id should come to this task from now on. */
  track(runtimeId: string): void;
  /** The task is stopped and its containers removed: the agent can drop it. */
  forget(taskArn: string): void;
  log(message: string): void;
  /** Milliseconds before a failed stop or cleanup is retried. */
  retryMs?: number;
  /** host:port of Wharf's registry (the control plane's): images there or in ECR's host form are pulled from it. */
  registryHost?: () => string;
  /** How awsvpc tasks get their namespaces; without it they fail to start. */
  networks?: TaskNetworks;
  /** Task cgroups, for tasks whose cpu and memory limit the whole task (Fargate). */
  cgroups?: TaskCgroups;
  /** The task endpoints' base URL, when this host serves them: containers are told their URLs. */
  taskEndpointsUrl?: string;
  /** The tasks' resolver's address, when this host serves it: bridge and awsvpc containers resolve with it. */
  taskResolver?: string;
  /** Sessions of tasks' roles: the execution role's fetches the task's secrets. */
  credentials?: TaskCredentials;
  /** Wharf's API (the control plane the link uses now), for the agent's calls for a task. */
  apiServer?: () => string;
  /** The directory every host of the cluster mounts, holding the EFS file systems. */
  efsDir?: string;
  /** Where an awslogs container's output goes: CloudWatch Logs as the task's execution role (or the agent's principal). */
  logSink?: (task: DesiredTask, region: string) => LogSink;
}

const PREFERENCE: Record<string, number> = { running: 0, restarting: 1, paused: 2, created: 3, exited: 4, dead: 5, removing: 6 };

/** One task's owner. */
export class TaskManager {
  private model: TaskModel;
  private queue: Promise<void> = Promise.resolve();
  private lastReport?: string;
  private lastSaved?: string;
  private cleanupTimer?: NodeJS.Timeout;
  private closed = false;
  private taskResources?: TaskResources;

  /** awslogs: the shipper following each container's output, by container name. */
  private readonly shippers = new Map<string, LogShipper>();
  /** The task's resolved secrets, by container: in memory only, resolved once per agent run. */
  private secrets?: Promise<Map<string, ContainerSecrets>>;

  constructor(model: TaskModel, private readonly deps: TaskManagerDeps) {
    // The ids its containers will carry in their environment, fixed before any is made.
    this.model = model.endpoints ? model : {
      ...model,
      endpoints: { credentialsId: deps.ids.uuid(), containers: Object.fromEntries(model.containers.map((c) => [c.name, deps.ids.uuid()])) },
    };
  }

  /** The task as its owner knows it now (for the task endpoints). */
  get current(): TaskModel {
    return this.model;
  }

  get taskArn(): string {
    return this.model.taskArn;
  }

  /** How far the task has come. */
  get status(): TaskKnown {
    return this.model.known;
  }

  /** The latest report, for resending after the link reconnects. */
  latest(): TaskStateChange | undefined {
    return toStateChange(this.model);
  }

  /** The task as stored in the checkpoint. */
  record(): StoredTask {
    return encodeTask(this.model);
  }

  /** Starts converging (a new task, or one just restored and adopted). */
  kick(): void {
    this.enqueue(() => undefined);
  }

  /** What the control plane wants now. */
  setDesired(desired: DesiredTask): void {
    this.enqueue(() => this.apply({ type: 'desired', desired }));
  }

  /** The control plane's complete task set no longer has this task: stop it. */
  unassign(): void {
    this.enqueue(() => this.apply({ type: 'unassigned' }));
  }

  /**
   * Takes over the containers that exist for this task (found by label after a restart):
   * each container is matched to the existing one, so none is ever created twice.
   */
  adopt(found: readonly ContainerSummary[]): void {
    this.enqueue(async () => {
      const pauseId = this.model.network?.known === 'READY' ? this.model.network.pauseId : undefined;
      if (pauseId && (await this.inspect(pauseId))?.state !== 'running') this.apply({ type: 'networkLost' });
      for (const c of this.model.containers) {
        const mine = found
          .filter((s) => s.labels[LABEL.containerName] === c.name)
          .sort((a, b) => Number(b.id === c.runtimeId) - Number(a.id === c.runtimeId) || (PREFERENCE[a.state] ?? 9) - (PREFERENCE[b.state] ?? 9));
        const pick = mine[0];
        if (pick) this.deps.track(pick.id);
        const id = pick?.id ?? c.runtimeId;
        if (!id || c.known === 'STOPPED') continue;
        this.apply({ type: 'observed', container: c.name, info: await this.inspect(id) });
      }
    });
  }

  /** A container of this task exited. */
  onExit(runtimeId: string, exitCode: number): void {
    this.enqueue(async () => {
      const c = this.byRuntimeId(runtimeId);
      if (!c || c.known === 'STOPPED') return;
      const info = await this.inspect(runtimeId).catch(() => undefined);
      if (info && (info.state === 'exited' || info.state === 'dead')) this.apply({ type: 'observed', container: c.name, info });
      else this.apply({ type: 'exited', container: c.name, exitCode });
    });
  }

  /** A container of this task changed health. */
  onHealth(runtimeId: string, health: 'starting' | 'healthy' | 'unhealthy'): void {
    this.enqueue(() => {
      const c = this.byRuntimeId(runtimeId);
      if (c) this.apply({ type: 'health', container: c.name, health });
    });
  }

  /** Events may have been missed: look at every live container again. */
  resync(): void {
    this.enqueue(async () => {
      for (const c of this.model.containers) {
        if (!c.runtimeId || c.known === 'STOPPED' || c.busy) continue;
        this.apply({ type: 'observed', container: c.name, info: await this.inspect(c.runtimeId) });
      }
    });
  }

  /** Stops acting: pending work finishes, nothing new starts, containers are left as they are. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.cleanupTimer);
    // What was read and not acknowledged is read again from the checkpointed cursor next time.
    for (const shipper of this.shippers.values()) shipper.stop();
    await this.queue;
  }

  private enqueue(step: () => void | Promise<void>): void {
    this.queue = this.queue
      .then(async () => {
        if (this.closed) return;
        await step();
        if (!this.closed) this.converge();
      })
      .catch((err: unknown) => this.deps.log(`task ${this.taskArn}: ${messageOf(err)}`));
  }

  private apply(event: TaskEvent): void {
    this.model = reduce(this.model, event, this.deps.clock.now());
  }

  /** Plans, starts the actions, reports, saves, and schedules cleanup once STOPPED. */
  private converge(): void {
    const planned = plan(this.model, this.deps.clock.now());
    this.model = planned.task;
    for (const action of planned.actions) void this.run(action);
    this.shipLogs();

    const change = toStateChange(this.model);
    const report = change && JSON.stringify(change);
    if (change && report !== this.lastReport) {
      this.lastReport = report;
      this.deps.report(change);
    }
    const saved = JSON.stringify(this.record());
    if (saved !== this.lastSaved) {
      this.lastSaved = saved;
      this.deps.persist().catch((err: unknown) => this.deps.log(`saving state: ${messageOf(err)}`));
    }
    if (this.model.known === 'STOPPED' && !this.cleanupTimer) {
      this.resources.stopped().catch((err: unknown) => this.deps.log(`task ${this.taskArn}: stopping its namespaces: ${messageOf(err)}`));
      const due = (this.model.stoppedAt ?? this.deps.clock.now()) + this.deps.cleanupWaitMs;
      this.scheduleCleanup(Math.max(0, due - this.deps.clock.now()));
    }
  }

  private async run(action: TaskAction): Promise<void> {
    if (!('container' in action)) {
      const result = await this.network(action.kind);
      this.enqueue(() => this.apply(result));
      return;
    }
    const c = this.model.containers.find((x) => x.name === action.container);
    if (!c) return;
    let result: TaskEvent;
    switch (action.kind) {
      case 'pull':
        result = await this.pull(c);
        break;
      case 'create':
        result = await this.create(c);
        break;
      case 'start':
        result = await this.start(c);
        break;
      case 'stop':
        result = await this.stop(c);
        break;
    }
    this.enqueue(() => this.apply(result));
  }

  private async pull(c: ContainerModel): Promise<TaskEvent> {
    const image = this.imageOf(c);
    try {
      if (!image) throw new Error(`container ${c.name} has no image`);
      const auth = this.model.desired.registryAuth;
      const registryHost = this.deps.registryHost?.();
      const fromRegistry = image !== c.def.image || (registryHost !== undefined && image.startsWith(`${registryHost}/`));
      let credentials = fromRegistry && auth ? { ...auth, serveraddress: registryHost! } : undefined;
      const parameter = c.def.repositoryCredentials?.credentialsParameter;
      if (!(await this.deps.runtime.imageExists(image))) {
        if (parameter) {
          try {
            credentials = { ...(await resolveRegistryCredentials(parameter, this.secretStores())), serveraddress: registryOf(image) };
          } catch (err) {
            return { type: 'failed', container: c.name, step: 'resources', message: messageOf(err) };
          }
        }
        await this.deps.runtime.pullImage(image, credentials);
      }
      return { type: 'pulled', container: c.name };
    } catch (err) {
      return { type: 'failed', container: c.name, step: 'pull', message: `pull image ${image}: ${messageOf(err)}` };
    }
  }

  /** The image to pull and run: ECR-form names mapped to Wharf's registry. */
  private imageOf(c: ContainerModel): string {
    const image = c.def.image ?? '';
    const registryHost = this.deps.registryHost?.();
    return (registryHost && registryImageRef(image, registryHost)) || image;
  }

  private async create(c: ContainerModel): Promise<TaskEvent> {
    const { runtime, agentId, hostIp, ids } = this.deps;
    const t = this.model;
    try {
      const existing = await runtime.listContainers({ [LABEL.agentId]: agentId, [LABEL.taskArn]: t.taskArn, [LABEL.containerName]: c.name });
      const found = existing.sort((a, b) => (PREFERENCE[a.state] ?? 9) - (PREFERENCE[b.state] ?? 9))[0];
      if (found) {
        this.deps.track(found.id);
        return { type: 'observed', container: c.name, info: await runtime.inspectContainer(found.id), ends: 'create' };
      }
      let secrets: ContainerSecrets | undefined;
      try {
        secrets = await this.secretsOf(c);
      } catch (err) {
        return { type: 'failed', container: c.name, step: 'resources', message: messageOf(err) };
      }
      const dockerName = dockerContainerName(t.desired.spec.family, t.desired.spec.revision, c.name, ids.hex32().slice(0, 20));
      const dockerNames = Object.fromEntries(t.containers.filter((x) => x.dockerName).map((x) => [x.name, x.dockerName!]));
      const options = containerCreateOptions({ ...definitionToRun(t, c, secrets, this.deps.taskEndpointsUrl), image: this.imageOf(c) }, {
        taskArn: t.taskArn, clusterArn: t.desired.clusterArn, agentId, spec: t.desired.spec, hostIp, dockerName, dockerNames,
        pauseId: t.network?.pauseId,
        cgroupParent: this.cgroupParent(),
        resolver: this.deps.taskResolver,
      });
      Object.assign(options.HostConfig, await this.resources.hostConfigFor(c.def, dockerNames));
      await this.deps.persist().catch((err: unknown) => this.deps.log(`saving state: ${messageOf(err)}`));
      const runtimeId = await runtime.createContainer(options);
      this.deps.track(runtimeId);
      return { type: 'created', container: c.name, runtimeId, dockerName };
    } catch (err) {
      return { type: 'failed', container: c.name, step: 'create', message: messageOf(err), ...(err instanceof TaskResourceError && { reason: err.message }) };
    }
  }

  /**
   * awslogs: a shipper for each container that has run and whose output is not all in
   * CloudWatch Logs yet (after a restart too, from its cursor: a container that stopped meanwhile
   * has its remaining output shipped).
   */
  private shipLogs(): void {
    const { logSink } = this.deps;
    if (!logSink || this.closed) return;
    const t = this.model;
    for (const c of t.containers) {
      if (c.def.logConfiguration?.logDriver !== 'awslogs' || !c.runtimeId || !c.started || c.logsDone || this.shippers.has(c.name)) continue;
      const region = t.taskArn.split(':')[3] ?? 'us-east-1';
      const runtimeId = c.runtimeId;
      const shipper = new LogShipper({
        follow: (since) => this.deps.runtime.followLogs(runtimeId, since),
        from: c.logCursor,
        sink: logSink(t.desired, region),
        options: awslogsOptions(c.def, this.taskId, runtimeId, region),
        inFlight: c.logInFlight,
        onShipped: (cursor) => this.enqueue(() => this.apply({ type: 'logsShipped', container: c.name, cursor })),
        // Checkpointed before the batch goes: after a crash the shipper looks for it at the stream's end.
        // With the batch acknowledged before it, if any: one write a batch.
        onInFlight: (batch, shipped) => new Promise<void>((resolve) => (this.closed ? resolve() : this.enqueue(async () => {
          if (shipped) this.apply({ type: 'logsShipped', container: c.name, cursor: shipped });
          this.apply({ type: 'logsInFlight', container: c.name, batch });
          // Saved here, and known to be: the pass after this step does not write it again.
          this.lastSaved = JSON.stringify(this.record());
          await this.deps.persist().catch((err: unknown) => this.deps.log(`saving state: ${messageOf(err)}`));
          resolve();
        }))),
        log: (message) => this.deps.log(`task ${this.taskArn}: ${message}`),
      });
      this.shippers.set(c.name, shipper);
      shipper.run()
        .then(() => this.enqueue(() => {
          this.shippers.delete(c.name);
          // The output ends when the container stops: then all of it is shipped.
          if (this.model.containers.find((x) => x.name === c.name)?.known === 'STOPPED') this.apply({ type: 'logsShipped', container: c.name, done: true });
        }))
        .catch((err: unknown) => this.enqueue(() => {
          this.shippers.delete(c.name);
          this.deps.log(`task ${this.taskArn}: awslogs for ${c.name}: ${messageOf(err)}`);
        }));
    }
  }

  /** The container's secrets, resolved (once for the whole task) with the task's execution role; undefined when it has none. */
  private async secretsOf(c: ContainerModel): Promise<ContainerSecrets | undefined> {
    const containers = this.model.desired.spec.containers;
    if (!containers.some((d) => d.secrets?.length || d.logConfiguration?.secretOptions?.length)) return undefined;
    this.secrets ??= resolveTaskSecrets(containers, this.secretStores());
    return (await this.secrets).get(c.name);
  }

  /** Secrets Manager and Parameter Store, called with the task's execution role. */
  private secretStores(): SecretStores {
    const { credentials, apiServer } = this.deps;
    const t = this.model;
    if (!credentials || !apiServer) throw new SecretsUnavailable('unable to pull secrets or registry auth: this agent cannot act for tasks (no link to the control plane)');
    if (!t.desired.spec.executionRoleArn) {
      throw new SecretsUnavailable('unable to pull secrets or registry auth: the task definition has no execution role (executionRoleArn) to fetch them with');
    }
    const region = t.taskArn.split(':')[3] ?? 'us-east-1';
    return secretStores(apiServer(), region, async () => {
      try {
        return await credentials.get(t.taskArn, 'execution');
      } catch (err) {
        throw new SecretsUnavailable(`unable to pull secrets or registry auth: execution resource retrieval failed: unable to assume the execution role: ${messageOf(err)}`);
      }
    });
  }

  private async start(c: ContainerModel): Promise<TaskEvent> {
    const id = c.runtimeId;
    try {
      if (!id) throw new Error(`container ${c.name} was never created`);
      await this.deps.runtime.startContainer(id);
      return { type: 'observed', container: c.name, info: await this.inspect(id), ends: 'start' };
    } catch (err) {
      return { type: 'failed', container: c.name, step: 'start', message: messageOf(err) };
    }
  }

  private async stop(c: ContainerModel): Promise<TaskEvent> {
    const id = c.runtimeId!;
    try {
      await this.deps.runtime.stopContainer(id, stopTimeoutSeconds(c.def));
      return { type: 'observed', container: c.name, info: await this.inspect(id), ends: 'stop' };
    } catch (err) {
      this.deps.log(`task ${this.taskArn}: stopping container ${c.name}: ${messageOf(err)}; retrying`);
      await delay(this.deps.retryMs ?? 1000);
      return { type: 'stopFailed', container: c.name };
    }
  }

  /** An awsvpc task's namespace: set up, firewall replaced, or released. */
  private async network(kind: 'setupNetwork' | 'applyFirewall' | 'releaseNetwork'): Promise<TaskEvent> {
    const { networks } = this.deps;
    const iface = this.model.desired.networkInterface!;
    switch (kind) {
      case 'setupNetwork': {
        if (!networks) return { type: 'networkFailed', message: 'this agent cannot give tasks their own network namespace (awsvpc)' };
        let pauseId: string | undefined;
        try {
          await this.limitTask();
          pauseId = await this.pauseContainer(networks);
          await this.deps.runtime.startContainer(pauseId);
          await networks.attach(await this.pauseProcess(pauseId), iface);
          return { type: 'networkReady', pauseId, firewall: JSON.stringify(iface.firewall) };
        } catch (err) {
          return { type: 'networkFailed', pauseId, message: `failed to set up the task's namespace and cgroup: ${messageOf(err)}` };
        }
      }
      case 'applyFirewall': {
        const firewall = desiredFirewall(this.model);
        try {
          await networks!.applyFirewall(await this.pauseProcess(this.model.network!.pauseId!), iface.firewall);
          return { type: 'firewallApplied', firewall };
        } catch (err) {
          this.deps.log(`task ${this.taskArn}: loading its firewall: ${messageOf(err)}; retrying`);
          await delay(this.deps.retryMs ?? 1000);
          return { type: 'networkRetry' };
        }
      }
      case 'releaseNetwork': {
        try {
          // Nothing else runs in the namespace now: stopping the pause container ends it, and its interface with it.
          await this.deps.runtime.stopContainer(this.model.network!.pauseId!, 0);
          await networks?.detach(iface);
          if (this.cgroupParent()) await this.deps.cgroups!.remove(this.taskId).catch(() => undefined);
          return { type: 'networkReleased' };
        } catch (err) {
          this.deps.log(`task ${this.taskArn}: releasing its network: ${messageOf(err)}; retrying`);
          await delay(this.deps.retryMs ?? 1000);
          return { type: 'networkRetry' };
        }
      }
    }
  }

  /** The task's pause container: the one a previous attempt made (found by its labels), else a new one. */
  private async pauseContainer(networks: TaskNetworks): Promise<string> {
    const { runtime, agentId, ids } = this.deps;
    const t = this.model;
    const labels = { [LABEL.agentId]: agentId, [LABEL.taskArn]: t.taskArn, [LABEL.containerName]: PAUSE_CONTAINER_NAME };
    const existing = (await runtime.listContainers(labels)).sort((a, b) => (PREFERENCE[a.state] ?? 9) - (PREFERENCE[b.state] ?? 9))[0];
    if (existing && existing.state !== 'exited' && existing.state !== 'dead') return existing.id;
    if (existing) await runtime.removeContainer(existing.id);
    const dockerName = dockerContainerName(t.desired.spec.family, t.desired.spec.revision, 'internalecspause', ids.hex32().slice(0, 20));
    return runtime.createContainer(pauseContainerOptions(await networks.pauseImage(), {
      taskArn: t.taskArn, clusterArn: t.desired.clusterArn, agentId, spec: t.desired.spec, dockerName, cgroupParent: this.cgroupParent(),
      resolver: this.deps.taskResolver,
    }));
  }

  /** The task's volumes and shared namespaces. */
  private get resources(): TaskResources {
    const { runtime, ids, agentId, networks, efsDir } = this.deps;
    return (this.taskResources ??= new TaskResources({
      runtime, ids, agentId, desired: this.model.desired, pauseImage: networks && (() => networks.pauseImage()), cgroupParent: this.cgroupParent(), efsDir,
    }));
  }

  /** The task's id (the last part of its ARN). */
  private get taskId(): string {
    return this.taskArn.slice(this.taskArn.lastIndexOf('/') + 1);
  }

  /** The task's cgroup, for a Fargate task on a host that has task cgroups. */
  private cgroupParent(): string | undefined {
    return this.model.desired.launchType === 'FARGATE' && this.deps.cgroups ? taskCgroupParent(this.taskId) : undefined;
  }

  /** A Fargate task's cpu and memory become limits on its cgroup, before anything of it is created. */
  private async limitTask(): Promise<void> {
    if (!this.cgroupParent()) return;
    const { cpu, memory } = this.model.desired.spec;
    await this.deps.cgroups!.create(this.taskId, { cpu, memory });
  }

  /** The process id of a running pause container: its namespace is the task's. */
  private async pauseProcess(pauseId: string): Promise<number> {
    const info = await this.inspect(pauseId);
    if (!info?.pid) throw new Error(`the task's pause container ${pauseId.slice(0, 12)} is not running`);
    return info.pid;
  }

  private scheduleCleanup(ms: number): void {
    this.cleanupTimer = setTimeout(() => {
      this.enqueue(async () => {
        try {
          await this.removeContainers();
          await this.resources.removeVolumes();
          if (this.cgroupParent()) await this.deps.cgroups!.remove(this.taskId);
          this.deps.credentials?.forget(this.taskArn);
          this.closed = true;
          this.deps.forget(this.taskArn);
        } catch (err) {
          this.deps.log(`task ${this.taskArn}: cleanup: ${messageOf(err)}; retrying`);
          this.scheduleCleanup(this.deps.retryMs ?? 1000);
        }
      });
    }, ms);
    this.cleanupTimer.unref();
  }

  /** Removes the task's containers: the known ones and any other carrying its labels. */
  private async removeContainers(): Promise<void> {
    const { runtime, agentId } = this.deps;
    const ids = new Set(this.model.containers.flatMap((c) => (c.runtimeId ? [c.runtimeId] : [])));
    for (const s of await runtime.listContainers({ [LABEL.agentId]: agentId, [LABEL.taskArn]: this.taskArn })) ids.add(s.id);
    for (const id of ids) await runtime.removeContainer(id);
  }

  /**
   * The runtime's view of a container. A container of a Fargate task killed (137) after the
   * kernel killed for lack of memory in the task's cgroup ran out of the task's memory: Docker
   * sees that only for a container's own limit.
   */
  private async inspect(id: string) {
    const info = await this.deps.runtime.inspectContainer(id);
    if (info && info.exitCode === 137 && !info.oomKilled && this.cgroupParent() && (await this.deps.cgroups!.oomKills(this.taskId)) > 0) {
      return { ...info, oomKilled: true };
    }
    return info;
  }

  private byRuntimeId(id: string): ContainerModel | undefined {
    return this.model.containers.find((c) => c.runtimeId === id);
  }
}

/** The registry host of an image reference (Docker Hub's when it names none). */
function registryOf(image: string): string {
  const first = image.split('/')[0]!;
  return image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
