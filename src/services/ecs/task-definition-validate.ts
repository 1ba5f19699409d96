/**
 * Pure validation of a RegisterTaskDefinition request: reads the input into the task
 * definition Wharf stores (normalized as ECS normalizes it: default network mode, cpu and
 * memory in units, host ports filled in, HealthCheck defaults) or throws the error ECS
 * returns. ECS answers most task definition problems with ClientException, so the request is
 * read through Fields whose `invalid` is ClientException; tags keep InvalidParameterException.
 * No I/O: RegisterTaskDefinition calls this before it opens a transaction.
 */
import {
  Compatibility, CPUArchitecture, EFSAuthorizationConfigIAM, EFSTransitEncryption, IpcMode, NetworkMode, OSFamily, PidMode,
  ProxyConfigurationType, Scope as VolumeScope, TaskDefinitionPlacementConstraintType,
  type ContainerDefinition, type ProxyConfiguration, type Tag, type TaskDefinitionPlacementConstraint, type Volume,
} from '@aws-sdk/client-ecs';
import { Fields } from '../../aws/index.ts';
import {
  EcsErrors, FAMILY_PATTERN, NAME_PATTERN, checkContainerResources, compatibilitiesFor, isFargateSize, readTaskCpu, readTaskMemory,
  requiresAttributesFor, type TaskDefinitionRecord,
} from '../../ecs/index.ts';
import { readEnumList, readTags } from './common.ts';
import { readKeyValuePairs } from './container-definition-parts.ts';
import { readContainerDefinition } from './container-definition-validate.ts';

/** ECS's quota of containers in one task definition. */
export const MAX_CONTAINERS = 10;

/** What a registered revision holds from its request; the handler adds revision, ARN, status, times. */
export type RegisteredTaskDefinition = Omit<TaskDefinitionRecord,
  'revision' | 'taskDefinitionArn' | 'status' | 'registeredAt' | 'deregisteredAt' | 'deleteRequestedAt' | 'registeredBy' | 'tags'>;

/** A request that passed validation: the definition to store and the tags to attach. */
export interface ValidatedTaskDefinition {
  definition: RegisteredTaskDefinition;
  tags: Tag[];
}

const values = <T extends Record<string, string>>(e: T) => Object.values(e) as T[keyof T][];
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

function readFamily(f: Fields): string {
  const raw = f.json.family;
  if (raw === undefined || raw === null || raw === '') throw EcsErrors.client('Family can not be blank.');
  const family = f.string('family', { required: true });
  if (family.length > 255) throw EcsErrors.client('Family can not be longer than 255 characters.');
  if (!FAMILY_PATTERN.test(family)) throw EcsErrors.client('Family contains invalid characters.');
  return family;
}

function readRole(f: Fields, member: 'taskRoleArn' | 'executionRoleArn'): string | undefined {
  const role = f.string(member);
  if (role === undefined || role === '') return undefined;
  if (!ROLE_ARN.test(role) && !ROLE_NAME.test(role)) throw EcsErrors.client(`Invalid arn syntax for '${member}'.`);
  return role;
}

function readVolume(v: Fields): Volume {
  const name = v.string('name', { required: true, max: 255, pattern: NAME_PATTERN, patternText: 'up to 255 letters, numbers, hyphens and underscores.' });
  const out: Volume = { name };
  const host = v.object('host');
  if (host) out.host = host.has('sourcePath') ? { sourcePath: host.string('sourcePath') } : {};
  const docker = v.object('dockerVolumeConfiguration');
  if (docker) {
    const scope = docker.enum('scope', values(VolumeScope)) ?? 'task';
    const autoprovision = docker.bool('autoprovision');
    if (autoprovision && scope !== 'shared') throw EcsErrors.client(`${docker.at('autoprovision')} can only be set when scope is shared.`);
    out.dockerVolumeConfiguration = { scope, autoprovision, driver: docker.string('driver'), driverOpts: docker.stringMap('driverOpts'), labels: docker.stringMap('labels') };
  }
  const efs = v.object('efsVolumeConfiguration');
  if (efs) {
    const transitEncryption = efs.enum('transitEncryption', values(EFSTransitEncryption));
    const auth = efs.object('authorizationConfig');
    const accessPointId = auth?.string('accessPointId');
    const iam = auth?.enum('iam', values(EFSAuthorizationConfigIAM));
    if ((accessPointId || iam === 'ENABLED') && transitEncryption !== 'ENABLED') {
      throw EcsErrors.client(`${efs.at('transitEncryption')} must be ENABLED when an access point or IAM authorization is used.`);
    }
    const rootDirectory = efs.string('rootDirectory');
    if (accessPointId && rootDirectory !== undefined && rootDirectory !== '/') {
      throw EcsErrors.client(`${efs.at('rootDirectory')} must be omitted or set to / when an access point is used.`);
    }
    out.efsVolumeConfiguration = {
      fileSystemId: efs.string('fileSystemId', { required: true }),
      rootDirectory,
      transitEncryption,
      transitEncryptionPort: efs.int('transitEncryptionPort', { min: 0, max: 65535 }),
      authorizationConfig: auth && { accessPointId, iam },
    };
  }
  const fsx = v.object('fsxWindowsFileServerVolumeConfiguration');
  if (fsx) {
    const auth = fsx.object('authorizationConfig', { required: true });
    out.fsxWindowsFileServerVolumeConfiguration = {
      fileSystemId: fsx.string('fileSystemId', { required: true }),
      rootDirectory: fsx.string('rootDirectory', { required: true }),
      authorizationConfig: { credentialsParameter: auth.string('credentialsParameter', { required: true }), domain: auth.string('domain', { required: true }) },
    };
  }
  if ([host, docker, efs, fsx].filter(Boolean).length > 1) {
    throw EcsErrors.client(`Volume '${name}' can have only one of host, dockerVolumeConfiguration, efsVolumeConfiguration and fsxWindowsFileServerVolumeConfiguration.`);
  }
  const atLaunch = v.bool('configuredAtLaunch');
  if (atLaunch !== undefined) out.configuredAtLaunch = atLaunch;
  return out;
}

function readVolumes(f: Fields): Volume[] {
  const volumes = (f.objects('volumes') ?? []).map(readVolume);
  const names = new Set<string>();
  for (const v of volumes) {
    if (names.has(v.name!)) throw EcsErrors.client(`Volume names must be unique within a Task Definition. Duplicate: '${v.name}'.`);
    names.add(v.name!);
  }
  if (volumes.filter((v) => v.configuredAtLaunch).length > 1) throw EcsErrors.client('Only one volume in a task definition can be configuredAtLaunch.');
  return volumes;
}

function readPlacementConstraints(f: Fields): TaskDefinitionPlacementConstraint[] {
  return (f.objects('placementConstraints', { maxItems: 10 }) ?? []).map((p) => ({
    type: p.enum('type', values(TaskDefinitionPlacementConstraintType), { required: true }),
    expression: p.string('expression', { required: true, max: 2000 }),
  }));
}

/** The container a dependency chain returns to, when `dependsOn` has a cycle. */
function findCycle(containers: ContainerDefinition[]): string | undefined {
  const deps = new Map(containers.map((c) => [c.name!, (c.dependsOn ?? []).map((d) => d.containerName!)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string): string | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return name;
    state.set(name, 'visiting');
    for (const next of deps.get(name) ?? []) {
      const found = visit(next);
      if (found) return found;
    }
    state.set(name, 'done');
    return undefined;
  };
  for (const c of containers) {
    const found = visit(c.name!);
    if (found) return found;
  }
  return undefined;
}

/** Rules between containers: unique names, an essential one, and links/volumesFrom/dependsOn/mountPoints that resolve. */
function checkContainerReferences(containers: ContainerDefinition[], volumes: Volume[]): void {
  const byName = new Map<string, ContainerDefinition>();
  for (const c of containers) {
    if (byName.has(c.name!)) throw EcsErrors.client('Container names must be unique within a Task Definition.');
    byName.set(c.name!, c);
  }
  if (!containers.some((c) => c.essential)) throw EcsErrors.client("Task definition doesn't have any essential container.");
  const volumeNames = new Set(volumes.map((v) => v.name));
  const other = (self: string, member: string, target: string) => {
    if (target === self || !byName.has(target)) {
      throw EcsErrors.client(`Invalid '${member}' setting for container '${self}'. '${target}' is not another container in the task definition.`);
    }
    return byName.get(target)!;
  };
  for (const c of containers) {
    const self = c.name!;
    for (const link of c.links ?? []) {
      const [target, alias, ...rest] = link.split(':');
      if (rest.length || (alias !== undefined && !NAME_PATTERN.test(alias))) throw EcsErrors.client(`Invalid 'links' setting for container '${self}'. Links are name or name:alias.`);
      other(self, 'links', target);
    }
    for (const v of c.volumesFrom ?? []) other(self, 'volumesFrom', v.sourceContainer!);
    for (const m of c.mountPoints ?? []) {
      if (!volumeNames.has(m.sourceVolume)) {
        throw EcsErrors.client(`Invalid 'mountPoints' setting for container '${self}'. Volume '${m.sourceVolume}' is not defined in the task definition's volumes.`);
      }
    }
    for (const d of c.dependsOn ?? []) {
      const target = other(self, 'dependsOn', d.containerName!);
      if ((d.condition === 'SUCCESS' || d.condition === 'COMPLETE') && target.essential) {
        throw EcsErrors.client('A dependency container with SUCCESS or COMPLETE condition cannot be an essential container');
      }
      if (d.condition === 'HEALTHY' && !target.healthCheck) {
        throw EcsErrors.client(`Invalid 'dependsOn' setting for container '${self}'. The HEALTHY condition needs a healthCheck on container '${target.name}'.`);
      }
    }
  }
  const cycle = findCycle(containers);
  if (cycle) throw EcsErrors.client(`Invalid 'dependsOn' setting: container '${cycle}' is part of a dependency cycle.`);
}

/** No host port may be bound twice in a task (same protocol); dynamic ports (0) don't count. */
function checkHostPorts(containers: ContainerDefinition[]): void {
  const taken = new Set<string>();
  for (const c of containers) {
    for (const pm of c.portMappings ?? []) {
      if (!pm.hostPort) continue;
      const key = `${pm.protocol}/${pm.hostPort}`;
      if (taken.has(key)) throw EcsErrors.client(`${(pm.protocol ?? 'tcp').toUpperCase()} host port '${pm.hostPort}' is mapped multiple times in task.`);
      taken.add(key);
    }
  }
}

/** Why the task definition can't run on Fargate, in ECS's words, or undefined when it can. */
function fargateProblem(td: RegisteredTaskDefinition, cpu: number | undefined, memory: number | undefined): string | undefined {
  const containers = td.containerDefinitions ?? [];
  if (td.networkMode !== 'awsvpc') return 'Fargate only supports network mode ‘awsvpc’.';
  if (cpu === undefined) return "Fargate requires that 'cpu' be defined at the task level.";
  if (memory === undefined) return "Fargate requires that 'memory' be defined at the task level.";
  if (!isFargateSize(cpu, memory)) {
    return `No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory. See the Amazon ECS documentation for the valid values.`;
  }
  if (td.ipcMode) return 'Tasks using the Fargate launch type do not support ipcMode.';
  if (td.pidMode === 'host') return "Tasks using the Fargate launch type do not support pidMode 'host'.";
  const privileged = containers.find((c) => c.privileged);
  if (privileged) return `Tasks using the Fargate launch type do not support 'privileged' containers (container '${privileged.name}').`;
  for (const v of td.volumes ?? []) {
    if (v.host?.sourcePath !== undefined) return `Tasks using the Fargate launch type do not support 'host.sourcePath' (volume '${v.name}').`;
    if (v.dockerVolumeConfiguration) return `Tasks using the Fargate launch type do not support 'dockerVolumeConfiguration' (volume '${v.name}').`;
  }
  if (!td.executionRoleArn) {
    if (containers.some((c) => c.logConfiguration?.logDriver === 'awslogs')) {
      return 'Fargate requires task definition to have execution role ARN to support log driver awslogs.';
    }
    if (containers.some((c) => /^\d{12}\.dkr\.ecr\./.test(c.image ?? ''))) return 'Fargate requires task definition to have execution role ARN to support ECR images.';
  }
  return undefined;
}

function readProxyConfiguration(f: Fields, containers: ContainerDefinition[]): ProxyConfiguration | undefined {
  const p = f.object('proxyConfiguration');
  if (!p) return undefined;
  const containerName = p.string('containerName', { required: true });
  if (!containers.some((c) => c.name === containerName)) {
    throw EcsErrors.client(`Invalid 'proxyConfiguration' setting. Container '${containerName}' is not defined in the task definition.`);
  }
  return { type: p.enum('type', values(ProxyConfigurationType)) ?? 'APPMESH', containerName, properties: readKeyValuePairs(p, 'properties') };
}

/** Drops undefined members (the stored record is JSON; the SDK shapes use absent members). */
const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Validates a RegisterTaskDefinition input (the request body as `ecsFields(input)`) and
 * returns the normalized definition with its derived `compatibilities` and
 * `requiresAttributes`, or throws the ClientException / InvalidParameterException ECS gives.
 */
export function validateTaskDefinition(input: Fields): ValidatedTaskDefinition {
  const f = Fields.of(input.json, EcsErrors.client, input.path);
  const family = readFamily(f);
  const networkMode = f.enum('networkMode', values(NetworkMode)) ?? 'bridge';
  const required = readEnumList(f, 'requiresCompatibilities', values(Compatibility), EcsErrors.client);

  const rawContainers = f.json.containerDefinitions;
  if (rawContainers === undefined || rawContainers === null || (Array.isArray(rawContainers) && rawContainers.length === 0)) {
    throw EcsErrors.client('Container list cannot be empty.');
  }
  const containerFields = f.objects('containerDefinitions') ?? [];
  if (containerFields.length > MAX_CONTAINERS) throw EcsErrors.client('Too many containers.');
  const containers = containerFields.map((c) => readContainerDefinition(c, networkMode));
  const volumes = readVolumes(f);
  checkContainerReferences(containers, volumes);
  checkHostPorts(containers);

  const cpu = readTaskCpu(f.string('cpu'));
  const memory = readTaskMemory(f.string('memory'));
  checkContainerResources(containers, cpu, memory);

  if (f.has('inferenceAccelerators') && (f.objects('inferenceAccelerators') ?? []).length) {
    throw EcsErrors.client('inferenceAccelerators are not supported: Amazon Elastic Inference is no longer available.');
  }
  const ephemeral = f.object('ephemeralStorage');
  const platform = f.object('runtimePlatform');
  const definition: RegisteredTaskDefinition = {
    family,
    containerDefinitions: containers,
    taskRoleArn: readRole(f, 'taskRoleArn'),
    executionRoleArn: readRole(f, 'executionRoleArn'),
    networkMode,
    volumes,
    placementConstraints: readPlacementConstraints(f),
    requiresCompatibilities: required,
    cpu: cpu === undefined ? undefined : String(cpu),
    memory: memory === undefined ? undefined : String(memory),
    pidMode: f.enum('pidMode', values(PidMode)),
    ipcMode: f.enum('ipcMode', values(IpcMode)),
    proxyConfiguration: readProxyConfiguration(f, containers),
    ephemeralStorage: ephemeral && { sizeInGiB: ephemeral.int('sizeInGiB', { required: true, min: 21, max: 200 }) },
    runtimePlatform: platform && {
      cpuArchitecture: platform.enum('cpuArchitecture', values(CPUArchitecture)),
      operatingSystemFamily: platform.enum('operatingSystemFamily', values(OSFamily)),
    },
    enableFaultInjection: f.bool('enableFaultInjection'),
  };

  const problem = fargateProblem(definition, cpu, memory);
  if (required?.includes('FARGATE') && problem) throw EcsErrors.client(problem);
  if (required?.includes('EXTERNAL') && networkMode === 'awsvpc') throw EcsErrors.client('The EXTERNAL launch type does not support networkMode=awsvpc.');
  definition.compatibilities = compatibilitiesFor(definition, problem === undefined, required);
  definition.requiresAttributes = requiresAttributesFor(definition);
  return { definition: clean(definition), tags: readTags(input) ?? [] };
}
