/**
 * Pure: how a task's volumes and namespaces become Docker's, as the amazon-ecs-agent makes them.
 *
 *   volume                                        on this host
 *   host.sourcePath                               the path, bound as it is (Docker creates it when missing)
 *   host {} or no host (mounted by a container)   a `local` Docker volume made for the task
 *   dockerVolumeConfiguration scope task          a Docker volume made for the task (driver, driverOpts, labels)
 *   dockerVolumeConfiguration scope shared        the Docker volume of that very name, kept across tasks
 *                                                 (autoprovision: created when missing)
 *
 * Volumes made for a task are named `ecs-<family>-<revision>-<volume>-<hex>` and carry the task's
 * ARN, the agent's id and the task volume's name as labels, so the agent finds them again after a
 * restart and removes them with the task's containers. Containers mount them through `Binds`
 * (`source:containerPath[:ro]`) and each other's through `VolumesFrom` (`dockerName[:ro]`).
 *
 * pidMode/ipcMode `task`: the task's containers join the namespaces of one namespace pause
 * container (`container:<id>`); `host` and `none` are Docker's own modes.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import type { TaskSpec } from '../common/index.ts';
import { LABEL, MIN_CPU_SHARES, containerLabels, type ContainerContext } from './container-config.ts';
import type { ContainerCreateOptions, HostConfig, VolumeCreateOptions, VolumeInfo } from './runtime.ts';

/** The label naming which of the task's volumes a Docker volume made for the task is. */
export const TASK_VOLUME_LABEL = 'wharf.task-volume';

/** The container-name label of the namespace pause container (the ECS agent's internal name for it). */
export const NAMESPACE_PAUSE_CONTAINER_NAME = '~internal~ecs~pause~namespace';

/** What one of the task's volumes is on this host. */
export type VolumeSource =
  | { name: string; kind: 'bind'; hostPath: string }
  /** Made for the task and removed with it. */
  | { name: string; kind: 'task'; create: VolumeCreateOptions }
  /** Kept across tasks under its own name. */
  | { name: string; kind: 'shared'; create: VolumeCreateOptions; autoprovision: boolean };

/** Who the task is, for naming and labelling the volumes made for it. */
export interface TaskVolumeContext {
  taskArn: string;
  agentId: string;
  spec: Pick<TaskSpec, 'family' | 'revision' | 'volumes' | 'containers'>;
  /** Random hex for new volume names. */
  randomHex: () => string;
  /** Volumes made for this task earlier (found by its labels after a restart): reused, never made twice. */
  existing: readonly VolumeInfo[];
}

/** ECS's name of a volume made for a task: `ecs-<family>-<revision>-<volume>-<hex>`. */
export function taskVolumeName(family: string, revision: number, volume: string, randomHex: string): string {
  return `ecs-${family}-${revision}-${volume}-${randomHex}`;
}

/**
 * What each of the task's volumes needs: bind mounts need nothing; a volume without a host path
 * is made only when a container mounts it (as the ECS agent does); Docker volumes always are.
 */
export function volumeSources(ctx: TaskVolumeContext): VolumeSource[] {
  const mounted = new Set(ctx.spec.containers.flatMap((c) => (c.mountPoints ?? []).map((m) => m.sourceVolume)));
  const out: VolumeSource[] = [];
  for (const v of ctx.spec.volumes ?? []) {
    const name = v.name ?? '';
    const docker = v.dockerVolumeConfiguration;
    if (v.efsVolumeConfiguration || v.fsxWindowsFileServerVolumeConfiguration) continue;
    if (docker?.scope === 'shared') {
      out.push({ name, kind: 'shared', autoprovision: docker.autoprovision === true, create: volumeOptions(name, docker.driver, docker.driverOpts, docker.labels) });
      continue;
    }
    if (!docker && v.host?.sourcePath) {
      out.push({ name, kind: 'bind', hostPath: v.host.sourcePath });
      continue;
    }
    if (!docker && !mounted.has(name)) continue;
    const own = { [LABEL.taskArn]: ctx.taskArn, [LABEL.agentId]: ctx.agentId, [TASK_VOLUME_LABEL]: name };
    const found = ctx.existing.find((e) => e.labels[TASK_VOLUME_LABEL] === name && e.labels[LABEL.taskArn] === ctx.taskArn);
    const dockerName = found?.name ?? taskVolumeName(ctx.spec.family, ctx.spec.revision, name, ctx.randomHex());
    out.push({ name, kind: 'task', create: volumeOptions(dockerName, docker?.driver, docker?.driverOpts, { ...docker?.labels, ...own }) });
  }
  return out;
}

function volumeOptions(name: string, driver?: string, driverOpts?: Record<string, string>, labels?: Record<string, string>): VolumeCreateOptions {
  return {
    Name: name,
    Driver: driver || 'local',
    ...(driverOpts && Object.keys(driverOpts).length && { DriverOpts: { ...driverOpts } }),
    ...(labels && Object.keys(labels).length && { Labels: { ...labels } }),
  };
}

/** What to do about a shared volume, given the one of its name on this host (if any). */
export type SharedVolumeDecision = { action: 'use' } | { action: 'create' } | { error: string };

/**
 * The ECS agent's rules for a shared volume: without autoprovision it must exist; with it, it
 * is created when missing, and one that exists must have the driver, options and labels asked for.
 */
export function sharedVolumeDecision(source: Extract<VolumeSource, { kind: 'shared' }>, found: VolumeInfo | undefined): SharedVolumeDecision {
  const { Name: name, Driver: driver = 'local', DriverOpts: options = {}, Labels: labels = {} } = source.create;
  if (!found) {
    return source.autoprovision
      ? { action: 'create' }
      : { error: `initialize volume: volume detection failed, volume '${name}' does not exist and autoprovision is set to false` };
  }
  if (!source.autoprovision) return { action: 'use' };
  const mismatch = (what: string, existing: string, expected: string) =>
    ({ error: `initialize volume: autoprovisioned volume does not match existing volume ${what}: existing: ${existing}, expected: ${expected}` });
  if (found.driver !== driver) return mismatch('driver', found.driver, driver);
  if (!sameMap(found.labels, labels)) return mismatch('labels', goMap(found.labels), goMap(labels));
  if (!sameMap(found.options, options)) return mismatch('options', goMap(found.options), goMap(options));
  return { action: 'use' };
}

function sameMap(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => b[k] === a[k]);
}

/** A map as the ECS agent prints one in its reasons (`map[k:v k2:v2]`, keys sorted). */
function goMap(m: Record<string, string>): string {
  return `map[${Object.keys(m).sort().map((k) => `${k}:${m[k]}`).join(' ')}]`;
}

/** Whether every container `def` takes volumes from has been created (Docker needs it to exist). */
export function volumesFromCreated(def: ContainerDefinition, created: (name: string) => boolean): boolean {
  return (def.volumesFrom ?? []).every((v) => created(v.sourceContainer ?? ''));
}

/**
 * A container's mounts: `Binds` from its mountPoints (`sources` maps each task volume to the host
 * path or Docker volume behind it) and `VolumesFrom` with the other containers' Docker names.
 */
export function containerMounts(def: ContainerDefinition, sources: ReadonlyMap<string, string>, dockerNames: Readonly<Record<string, string>>): Pick<HostConfig, 'Binds' | 'VolumesFrom'> {
  const ro = (readOnly: boolean | undefined) => (readOnly ? ':ro' : '');
  const out: Pick<HostConfig, 'Binds' | 'VolumesFrom'> = {};
  if (def.mountPoints?.length) {
    out.Binds = def.mountPoints.map((m) => {
      const source = sources.get(m.sourceVolume ?? '');
      if (source === undefined) throw new Error(`container ${def.name}: volume ${m.sourceVolume} is not one of the task's`);
      return `${source}:${m.containerPath}${ro(m.readOnly)}`;
    });
  }
  if (def.volumesFrom?.length) {
    out.VolumesFrom = def.volumesFrom.map((v) => {
      const name = dockerNames[v.sourceContainer ?? ''];
      if (!name) throw new Error(`container ${def.name}: container ${v.sourceContainer} it takes volumes from was not created`);
      return `${name}${ro(v.readOnly)}`;
    });
  }
  return out;
}

/** Whether the task's containers share namespaces held by a namespace pause container. */
export function needsNamespacePause(spec: Pick<TaskSpec, 'pidMode' | 'ipcMode'>): boolean {
  return spec.pidMode === 'task' || spec.ipcMode === 'task';
}

/** A container's PID and IPC modes: `task` joins the namespace pause container (`namespaceId`). */
export function namespaceModes(spec: Pick<TaskSpec, 'pidMode' | 'ipcMode'>, namespaceId: string | undefined): Pick<HostConfig, 'PidMode' | 'IpcMode'> {
  const out: Pick<HostConfig, 'PidMode' | 'IpcMode'> = {};
  const join = (mode: string | undefined) => {
    if (mode !== 'task') return mode;
    if (!namespaceId) throw new Error("the task's namespace pause container is not running");
    return `container:${namespaceId}`;
  };
  if (spec.pidMode) out.PidMode = join(spec.pidMode);
  if (spec.ipcMode) out.IpcMode = join(spec.ipcMode);
  return out;
}

/** Docker create options for the namespace pause container: no network, an IPC namespace others may join. */
export function namespacePauseOptions(image: string, ctx: Omit<ContainerContext, 'hostIp' | 'dockerNames' | 'pauseId'>): ContainerCreateOptions {
  return {
    name: ctx.dockerName,
    Image: image,
    Labels: containerLabels({ name: NAMESPACE_PAUSE_CONTAINER_NAME }, ctx),
    HostConfig: {
      NetworkMode: 'none',
      CpuShares: MIN_CPU_SHARES,
      ...(ctx.spec.ipcMode === 'task' && { IpcMode: 'shareable' }),
      ...(ctx.cgroupParent && { CgroupParent: ctx.cgroupParent }),
    },
  };
}
