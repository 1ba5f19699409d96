/**
 * Pure: what of a task definition Wharf's agent does not honour yet. RegisterTaskDefinition
 * accepts every valid task definition (real ones must register), but a task must never run
 * without something its definition asks for: RunTask, StartTask, CreateService and
 * UpdateService refuse such a task definition, naming what is missing, rather than start
 * containers that silently lack their secrets, EFS volumes or log routing.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { EcsErrors } from './errors.ts';
import type { TaskDefinitionRecord } from './records.ts';

/** Log drivers the agent hands to Docker itself, and awslogs, which it ships; splunk and awsfirelens need shipping Wharf does not do yet. */
const HONOURED_LOG_DRIVERS = new Set(['json-file', 'local', 'none', 'syslog', 'journald', 'gelf', 'fluentd', 'awslogs']);

/** One unhonoured member of a container: what it is, in words, when `c` uses it. */
type ContainerCheck = [what: string, member: string, uses: (c: ContainerDefinition) => boolean];

const CONTAINER_CHECKS: readonly ContainerCheck[] = [
  ['environment files (they are read from S3, which Wharf does not serve)', 'environmentFiles', (c) => Boolean(c.environmentFiles?.length)],
  ['FireLens log routing', 'firelensConfiguration', (c) => c.firelensConfiguration !== undefined],
  ['log shipping', 'logConfiguration.logDriver', (c) => c.logConfiguration !== undefined && !HONOURED_LOG_DRIVERS.has(c.logConfiguration.logDriver ?? '')],
  // Docker limits swap only beside a hard memory limit: maxSwap without `memory` would be dropped.
  ['swap limits without a memory limit', 'linuxParameters.maxSwap', (c) => c.linuxParameters?.maxSwap !== undefined && c.memory === undefined],
  ['container restart policies', 'restartPolicy', (c) => c.restartPolicy?.enabled === true],
  ['credential specs', 'credentialSpecs', (c) => Boolean(c.credentialSpecs?.length)],
];

/** What this control plane can honour beyond the agent's own: EFS volumes, once EFS is wired. */
export interface Honoured {
  efsVolumes?: boolean;
}

/**
 * The first thing `td` asks for that the agent would not honour, in words that name the member
 * (`Wharf does not support container secrets yet: containerDefinitions[0].secrets (web).`),
 * or undefined when every member is honoured.
 */
export function unhonouredFeature(td: Pick<TaskDefinitionRecord, 'containerDefinitions' | 'volumes' | 'proxyConfiguration'>, honoured: Honoured = {}): string | undefined {
  for (const [i, c] of (td.containerDefinitions ?? []).entries()) {
    for (const [what, member, uses] of CONTAINER_CHECKS) {
      if (!uses(c)) continue;
      const detail = member === 'logConfiguration.logDriver' ? `${c.logConfiguration!.logDriver} ` : '';
      return `Wharf does not support ${detail}${what} yet: containerDefinitions[${i}].${member} (${c.name}).`;
    }
  }
  // EFS volumes need the EFS domain to resolve their file systems; FSx file systems need mounting the agent does not do.
  for (const [i, v] of (td.volumes ?? []).entries()) {
    if (v.efsVolumeConfiguration && !honoured.efsVolumes) return `Wharf does not support EFS volumes yet: volumes[${i}].efsVolumeConfiguration (${v.name}).`;
    if (v.fsxWindowsFileServerVolumeConfiguration) {
      return `Wharf does not support FSx for Windows File Server volumes yet: volumes[${i}].fsxWindowsFileServerVolumeConfiguration (${v.name}).`;
    }
  }
  if (td.proxyConfiguration) return 'Wharf does not support App Mesh proxies yet: proxyConfiguration.';
  return undefined;
}

/** Refuses to run a task definition the agent would not honour in full (InvalidParameterException). */
export function refuseUnhonoured(td: Parameters<typeof unhonouredFeature>[0], honoured: Honoured = {}): void {
  const problem = unhonouredFeature(td, honoured);
  if (problem) throw EcsErrors.invalidParameter(problem);
}
