/**
 * Pure: one ContainerDefinition of a RegisterTaskDefinition request, read and checked on its
 * own, with the defaults ECS fills in (cpu 0, essential true, empty lists). Rules that need
 * the other containers or the task (names unique, links, dependsOn, volumes, resources) are
 * checked by task-definition-validate.ts.
 *
 * Messages follow the ones ECS returns where they are known (e.g. `Container.image should
 * not be null or empty.`, a ClientException) and name the member otherwise.
 */
import { VersionConsistency, type ContainerDefinition, type NetworkMode } from '@aws-sdk/client-ecs';
import type { Fields } from '../../aws/index.ts';
import { EcsErrors, NAME_PATTERN } from '../../ecs/index.ts';
import {
  readArgs, readDependsOn, readEnvironmentFiles, readExtraHosts, readFirelensConfiguration, readHealthCheck, readKeyValuePairs,
  readLinuxParameters, readLogConfiguration, readMountPoints, readPortMappings, readRepositoryCredentials, readResourceRequirements,
  readRestartPolicy, readSecrets, readSystemControls, readUlimits, readVolumesFrom,
} from './container-definition-parts.ts';

/** Docker 20.10+ reserves 6 MiB for a container; ECS documents this as the least `memory` to give. */
export const MIN_CONTAINER_MEMORY_MIB = 6;

const IMAGE_CHARS = /^[A-Za-z0-9_\-:./#]+$/;
const DIGEST = /^sha256:[A-Fa-f0-9]{64}$/;

function readName(f: Fields): string {
  const raw = f.json.name;
  if (raw === undefined || raw === null || raw === '') throw EcsErrors.client('Container.name should not be null or empty.');
  const name = f.string('name', { required: true });
  if (name.length > 255) throw EcsErrors.client('Container.name should not be longer than 255 characters.');
  if (!NAME_PATTERN.test(name)) throw EcsErrors.client('Container.name contains invalid characters.');
  return name;
}

/**
 * `image`: `repository-url/image:tag` up to 255 characters of letters, numbers, hyphens,
 * underscores, colons, periods, slashes and `#`; or `repository-url/image@sha256:<64 hex>`,
 * where the 255 limit applies to the part before the `@`.
 */
function readImage(f: Fields): string {
  const raw = f.json.image;
  if (raw === undefined || raw === null || raw === '') throw EcsErrors.client('Container.image should not be null or empty.');
  const image = f.string('image', { required: true });
  const at = image.indexOf('@');
  const repo = at < 0 ? image : image.slice(0, at);
  if (repo.length === 0 || repo.startsWith(':')) throw EcsErrors.client('Container.image repository should not be null or empty.');
  if (repo.length > 255) throw EcsErrors.client('Container.image should not be longer than 255 characters.');
  if (!IMAGE_CHARS.test(repo) || (at >= 0 && !DIGEST.test(image.slice(at + 1)))) {
    throw EcsErrors.client('Container.image contains invalid characters.');
  }
  return image;
}

function readMemory(f: Fields, member: 'memory' | 'memoryReservation', container: string): number | undefined {
  const n = f.int(member);
  if (n !== undefined && n < MIN_CONTAINER_MEMORY_MIB) {
    throw EcsErrors.client(`Invalid '${member}' setting for container '${container}'. The minimum is ${MIN_CONTAINER_MEMORY_MIB} MiB.`);
  }
  return n;
}

/** Copies the defined entries of `from` onto `to` (the SDK shapes use absent, not undefined). */
function assignDefined<T extends object>(to: T, from: Partial<T>): T {
  for (const [k, v] of Object.entries(from)) if (v !== undefined) (to as Record<string, unknown>)[k] = v;
  return to;
}

/**
 * Reads one element of `containerDefinitions` (already wrapped as Fields whose `invalid` is
 * ECS's ClientException) into the ContainerDefinition stored in the task definition.
 * `networkMode` decides how host ports are filled in and which members are allowed.
 */
export function readContainerDefinition(f: Fields, networkMode: NetworkMode): ContainerDefinition {
  const name = readName(f);
  const image = readImage(f);
  const memory = readMemory(f, 'memory', name);
  const memoryReservation = readMemory(f, 'memoryReservation', name);
  if (memory !== undefined && memoryReservation !== undefined && memoryReservation > memory) {
    throw EcsErrors.client(`Invalid setting for container '${name}'. 'memoryReservation' must be less than or equal to 'memory'.`);
  }
  const hostname = f.string('hostname');
  if (hostname !== undefined && networkMode === 'awsvpc') throw EcsErrors.client('hostname is not supported on container when networkMode=awsvpc.');
  const extraHosts = readExtraHosts(f);
  if (extraHosts?.length && networkMode === 'awsvpc') throw EcsErrors.client('extraHosts is not supported on container when networkMode=awsvpc.');
  const links = f.strings('links');
  if (links?.length && networkMode !== 'bridge') throw EcsErrors.client(`links are not supported on container when networkMode=${networkMode}.`);
  const dockerLabels = f.stringMap('dockerLabels');
  if (dockerLabels && Object.keys(dockerLabels).some((k) => k === '')) throw EcsErrors.client(`${f.at('dockerLabels')} keys can not be empty.`);
  const credentialSpecs = f.strings('credentialSpecs');
  if (credentialSpecs && credentialSpecs.length > 1) throw EcsErrors.client(`${f.at('credentialSpecs')} can have at most 1 member.`);

  const def: ContainerDefinition = {
    name,
    image,
    cpu: f.int('cpu', { min: 0 }) ?? 0,
    portMappings: readPortMappings(f, name, networkMode),
    essential: f.bool('essential') ?? true,
    environment: readKeyValuePairs(f, 'environment') ?? [],
    mountPoints: readMountPoints(f),
    volumesFrom: readVolumesFrom(f),
    systemControls: readSystemControls(f),
  };
  return assignDefined(def, {
    memory,
    memoryReservation,
    links,
    entryPoint: readArgs(f, 'entryPoint'),
    command: readArgs(f, 'command'),
    environmentFiles: readEnvironmentFiles(f),
    secrets: readSecrets(f, 'secrets'),
    repositoryCredentials: readRepositoryCredentials(f),
    linuxParameters: readLinuxParameters(f),
    dependsOn: readDependsOn(f),
    startTimeout: f.int('startTimeout', { min: 0 }),
    stopTimeout: f.int('stopTimeout', { min: 2, max: 120 }),
    versionConsistency: f.enum('versionConsistency', Object.values(VersionConsistency)),
    hostname,
    user: f.string('user'),
    workingDirectory: f.string('workingDirectory'),
    disableNetworking: f.bool('disableNetworking'),
    privileged: f.bool('privileged'),
    readonlyRootFilesystem: f.bool('readonlyRootFilesystem'),
    dnsServers: f.strings('dnsServers'),
    dnsSearchDomains: f.strings('dnsSearchDomains'),
    extraHosts,
    dockerSecurityOptions: f.strings('dockerSecurityOptions'),
    interactive: f.bool('interactive'),
    pseudoTerminal: f.bool('pseudoTerminal'),
    dockerLabels,
    ulimits: readUlimits(f, name),
    logConfiguration: readLogConfiguration(f),
    healthCheck: readHealthCheck(f),
    resourceRequirements: readResourceRequirements(f),
    firelensConfiguration: readFirelensConfiguration(f),
    credentialSpecs,
    restartPolicy: readRestartPolicy(f),
  });
}
