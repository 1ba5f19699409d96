/**
 * Pure readers for the members of a container definition that are objects of their own
 * (PortMapping, HealthCheck, Ulimit, LogConfiguration, LinuxParameters, ...). The model has
 * already checked their types, required members and enums; these keep what ECS adds (ranges,
 * patterns, rules between members, in ECS's ClientException words) and return the member as
 * RegisterTaskDefinition stores it, with ECS's defaults filled in. `at` is the container's path
 * (`containerDefinitions[0]`) for messages.
 */
import type {
  ContainerDependency, ContainerRestartPolicy, EnvironmentFile, FirelensConfiguration, HealthCheck, HostEntry, KeyValuePair,
  LinuxParameters, LogConfiguration, MountPoint, NetworkMode, PortMapping, RepositoryCredentials, ResourceRequirement, Secret,
  SystemControl, Ulimit, VolumeFrom,
} from '@aws-sdk/client-ecs';
import { EcsErrors } from '../../ecs/index.ts';
import { checkInt, checkItems, checkString, need, present } from './common.ts';

const client = EcsErrors.client;

/** The HealthCheck defaults ECS fills in (API reference, HealthCheck data type). */
export const HEALTH_CHECK_DEFAULTS = { interval: 30, timeout: 5, retries: 3 } as const;

/** `name=value` pairs: environment variables, proxy properties. `name` is required. */
export function readKeyValuePairs(list: KeyValuePair[] | undefined, path: string): KeyValuePair[] | undefined {
  return list?.map((kv, i) => {
    const pair: KeyValuePair = { name: present(kv.name, `${path}[${i}].name`, client) };
    if (kv.value !== undefined) pair.value = kv.value;
    return pair;
  });
}

/** `secrets` and `logConfiguration.secretOptions`: name and valueFrom (required by the model). */
export function readSecrets(list: Secret[] | undefined): Secret[] | undefined {
  return list?.map((s) => ({ name: s.name, valueFrom: s.valueFrom }));
}

/** A `containerPortRange` such as `8000-8010`, or undefined when malformed or out of 1–65535. */
function portRange(range: string): [number, number] | undefined {
  const m = /^(\d{1,5})-(\d{1,5})$/.exec(range);
  if (!m) return undefined;
  const [first, last] = [Number(m[1]), Number(m[2])];
  return first >= 1 && last <= 65535 && first < last ? [first, last] : undefined;
}

const PORT_NAME = /^[a-z0-9_][a-z0-9_-]*$/;

/**
 * `portMappings`. Ports are 1–65535 (host ports 0 for a dynamic one). In `awsvpc` and `host`
 * mode the host port is the container port (an omitted or 0 hostPort is filled in, a different
 * one refused); in `bridge` mode an omitted hostPort is 0, a dynamic port. `protocol` defaults
 * to tcp, and ECS treats any value but udp as tcp.
 */
export function readPortMappings(list: PortMapping[] | undefined, at: string, container: string, networkMode: NetworkMode): PortMapping[] {
  if (list?.length && networkMode === 'none') throw client('portMappings are not supported on container when networkMode=none.');
  const seen = new Set<string>();
  return (list ?? []).map((pm, i) => {
    const { containerPortRange: range, containerPort, hostPort } = pm;
    const protocol = pm.protocol === 'udp' ? 'udp' : 'tcp';
    const out: PortMapping = {};
    if (range !== undefined) {
      if (!portRange(range) || containerPort !== undefined || hostPort !== undefined || (networkMode !== 'bridge' && networkMode !== 'awsvpc')) {
        throw client(`Invalid 'containerPortRange' setting for container '${container}'.`);
      }
      out.containerPortRange = range;
    } else {
      if (containerPort === undefined || containerPort < 1 || containerPort > 65535) {
        throw client(`Invalid 'containerPort' setting for container '${container}'.`);
      }
      if (hostPort !== undefined && (hostPort < 0 || hostPort > 65535)) throw client(`Invalid 'hostPort' setting for container '${container}'.`);
      const key = `${protocol}/${containerPort}`;
      if (seen.has(key)) throw EcsErrors.invalidParameter(`Container port ${containerPort} is used in more than one port mapping for container ${container}`);
      seen.add(key);
      out.containerPort = containerPort;
      if (networkMode === 'awsvpc' || networkMode === 'host') {
        if (hostPort !== undefined && hostPort !== 0 && hostPort !== containerPort) {
          throw client(`When networkMode=${networkMode}, the host ports and container ports in port mappings must match.`);
        }
        out.hostPort = containerPort;
      } else {
        out.hostPort = hostPort ?? 0;
      }
    }
    out.protocol = protocol;
    const name = checkString(pm.name, `${at}.portMappings[${i}].name`, {
      max: 64, pattern: PORT_NAME, patternText: 'lowercase letters, numbers, underscores and hyphens, not starting with a hyphen.',
    }, client);
    if (name !== undefined) out.name = name;
    if (pm.appProtocol !== undefined) out.appProtocol = pm.appProtocol;
    return out;
  });
}

/** `healthCheck`: command (required) not empty; interval 5–300, timeout 2–60, retries 1–10, startPeriod 0–300. */
export function readHealthCheck(h: HealthCheck | undefined, at: string): HealthCheck | undefined {
  if (!h) return undefined;
  const path = `${at}.healthCheck`;
  const check: HealthCheck = {
    command: checkItems(need(h.command, `${path}.command`, client), `${path}.command`, { nonEmpty: true }, client),
    interval: checkInt(h.interval, `${path}.interval`, { min: 5, max: 300 }, client) ?? HEALTH_CHECK_DEFAULTS.interval,
    timeout: checkInt(h.timeout, `${path}.timeout`, { min: 2, max: 60 }, client) ?? HEALTH_CHECK_DEFAULTS.timeout,
    retries: checkInt(h.retries, `${path}.retries`, { min: 1, max: 10 }, client) ?? HEALTH_CHECK_DEFAULTS.retries,
  };
  const startPeriod = checkInt(h.startPeriod, `${path}.startPeriod`, { min: 0, max: 300 }, client);
  if (startPeriod !== undefined) check.startPeriod = startPeriod;
  return check;
}

/** `ulimits`: each name at most once, softLimit ≤ hardLimit (names, and all three members, are the model's). */
export function readUlimits(list: Ulimit[] | undefined, container: string): Ulimit[] | undefined {
  const seen = new Set<string>();
  return list?.map(({ name, softLimit, hardLimit }) => {
    if (seen.has(name!)) throw client(`Invalid 'ulimits' setting for container '${container}'. Ulimit '${name}' is specified more than once.`);
    seen.add(name!);
    if (softLimit! > hardLimit!) {
      throw client(`Invalid 'ulimits' setting for container '${container}'. The softLimit of ulimit '${name}' can not be greater than its hardLimit.`);
    }
    return { name, softLimit, hardLimit };
  });
}

/** `logConfiguration`: awslogs needs its group and region. */
export function readLogConfiguration(l: LogConfiguration | undefined): LogConfiguration | undefined {
  if (!l) return undefined;
  const { logDriver, options } = l;
  if (logDriver === 'awslogs') {
    const missing = ['awslogs-region', 'awslogs-group'].filter((o) => !options?.[o]);
    if (missing.length) throw client(`Log driver awslogs requires options: ${missing.join(', ')}`);
  }
  const out: LogConfiguration = { logDriver };
  if (options) out.options = { ...options };
  const secretOptions = readSecrets(l.secretOptions);
  if (secretOptions) out.secretOptions = secretOptions;
  return out;
}

/** `mountPoints`: sourceVolume and containerPath (the volume is checked against the task's volumes later). */
export function readMountPoints(list: MountPoint[] | undefined, at: string): MountPoint[] {
  return (list ?? []).map((m, i) => {
    const out: MountPoint = {
      sourceVolume: present(m.sourceVolume, `${at}.mountPoints[${i}].sourceVolume`, client),
      containerPath: present(m.containerPath, `${at}.mountPoints[${i}].containerPath`, client),
    };
    if (m.readOnly !== undefined) out.readOnly = m.readOnly;
    return out;
  });
}

/** `volumesFrom`: sourceContainer (checked against the task's containers later). */
export function readVolumesFrom(list: VolumeFrom[] | undefined, at: string): VolumeFrom[] {
  return (list ?? []).map((v, i) => {
    const out: VolumeFrom = { sourceContainer: present(v.sourceContainer, `${at}.volumesFrom[${i}].sourceContainer`, client) };
    if (v.readOnly !== undefined) out.readOnly = v.readOnly;
    return out;
  });
}

/** `dependsOn`: containerName and condition (the model's; checked against the task's containers later). */
export function readDependsOn(list: ContainerDependency[] | undefined): ContainerDependency[] | undefined {
  return list?.map((d) => ({ containerName: d.containerName, condition: d.condition }));
}

/** `extraHosts`: hostname and ipAddress (required by the model). */
export function readExtraHosts(list: HostEntry[] | undefined): HostEntry[] | undefined {
  return list?.map((h) => ({ hostname: h.hostname, ipAddress: h.ipAddress }));
}

/** `linuxParameters`: capabilities, devices, init, shared memory, tmpfs, swap. */
export function readLinuxParameters(l: LinuxParameters | undefined, at: string): LinuxParameters | undefined {
  if (!l) return undefined;
  const path = `${at}.linuxParameters`;
  const out: LinuxParameters = {};
  if (l.capabilities) out.capabilities = { add: l.capabilities.add, drop: l.capabilities.drop };
  if (l.devices) out.devices = l.devices.map((d) => ({ hostPath: d.hostPath, containerPath: d.containerPath, permissions: d.permissions }));
  if (l.initProcessEnabled !== undefined) out.initProcessEnabled = l.initProcessEnabled;
  const shm = checkInt(l.sharedMemorySize, `${path}.sharedMemorySize`, { min: 0 }, client);
  if (shm !== undefined) out.sharedMemorySize = shm;
  if (l.tmpfs) {
    out.tmpfs = l.tmpfs.map((t, i) => ({
      containerPath: t.containerPath,
      size: checkInt(t.size, `${path}.tmpfs[${i}].size`, { min: 1 }, client),
      mountOptions: t.mountOptions,
    }));
  }
  const maxSwap = checkInt(l.maxSwap, `${path}.maxSwap`, { min: 0 }, client);
  if (maxSwap !== undefined) out.maxSwap = maxSwap;
  const swappiness = checkInt(l.swappiness, `${path}.swappiness`, { min: 0, max: 100 }, client);
  if (swappiness !== undefined) out.swappiness = swappiness;
  return out;
}

/** `environmentFiles`: at most ten. */
export function readEnvironmentFiles(list: EnvironmentFile[] | undefined, at: string): EnvironmentFile[] | undefined {
  return checkItems(list, `${at}.environmentFiles`, { max: 10 }, client)?.map((e) => ({ value: e.value, type: e.type }));
}

/** `resourceRequirements`: GPUs and accelerators, each with a value. */
export function readResourceRequirements(list: ResourceRequirement[] | undefined, at: string): ResourceRequirement[] | undefined {
  return list?.map((r, i) => ({ type: r.type, value: present(r.value, `${at}.resourceRequirements[${i}].value`, client) }));
}

/** `systemControls`: namespaced kernel parameters, both members given. */
export function readSystemControls(list: SystemControl[] | undefined, at: string): SystemControl[] {
  return (list ?? []).map((s, i) => ({
    namespace: present(s.namespace, `${at}.systemControls[${i}].namespace`, client),
    value: present(s.value, `${at}.systemControls[${i}].value`, client),
  }));
}

/** `repositoryCredentials`: the secret holding private registry credentials. */
export function readRepositoryCredentials(r: RepositoryCredentials | undefined): RepositoryCredentials | undefined {
  return r && { credentialsParameter: r.credentialsParameter };
}

/** `firelensConfiguration`: fluentd or fluentbit, with options. */
export function readFirelensConfiguration(r: FirelensConfiguration | undefined): FirelensConfiguration | undefined {
  if (!r) return undefined;
  const out: FirelensConfiguration = { type: r.type };
  if (r.options) out.options = { ...r.options };
  return out;
}

/** `restartPolicy`: at most 50 ignored exit codes, each an integer; attempt period 60–1800 s. */
export function readRestartPolicy(r: ContainerRestartPolicy | undefined, at: string): ContainerRestartPolicy | undefined {
  if (!r) return undefined;
  const path = `${at}.restartPolicy`;
  const out: ContainerRestartPolicy = { enabled: r.enabled };
  if (r.ignoredExitCodes !== undefined) {
    if (r.ignoredExitCodes.some((c) => !Number.isInteger(c))) throw client(`${path}.ignoredExitCodes must be a list of integers.`);
    out.ignoredExitCodes = checkItems(r.ignoredExitCodes, `${path}.ignoredExitCodes`, { max: 50 }, client);
  }
  const period = checkInt(r.restartAttemptPeriod, `${path}.restartAttemptPeriod`, { min: 60, max: 1800 }, client);
  if (period !== undefined) out.restartAttemptPeriod = period;
  return out;
}
