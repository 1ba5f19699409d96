/**
 * Pure validation of a RegisterTaskDefinition request: reads the input (its types, required
 * members and enums already checked by the model) into the task definition Wharf stores
 * (normalized as ECS normalizes it: default network mode, cpu and memory in units, host ports
 * filled in, HealthCheck defaults) or throws the error ECS returns: ClientException for most
 * task definition problems, InvalidParameterException for tags. No I/O: RegisterTaskDefinition
 * calls this before it opens a transaction.
 */
import type {
  ContainerDefinition, ProxyConfiguration, RegisterTaskDefinitionRequest, Tag, TaskDefinitionPlacementConstraint, Volume,
} from '@aws-sdk/client-ecs';
import {
  EcsErrors, FAMILY_PATTERN, NAME_PATTERN, checkContainerResources, checkVolumeReferences, compatibilitiesFor, isFargateSize, readTaskCpu, readTaskMemory,
  requiresAttributesFor, type TaskDefinitionRecord,
} from '../../ecs/index.ts';
import { checkInt, checkItems, checkString, checkTags, present } from './common.ts';
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

const client = EcsErrors.client;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

function readFamily(family: string | undefined): string {
  if (family === undefined || family === '') throw client('Family can not be blank.');
  if (family.length > 255) throw client('Family can not be longer than 255 characters.');
  if (!FAMILY_PATTERN.test(family)) throw client('Family contains invalid characters.');
  return family;
}

function readRole(role: string | undefined, member: 'taskRoleArn' | 'executionRoleArn'): string | undefined {
  if (role === undefined || role === '') return undefined;
  if (!ROLE_ARN.test(role) && !ROLE_NAME.test(role)) throw client(`Invalid arn syntax for '${member}'.`);
  return role;
}

function readVolume(v: Volume, i: number): Volume {
  const at = `volumes[${i}]`;
  const name = checkString(present(v.name, `${at}.name`, client), `${at}.name`, {
    max: 255, pattern: NAME_PATTERN, patternText: 'up to 255 letters, numbers, hyphens and underscores.',
  }, client)!;
  const out: Volume = { name };
  const { host, dockerVolumeConfiguration: docker, efsVolumeConfiguration: efs, fsxWindowsFileServerVolumeConfiguration: fsx } = v;
  if (host) out.host = host.sourcePath !== undefined ? { sourcePath: host.sourcePath } : {};
  if (docker) {
    const scope = docker.scope ?? 'task';
    if (docker.autoprovision && scope !== 'shared') throw client(`${at}.dockerVolumeConfiguration.autoprovision can only be set when scope is shared.`);
    out.dockerVolumeConfiguration = { scope, autoprovision: docker.autoprovision, driver: docker.driver, driverOpts: docker.driverOpts, labels: docker.labels };
  }
  if (efs) {
    const { transitEncryption, authorizationConfig: auth, rootDirectory } = efs;
    if ((auth?.accessPointId || auth?.iam === 'ENABLED') && transitEncryption !== 'ENABLED') {
      throw client(`${at}.efsVolumeConfiguration.transitEncryption must be ENABLED when an access point or IAM authorization is used.`);
    }
    if (auth?.accessPointId && rootDirectory !== undefined && rootDirectory !== '/') {
      throw client(`${at}.efsVolumeConfiguration.rootDirectory must be omitted or set to / when an access point is used.`);
    }
    out.efsVolumeConfiguration = {
      fileSystemId: efs.fileSystemId,
      rootDirectory,
      transitEncryption,
      transitEncryptionPort: checkInt(efs.transitEncryptionPort, `${at}.efsVolumeConfiguration.transitEncryptionPort`, { min: 0, max: 65535 }, client),
      authorizationConfig: auth && { accessPointId: auth.accessPointId, iam: auth.iam },
    };
  }
  if (fsx) {
    out.fsxWindowsFileServerVolumeConfiguration = {
      fileSystemId: fsx.fileSystemId,
      rootDirectory: fsx.rootDirectory,
      authorizationConfig: { credentialsParameter: fsx.authorizationConfig?.credentialsParameter, domain: fsx.authorizationConfig?.domain },
    };
  }
  if ([host, docker, efs, fsx].filter(Boolean).length > 1) {
    throw client(`Volume '${name}' can have only one of host, dockerVolumeConfiguration, efsVolumeConfiguration and fsxWindowsFileServerVolumeConfiguration.`);
  }
  if (v.configuredAtLaunch !== undefined) out.configuredAtLaunch = v.configuredAtLaunch;
  return out;
}

function readVolumes(list: Volume[] | undefined): Volume[] {
  const volumes = (list ?? []).map(readVolume);
  if (volumes.filter((v) => v.configuredAtLaunch).length > 1) throw client('Only one volume in a task definition can be configuredAtLaunch.');
  return volumes;
}

/** At most 10 constraints, each with an expression (their type is the model's). */
function readPlacementConstraints(list: TaskDefinitionPlacementConstraint[] | undefined): TaskDefinitionPlacementConstraint[] {
  return (checkItems(list, 'placementConstraints', { max: 10 }, client) ?? []).map((p, i) => ({
    type: present(p.type, `placementConstraints[${i}].type`, client) as TaskDefinitionPlacementConstraint['type'],
    expression: checkString(present(p.expression, `placementConstraints[${i}].expression`, client), `placementConstraints[${i}].expression`, { max: 2000 }, client),
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

/** Rules between containers: unique names, an essential one, and links/dependsOn (and volumes: `checkVolumeReferences`) that resolve. */
function checkContainerReferences(containers: ContainerDefinition[], volumes: Volume[]): void {
  const byName = new Map<string, ContainerDefinition>();
  for (const c of containers) {
    if (byName.has(c.name!)) throw client('Container names must be unique within a Task Definition.');
    byName.set(c.name!, c);
  }
  if (!containers.some((c) => c.essential)) throw client("Task definition doesn't have any essential container.");
  const other = (self: string, member: string, target: string) => {
    if (target === self || !byName.has(target)) {
      throw client(`Invalid '${member}' setting for container '${self}'. '${target}' is not another container in the task definition.`);
    }
    return byName.get(target)!;
  };
  for (const c of containers) {
    const self = c.name!;
    for (const link of c.links ?? []) {
      const [target, alias, ...rest] = link.split(':');
      if (rest.length || (alias !== undefined && !NAME_PATTERN.test(alias))) throw client(`Invalid 'links' setting for container '${self}'. Links are name or name:alias.`);
      other(self, 'links', target);
    }
    for (const d of c.dependsOn ?? []) {
      const target = other(self, 'dependsOn', d.containerName!);
      if ((d.condition === 'SUCCESS' || d.condition === 'COMPLETE') && target.essential) {
        throw client('A dependency container with SUCCESS or COMPLETE condition cannot be an essential container');
      }
      if (d.condition === 'HEALTHY' && !target.healthCheck) {
        throw client(`Invalid 'dependsOn' setting for container '${self}'. The HEALTHY condition needs a healthCheck on container '${target.name}'.`);
      }
    }
  }
  checkVolumeReferences(containers, volumes);
  const cycle = findCycle(containers);
  if (cycle) throw client(`Invalid 'dependsOn' setting: container '${cycle}' is part of a dependency cycle.`);
}

/** No host port may be bound twice in a task (same protocol); dynamic ports (0) don't count. */
function checkHostPorts(containers: ContainerDefinition[]): void {
  const taken = new Set<string>();
  for (const c of containers) {
    for (const pm of c.portMappings ?? []) {
      if (!pm.hostPort) continue;
      const key = `${pm.protocol}/${pm.hostPort}`;
      if (taken.has(key)) throw client(`${(pm.protocol ?? 'tcp').toUpperCase()} host port '${pm.hostPort}' is mapped multiple times in task.`);
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

function readProxyConfiguration(p: ProxyConfiguration | undefined, containers: ContainerDefinition[]): ProxyConfiguration | undefined {
  if (!p) return undefined;
  const containerName = p.containerName;
  if (!containers.some((c) => c.name === containerName)) {
    throw client(`Invalid 'proxyConfiguration' setting. Container '${containerName}' is not defined in the task definition.`);
  }
  return { type: p.type ?? 'APPMESH', containerName, properties: readKeyValuePairs(p.properties, 'proxyConfiguration.properties') };
}

/** Drops undefined members (the stored record is JSON; the SDK shapes use absent members). */
const clean = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/**
 * Validates a RegisterTaskDefinition input (already checked against the model) and returns the
 * normalized definition with its derived `compatibilities` and `requiresAttributes`, or throws
 * the ClientException / InvalidParameterException ECS gives.
 */
export function validateTaskDefinition(input: RegisterTaskDefinitionRequest): ValidatedTaskDefinition {
  const family = readFamily(input.family);
  const networkMode = input.networkMode ?? 'bridge';
  const required = input.requiresCompatibilities;

  const list = input.containerDefinitions;
  if (list === undefined || list.length === 0) throw client('Container list cannot be empty.');
  if (list.length > MAX_CONTAINERS) throw client('Too many containers.');
  const containers = list.map((c, i) => readContainerDefinition(c, i, networkMode));
  const volumes = readVolumes(input.volumes);
  checkContainerReferences(containers, volumes);
  checkHostPorts(containers);

  const cpu = readTaskCpu(input.cpu);
  const memory = readTaskMemory(input.memory);
  checkContainerResources(containers, cpu, memory);

  if (input.inferenceAccelerators?.length) {
    throw client('inferenceAccelerators are not supported: Amazon Elastic Inference is no longer available.');
  }
  const { ephemeralStorage: ephemeral, runtimePlatform: platform } = input;
  const definition: RegisteredTaskDefinition = {
    family,
    containerDefinitions: containers,
    taskRoleArn: readRole(input.taskRoleArn, 'taskRoleArn'),
    executionRoleArn: readRole(input.executionRoleArn, 'executionRoleArn'),
    networkMode,
    volumes,
    placementConstraints: readPlacementConstraints(input.placementConstraints),
    requiresCompatibilities: required,
    cpu: cpu === undefined ? undefined : String(cpu),
    memory: memory === undefined ? undefined : String(memory),
    pidMode: input.pidMode,
    ipcMode: input.ipcMode,
    proxyConfiguration: readProxyConfiguration(input.proxyConfiguration, containers),
    ephemeralStorage: ephemeral && { sizeInGiB: checkInt(ephemeral.sizeInGiB, 'ephemeralStorage.sizeInGiB', { min: 21, max: 200 }, client) },
    runtimePlatform: platform && { cpuArchitecture: platform.cpuArchitecture, operatingSystemFamily: platform.operatingSystemFamily },
    enableFaultInjection: input.enableFaultInjection,
  };

  const problem = fargateProblem(definition, cpu, memory);
  if (required?.includes('FARGATE') && problem) throw client(problem);
  if (required?.includes('EXTERNAL') && networkMode === 'awsvpc') throw client('The EXTERNAL launch type does not support networkMode=awsvpc.');
  definition.compatibilities = compatibilitiesFor(definition, problem === undefined, required);
  definition.requiresAttributes = requiresAttributesFor(definition);
  return { definition: clean(definition), tags: checkTags(input.tags) ?? [] };
}
