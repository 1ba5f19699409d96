/**
 * Pure readers for the members of a container definition that are objects of their own
 * (PortMapping, HealthCheck, Ulimit, LogConfiguration, LinuxParameters, ...), checked against
 * the constraints the ECS API reference gives for each data type. Each takes the `Fields` of
 * one container (whose `invalid` builds ECS's ClientException) and returns the member as
 * RegisterTaskDefinition stores it, with ECS's defaults filled in.
 */
import {
  ApplicationProtocol, ContainerCondition, DeviceCgroupPermission, EnvironmentFileType, FirelensConfigurationType,
  LogDriver, ResourceType, UlimitName,
  type ContainerDependency, type ContainerRestartPolicy, type EnvironmentFile, type FirelensConfiguration, type HealthCheck,
  type HostEntry, type KeyValuePair, type LinuxParameters, type LogConfiguration, type MountPoint, type NetworkMode,
  type PortMapping, type RepositoryCredentials, type ResourceRequirement, type Secret, type SystemControl, type Ulimit,
  type VolumeFrom,
} from '@aws-sdk/client-ecs';
import type { Fields } from '../../aws/index.ts';
import { EcsErrors } from '../../ecs/index.ts';

const values = <T extends Record<string, string>>(e: T) => Object.values(e) as T[keyof T][];

/**
 * A list of arguments (`command`, `entryPoint`), where an empty string is a valid argument.
 * Anything else than a list of strings gets the same error `Fields.strings` gives.
 */
export function readArgs(f: Fields, member: string): string[] | undefined {
  const v = f.json[member];
  if (Array.isArray(v) && v.every((a) => typeof a === 'string')) return v as string[];
  return f.strings(member);
}

/** The HealthCheck defaults ECS fills in (API reference, HealthCheck data type). */
export const HEALTH_CHECK_DEFAULTS = { interval: 30, timeout: 5, retries: 3 } as const;

/** `name=value` pairs: environment variables, proxy properties. `name` is required. */
export function readKeyValuePairs(f: Fields, member: string): KeyValuePair[] | undefined {
  return f.objects(member)?.map((kv) => {
    const pair: KeyValuePair = { name: kv.string('name', { required: true }) };
    const value = kv.string('value');
    if (value !== undefined) pair.value = value;
    return pair;
  });
}

/** `secrets` and `logConfiguration.secretOptions`: name and valueFrom, both required. */
export function readSecrets(f: Fields, member: string): Secret[] | undefined {
  return f.objects(member)?.map((s) => ({
    name: s.string('name', { required: true }),
    valueFrom: s.string('valueFrom', { required: true }),
  }));
}

/** A `containerPortRange` such as `8000-8010`, or undefined when malformed or out of 1–65535. */
function portRange(range: string): [number, number] | undefined {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(range);
  if (!m) return undefined;
  const [first, last] = [Number(m[1]), Number(m[2])];
  return first >= 1 && last <= 65535 && first < last ? [first, last] : undefined;
}

/**
 * `portMappings`. In `awsvpc` and `host` mode the host port is the container port (an omitted
 * or 0 hostPort is filled in, a different one refused); in `bridge` mode an omitted hostPort
 * is 0, a dynamic port. `protocol` defaults to tcp, and ECS treats any value but udp as tcp.
 */
export function readPortMappings(f: Fields, container: string, networkMode: NetworkMode): PortMapping[] {
  const list = f.objects('portMappings') ?? [];
  if (list.length && networkMode === 'none') throw EcsErrors.client('portMappings are not supported on container when networkMode=none.');
  const seen = new Set<string>();
  return list.map((pm) => {
    const range = pm.string('containerPortRange');
    const containerPort = pm.int('containerPort');
    const hostPort = pm.int('hostPort');
    const protocol = pm.string('protocol') === 'udp' ? 'udp' : 'tcp';
    const out: PortMapping = {};
    if (range !== undefined) {
      if (!portRange(range) || containerPort !== undefined || hostPort !== undefined || (networkMode !== 'bridge' && networkMode !== 'awsvpc')) {
        throw EcsErrors.client(`Invalid 'containerPortRange' setting for container '${container}'.`);
      }
      out.containerPortRange = range;
    } else {
      if (containerPort === undefined || containerPort < 1 || containerPort > 65535) {
        throw EcsErrors.client(`Invalid 'containerPort' setting for container '${container}'.`);
      }
      if (hostPort !== undefined && (hostPort < 0 || hostPort > 65535)) {
        throw EcsErrors.client(`Invalid 'hostPort' setting for container '${container}'.`);
      }
      const key = `${protocol}/${containerPort}`;
      if (seen.has(key)) throw EcsErrors.invalidParameter(`Container port ${containerPort} is used in more than one port mapping for container ${container}`);
      seen.add(key);
      out.containerPort = containerPort;
      if (networkMode === 'awsvpc' || networkMode === 'host') {
        if (hostPort !== undefined && hostPort !== 0 && hostPort !== containerPort) {
          throw EcsErrors.client(`When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`);
        }
        out.hostPort = containerPort;
      } else {
        out.hostPort = hostPort ?? 0;
      }
    }
    out.protocol = protocol;
    const name = pm.string('name', { max: 64, pattern: /^[a-z0-9_][a-z0-9_-]*$/, patternText: 'lowercase letters, numbers, underscores and hyphens, not starting with a hyphen.' });
    if (name !== undefined) out.name = name;
    const appProtocol = pm.enum('appProtocol', values(ApplicationProtocol));
    if (appProtocol !== undefined) out.appProtocol = appProtocol;
    return out;
  });
}

/** `healthCheck`: command required; interval 5–300, timeout 2–60, retries 1–10, startPeriod 0–300. */
export function readHealthCheck(f: Fields): HealthCheck | undefined {
  const h = f.object('healthCheck');
  if (!h) return undefined;
  const check: HealthCheck = {
    command: h.strings('command', { required: true }),
    interval: h.int('interval', { min: 5, max: 300 }) ?? HEALTH_CHECK_DEFAULTS.interval,
    timeout: h.int('timeout', { min: 2, max: 60 }) ?? HEALTH_CHECK_DEFAULTS.timeout,
    retries: h.int('retries', { min: 1, max: 10 }) ?? HEALTH_CHECK_DEFAULTS.retries,
  };
  const startPeriod = h.int('startPeriod', { min: 0, max: 300 });
  if (startPeriod !== undefined) check.startPeriod = startPeriod;
  return check;
}

/** `ulimits`: names from the Ulimit enum, each at most once, softLimit ≤ hardLimit. */
export function readUlimits(f: Fields, container: string): Ulimit[] | undefined {
  const seen = new Set<string>();
  return f.objects('ulimits')?.map((u) => {
    const name = u.enum('name', values(UlimitName), { required: true });
    const softLimit = u.int('softLimit', { required: true });
    const hardLimit = u.int('hardLimit', { required: true });
    if (seen.has(name)) throw EcsErrors.client(`Invalid 'ulimits' setting for container '${container}'. Ulimit '${name}' is specified more than once.`);
    seen.add(name);
    if (softLimit > hardLimit) {
      throw EcsErrors.client(`Invalid 'ulimits' setting for container '${container}'. The softLimit of ulimit '${name}' can not be greater than its hardLimit.`);
    }
    return { name, softLimit, hardLimit };
  });
}

/** `logConfiguration`: logDriver from the LogDriver enum; awslogs needs its group and region. */
export function readLogConfiguration(f: Fields): LogConfiguration | undefined {
  const l = f.object('logConfiguration');
  if (!l) return undefined;
  const logDriver = l.enum('logDriver', values(LogDriver), { required: true });
  const options = l.stringMap('options');
  if (logDriver === 'awslogs') {
    const missing = ['awslogs-region', 'awslogs-group'].filter((o) => !options?.[o]);
    if (missing.length) throw EcsErrors.client(`Log driver awslogs requires options: ${missing.join(', ')}`);
  }
  const out: LogConfiguration = { logDriver };
  if (options) out.options = options;
  const secretOptions = readSecrets(l, 'secretOptions');
  if (secretOptions) out.secretOptions = secretOptions;
  return out;
}

/** `mountPoints`: sourceVolume and containerPath (the volume is checked against the task's volumes later). */
export function readMountPoints(f: Fields): MountPoint[] {
  return (f.objects('mountPoints') ?? []).map((m) => {
    const out: MountPoint = { sourceVolume: m.string('sourceVolume', { required: true }), containerPath: m.string('containerPath', { required: true }) };
    const readOnly = m.bool('readOnly');
    if (readOnly !== undefined) out.readOnly = readOnly;
    return out;
  });
}

/** `volumesFrom`: sourceContainer (checked against the task's containers later). */
export function readVolumesFrom(f: Fields): VolumeFrom[] {
  return (f.objects('volumesFrom') ?? []).map((v) => {
    const out: VolumeFrom = { sourceContainer: v.string('sourceContainer', { required: true }) };
    const readOnly = v.bool('readOnly');
    if (readOnly !== undefined) out.readOnly = readOnly;
    return out;
  });
}

/** `dependsOn`: containerName and a ContainerCondition (checked against the task's containers later). */
export function readDependsOn(f: Fields): ContainerDependency[] | undefined {
  return f.objects('dependsOn')?.map((d) => ({
    containerName: d.string('containerName', { required: true }),
    condition: d.enum('condition', values(ContainerCondition), { required: true }),
  }));
}

/** `extraHosts`: hostname and ipAddress, both required. */
export function readExtraHosts(f: Fields): HostEntry[] | undefined {
  return f.objects('extraHosts')?.map((h) => ({
    hostname: h.string('hostname', { required: true }),
    ipAddress: h.string('ipAddress', { required: true }),
  }));
}

/** `linuxParameters`: capabilities, devices, init, shared memory, tmpfs, swap. */
export function readLinuxParameters(f: Fields): LinuxParameters | undefined {
  const l = f.object('linuxParameters');
  if (!l) return undefined;
  const out: LinuxParameters = {};
  const caps = l.object('capabilities');
  if (caps) out.capabilities = { add: caps.strings('add'), drop: caps.strings('drop') };
  const devices = l.objects('devices')?.map((d) => ({
    hostPath: d.string('hostPath', { required: true }),
    containerPath: d.string('containerPath'),
    permissions: d.strings('permissions')?.map((p, i) => {
      if (!values(DeviceCgroupPermission).includes(p as DeviceCgroupPermission)) {
        throw EcsErrors.client(`${d.at('permissions')}[${i}] must be one of: ${values(DeviceCgroupPermission).join(', ')}. Received: ${p}.`);
      }
      return p as DeviceCgroupPermission;
    }),
  }));
  if (devices) out.devices = devices;
  const init = l.bool('initProcessEnabled');
  if (init !== undefined) out.initProcessEnabled = init;
  const shm = l.int('sharedMemorySize', { min: 0 });
  if (shm !== undefined) out.sharedMemorySize = shm;
  const tmpfs = l.objects('tmpfs')?.map((t) => ({
    containerPath: t.string('containerPath', { required: true }),
    size: t.int('size', { required: true, min: 1 }),
    mountOptions: t.strings('mountOptions'),
  }));
  if (tmpfs) out.tmpfs = tmpfs;
  const maxSwap = l.int('maxSwap', { min: 0 });
  if (maxSwap !== undefined) out.maxSwap = maxSwap;
  const swappiness = l.int('swappiness', { min: 0, max: 100 });
  if (swappiness !== undefined) out.swappiness = swappiness;
  return out;
}

/** `environmentFiles`: at most ten, each an s3 object ARN. */
export function readEnvironmentFiles(f: Fields): EnvironmentFile[] | undefined {
  return f.objects('environmentFiles', { maxItems: 10 })?.map((e) => ({
    value: e.string('value', { required: true }),
    type: e.enum('type', values(EnvironmentFileType), { required: true }),
  }));
}

/** `resourceRequirements`: GPUs and accelerators, type and value required. */
export function readResourceRequirements(f: Fields): ResourceRequirement[] | undefined {
  return f.objects('resourceRequirements')?.map((r) => ({
    type: r.enum('type', values(ResourceType), { required: true }),
    value: r.string('value', { required: true }),
  }));
}

/** `systemControls`: namespaced kernel parameters. */
export function readSystemControls(f: Fields): SystemControl[] {
  return (f.objects('systemControls') ?? []).map((s) => ({ namespace: s.string('namespace', { required: true }), value: s.string('value', { required: true }) }));
}

/** `repositoryCredentials`: the secret holding private registry credentials. */
export function readRepositoryCredentials(f: Fields): RepositoryCredentials | undefined {
  const r = f.object('repositoryCredentials');
  return r && { credentialsParameter: r.string('credentialsParameter', { required: true }) };
}

/** `firelensConfiguration`: fluentd or fluentbit, with options. */
export function readFirelensConfiguration(f: Fields): FirelensConfiguration | undefined {
  const r = f.object('firelensConfiguration');
  if (!r) return undefined;
  const out: FirelensConfiguration = { type: r.enum('type', values(FirelensConfigurationType), { required: true }) };
  const options = r.stringMap('options');
  if (options) out.options = options;
  return out;
}

/** `restartPolicy`: enabled required; at most 50 ignored exit codes; attempt period 60–1800 s. */
export function readRestartPolicy(f: Fields): ContainerRestartPolicy | undefined {
  const r = f.object('restartPolicy');
  if (!r) return undefined;
  const out: ContainerRestartPolicy = { enabled: r.bool('enabled', { required: true }) };
  const codes = r.json.ignoredExitCodes;
  if (codes !== undefined && codes !== null) {
    if (!Array.isArray(codes) || codes.some((c) => !Number.isInteger(c))) throw EcsErrors.client(`${r.at('ignoredExitCodes')} must be a list of integers.`);
    if (codes.length > 50) throw EcsErrors.client(`${r.at('ignoredExitCodes')} can have at most 50 members.`);
    out.ignoredExitCodes = codes as number[];
  }
  const period = r.int('restartAttemptPeriod', { min: 60, max: 1800 });
  if (period !== undefined) out.restartAttemptPeriod = period;
  return out;
}
