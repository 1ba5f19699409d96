/**
 * A task's volumes and shared namespaces on this host: made once, before its first container
 * is created (again after a restart: what exists is found by the task's labels and reused), the
 * namespace pause container stopped once the task has STOPPED, and the volumes made for the task
 * removed after its containers, at cleanup. The mapping itself is pure (`task-volumes.ts`).
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { DesiredTask, Ids } from '../common/index.ts';
import { LABEL, dockerContainerName } from './container-config.ts';
import type { ContainerRuntime, HostConfig } from './runtime.ts';
import {
  NAMESPACE_PAUSE_CONTAINER_NAME, containerMounts, namespaceModes, namespacePauseOptions, needsNamespacePause, sharedVolumeDecision, volumeSources,
} from './task-volumes.ts';
import { EfsMountError, efsMountFailure, prepareEfsVolume } from './efs-volumes.ts';

/** A task could not get its volumes or namespaces: `message` is the task's stoppedReason. */
export class TaskResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskResourceError';
  }
}

/** What the task's resources need from its owner. */
export interface TaskResourcesOptions {
  runtime: ContainerRuntime;
  ids: Ids;
  agentId: string;
  desired: DesiredTask;
  /** The image of pause containers (none: this agent cannot hold a task's namespaces). */
  pauseImage?: () => Promise<string>;
  /** The task's cgroup, when it has one. */
  cgroupParent?: string;
  /** The directory every host of the cluster mounts, holding the EFS file systems (none: EFS volumes fail). */
  efsDir?: string;
}

interface Prepared {
  /** Each task volume's host path or Docker volume name. */
  sources: Map<string, string>;
  namespaceId?: string;
}

/** One task's volumes and namespaces. */
export class TaskResources {
  private prepared?: Promise<Prepared>;

  constructor(private readonly o: TaskResourcesOptions) {}

  private get labels(): Record<string, string> {
    return { [LABEL.agentId]: this.o.agentId, [LABEL.taskArn]: this.o.desired.taskArn };
  }

  /**
   * What a container's HostConfig gains: its mounts and namespaces. The first call prepares the
   * task's (later calls share that); a failure is a TaskResourceError in ECS's words.
   */
  async hostConfigFor(def: ContainerDefinition, dockerNames: Readonly<Record<string, string>>): Promise<Partial<HostConfig>> {
    const { spec } = this.o.desired;
    if (!spec.volumes?.length && !spec.pidMode && !spec.ipcMode && !def.volumesFrom?.length) return {};
    this.prepared ??= this.prepare();
    const { sources, namespaceId } = await this.prepared;
    return { ...containerMounts(def, sources, dockerNames), ...namespaceModes(spec, namespaceId) };
  }

  private async prepare(): Promise<Prepared> {
    const { runtime, desired, ids, agentId } = this.o;
    const existing = await runtime.listVolumes(this.labels);
    const sources = new Map<string, string>();
    const plan = volumeSources({ taskArn: desired.taskArn, agentId, spec: desired.spec, existing, randomHex: () => ids.hex32().slice(0, 20) });
    for (const source of plan) {
      if (source.kind === 'bind') {
        sources.set(source.name, source.hostPath);
        continue;
      }
      const name = source.create.Name;
      if (source.kind === 'shared') {
        const decision = sharedVolumeDecision(source, await this.inspect(name));
        if ('error' in decision) throw new TaskResourceError(decision.error);
        if (decision.action === 'create') await this.create(source.create);
      } else if (!existing.some((v) => v.name === name)) {
        await this.create(source.create);
      }
      sources.set(source.name, name);
    }
    for (const [name, volume] of Object.entries(desired.spec.efsVolumes ?? {})) sources.set(name, await this.efsVolume(volume));
    return { sources, namespaceId: needsNamespacePause(desired.spec) ? await this.namespacePause() : undefined };
  }

  /** The host directory of an EFS volume, made ready as EFS would on first mount. */
  private async efsVolume(volume: NonNullable<DesiredTask['spec']['efsVolumes']>[string]): Promise<string> {
    if (!this.o.efsDir) throw new TaskResourceError(efsMountFailure('this container instance has no EFS directory (wharf agent --efs-dir)', 1));
    try {
      return await prepareEfsVolume(this.o.efsDir, volume);
    } catch (err) {
      throw new TaskResourceError(err instanceof EfsMountError ? err.message : efsMountFailure(messageOf(err), 1));
    }
  }

  private async inspect(name: string) {
    try {
      return await this.o.runtime.inspectVolume(name);
    } catch (err) {
      throw new TaskResourceError(`ResourceInitializationError: ${messageOf(err)}`);
    }
  }

  private async create(options: Parameters<ContainerRuntime['createVolume']>[0]): Promise<void> {
    try {
      await this.o.runtime.createVolume(options);
    } catch (err) {
      throw new TaskResourceError(`ResourceInitializationError: ${messageOf(err)}`);
    }
  }

  /** The running namespace pause container: the one made before (found by its labels), else a new one. */
  private async namespacePause(): Promise<string> {
    const { runtime, desired, ids, agentId, pauseImage } = this.o;
    try {
      const found = (await runtime.listContainers({ ...this.labels, [LABEL.containerName]: NAMESPACE_PAUSE_CONTAINER_NAME }))[0];
      if (found?.state === 'running') return found.id;
      if (!found && !pauseImage) throw new Error("this agent cannot hold a task's shared PID or IPC namespace (pidMode or ipcMode task)");
      const id = found?.id ?? await runtime.createContainer(namespacePauseOptions(await pauseImage!(), {
        taskArn: desired.taskArn, clusterArn: desired.clusterArn, agentId, spec: desired.spec, cgroupParent: this.o.cgroupParent,
        dockerName: dockerContainerName(desired.spec.family, desired.spec.revision, 'internalecspausenamespace', ids.hex32().slice(0, 20)),
      }));
      await runtime.startContainer(id);
      return id;
    } catch (err) {
      throw new TaskResourceError(`ResourceInitializationError: failed to set up the task's namespaces: ${messageOf(err)}`);
    }
  }

  /** The task has STOPPED: nothing is left in its namespaces, so their pause container stops. */
  async stopped(): Promise<void> {
    if (!needsNamespacePause(this.o.desired.spec)) return;
    for (const c of await this.o.runtime.listContainers({ ...this.labels, [LABEL.containerName]: NAMESPACE_PAUSE_CONTAINER_NAME })) {
      await this.o.runtime.stopContainer(c.id, 0);
    }
  }

  /** Removes the volumes made for the task (call once its containers are removed); shared ones stay. */
  async removeVolumes(): Promise<void> {
    for (const v of await this.o.runtime.listVolumes(this.labels)) await this.o.runtime.removeVolume(v.name);
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
