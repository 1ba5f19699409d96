/**
 * Pure: one ContainerDefinition of a RegisterTaskDefinition request, read and checked on its
 * own, with the defaults ECS fills in (cpu 0, essential true, empty lists). Rules that need
 * the other containers or the task (names unique, links, dependsOn, volumes, resources) are
 * checked by task-definition-validate.ts.
 *
 * Messages follow the ones ECS returns where they are known (e.g. `Container.image should
 * not be null or empty.`, a ClientException) and name the member otherwise. Types, required
 * members and enums are the model's, checked before.
 */
import type { ContainerDefinition, NetworkMode } from '@aws-sdk/client-ecs';
import { EcsErrors, NAME_PATTERN } from '../../ecs/index.ts';
import { checkInt } from './common.ts';
import {
  readDependsOn, readEnvironmentFiles, readExtraHosts, readFirelensConfiguration, readHealthCheck, readKeyValuePairs, readLinuxParameters,
  readLogConfiguration, readMountPoints, readPortMappings, readRepositoryCredentials, readResourceRequirements, readRestartPolicy, readSecrets,
  readSystemControls, readUlimits, readVolumesFrom,
} from './container-definition-parts.ts';

/** Docker 20.10+ reserves 6 MiB for a container; ECS documents this as the least `memory` to give. */
export const MIN_CONTAINER_MEMORY_MIB = 6;

const IMAGE_CHARS = /^[A-Za-z0-9_\-:./#]+$/;
const DIGEST = /^sha256:[A-Fa-f0-9]{64}$/;
const client = EcsErrors.client;

function readName(raw: string | undefined): string {
  if (raw === undefined || raw === '') throw client('Container.name should not be null or empty.');
  if (raw.length > 255) throw client('Container.name should not be longer than 255 characters.');
  if (!NAME_PATTERN.test(raw)) throw client('Container.name contains invalid characters.');
  return raw;
}

/**
 * `image`: `repository-url/image:tag` up to 255 characters of letters, numbers, hyphens,
 * underscores, colons, periods, slashes and `#`; or `repository-url/image@sha256:<64 hex>`,
 * where the 255 limit applies to the part before the `@`.
 */
function readImage(image: string | undefined): string {
  if (image === undefined || image === '') throw client('Container.image should not be null or empty.');
  const at = image.indexOf('@');
  const repo = at < 0 ? image : image.slice(0, at);
  if (repo.length === 0 || repo.startsWith(':')) throw client('Container.image repository should not be null or empty.');
  if (repo.length > 255) throw client('Container.image should not be longer than 255 characters.');
  if (!IMAGE_CHARS.test(repo) || (at >= 0 && !DIGEST.test(image.slice(at + 1)))) {
    throw client('Container.image contains invalid characters.');
  }
  return image;
}

function readMemory(n: number | undefined, member: 'memory' | 'memoryReservation', container: string): number | undefined {
  if (n !== undefined && n < MIN_CONTAINER_MEMORY_MIB) {
    throw client(`Invalid '${member}' setting for container '${container}'. The minimum is ${MIN_CONTAINER_MEMORY_MIB} MiB.`);
  }
  return n;
}

/** Copies the defined entries of `from` onto `to` (the SDK shapes use absent, not undefined). */
function assignDefined<T extends object>(to: T, from: Partial<T>): T {
  for (const [k, v] of Object.entries(from)) if (v !== undefined) (to as Record<string, unknown>)[k] = v;
  return to;
}

/**
 * Reads element `index` of `containerDefinitions` (types, required members and enums already
 * checked by the model) into the ContainerDefinition stored in the task definition.
 * `networkMode` decides how host ports are filled in and which members are allowed.
 */
export function readContainerDefinition(c: ContainerDefinition, index: number, networkMode: NetworkMode): ContainerDefinition {
  const at = `containerDefinitions[${index}]`;
  const name = readName(c.name);
  const image = readImage(c.image);
  const memory = readMemory(c.memory, 'memory', name);
  const memoryReservation = readMemory(c.memoryReservation, 'memoryReservation', name);
  if (memory !== undefined && memoryReservation !== undefined && memoryReservation > memory) {
    throw client(`Invalid setting for container '${name}'. 'memoryReservation' must be less than or equal to 'memory'.`);
  }
  if (c.hostname !== undefined && networkMode === 'awsvpc') throw client('hostname is not supported on container when networkMode=awsvpc.');
  if (c.extraHosts?.length && networkMode === 'awsvpc') throw client('extraHosts is not supported on container when networkMode=awsvpc.');
  if (c.links?.length && networkMode !== 'bridge') throw client(`links are not supported on container when networkMode=${networkMode}.`);
  if (c.dockerLabels && Object.keys(c.dockerLabels).some((k) => k === '')) throw client(`${at}.dockerLabels keys can not be empty.`);
  if (c.credentialSpecs && c.credentialSpecs.length > 1) throw client(`${at}.credentialSpecs can have at most 1 member.`);

  const def: ContainerDefinition = {
    name,
    image,
    cpu: checkInt(c.cpu, `${at}.cpu`, { min: 0 }, client) ?? 0,
    portMappings: readPortMappings(c.portMappings, at, name, networkMode),
    essential: c.essential ?? true,
    environment: readKeyValuePairs(c.environment, `${at}.environment`) ?? [],
    mountPoints: readMountPoints(c.mountPoints, at),
    volumesFrom: readVolumesFrom(c.volumesFrom, at),
    systemControls: readSystemControls(c.systemControls, at),
  };
  return assignDefined(def, {
    memory,
    memoryReservation,
    links: c.links,
    entryPoint: c.entryPoint,
    command: c.command,
    environmentFiles: readEnvironmentFiles(c.environmentFiles, at),
    secrets: readSecrets(c.secrets),
    repositoryCredentials: readRepositoryCredentials(c.repositoryCredentials),
    linuxParameters: readLinuxParameters(c.linuxParameters, at),
    dependsOn: readDependsOn(c.dependsOn),
    startTimeout: checkInt(c.startTimeout, `${at}.startTimeout`, { min: 0 }, client),
    stopTimeout: checkInt(c.stopTimeout, `${at}.stopTimeout`, { min: 2, max: 120 }, client),
    versionConsistency: c.versionConsistency,
    hostname: c.hostname,
    user: c.user,
    workingDirectory: c.workingDirectory,
    disableNetworking: c.disableNetworking,
    privileged: c.privileged,
    readonlyRootFilesystem: c.readonlyRootFilesystem,
    dnsServers: c.dnsServers,
    dnsSearchDomains: c.dnsSearchDomains,
    extraHosts: readExtraHosts(c.extraHosts),
    dockerSecurityOptions: c.dockerSecurityOptions,
    interactive: c.interactive,
    pseudoTerminal: c.pseudoTerminal,
    dockerLabels: c.dockerLabels && { ...c.dockerLabels },
    ulimits: readUlimits(c.ulimits, name),
    logConfiguration: readLogConfiguration(c.logConfiguration),
    healthCheck: readHealthCheck(c.healthCheck, at),
    resourceRequirements: readResourceRequirements(c.resourceRequirements, at),
    firelensConfiguration: readFirelensConfiguration(c.firelensConfiguration),
    credentialSpecs: c.credentialSpecs,
    restartPolicy: readRestartPolicy(c.restartPolicy, at),
  });
}
