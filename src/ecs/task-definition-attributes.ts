/**
 * Pure: the `requiresAttributes` and `compatibilities` ECS derives when it registers a task
 * definition. requiresAttributes names the container instance capabilities (attributes the
 * agent registers, e.g. `com.amazonaws.ecs.capability.docker-remote-api.1.18`) that the
 * features used need; placement only chooses instances that have them all.
 */
import type { Attribute, Compatibility, ContainerDefinition, TaskDefinition } from '@aws-sdk/client-ecs';

const REMOTE_API = 'com.amazonaws.ecs.capability.docker-remote-api';
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

/** The parts of a task definition the derived fields depend on. */
export type DerivedFrom = Pick<TaskDefinition,
  'containerDefinitions' | 'taskRoleArn' | 'executionRoleArn' | 'networkMode' | 'volumes' | 'cpu' | 'memory' | 'pidMode' | 'ipcMode'>;

function containerAttributes(c: ContainerDefinition, td: DerivedFrom, add: (name: string) => void): void {
  if (ECR_IMAGE.test(c.image ?? '')) {
    add('com.amazonaws.ecs.capability.ecr-auth');
    if (td.executionRoleArn) add('ecs.capability.execution-role-ecr-pull');
  }
  if (c.repositoryCredentials) add('com.amazonaws.ecs.capability.private-registry-authentication.secretsmanager');
  if (c.privileged) add('com.amazonaws.ecs.capability.privileged-container');
  if (c.dockerLabels && Object.keys(c.dockerLabels).length) add(`${REMOTE_API}.1.18`);
  if (c.ulimits?.length) add(`${REMOTE_API}.1.18`);
  if (c.logConfiguration) {
    const driver = c.logConfiguration.logDriver;
    add(`com.amazonaws.ecs.capability.logging-driver.${driver}`);
    add(`${REMOTE_API}.1.18`);
    if (driver !== 'json-file' && driver !== 'syslog') add(`${REMOTE_API}.1.19`);
    if (driver === 'awslogs' && td.executionRoleArn) add('ecs.capability.execution-role-awslogs');
  }
  if (c.healthCheck) {
    add('ecs.capability.container-health-check');
    add(`${REMOTE_API}.1.24`);
  }
  if (c.dependsOn?.length) add('ecs.capability.container-ordering');
  if (c.linuxParameters?.initProcessEnabled) add(`${REMOTE_API}.1.25`);
  for (const s of c.secrets ?? []) {
    add(s.valueFrom?.includes(':secretsmanager:') ? 'ecs.capability.secrets.asm.environment-variables' : 'ecs.capability.secrets.ssm.environment-variables');
  }
  if (c.environmentFiles?.length) add('ecs.capability.env-files.s3');
  if (c.firelensConfiguration) add(`ecs.capability.firelens.${c.firelensConfiguration.type}`);
}

/** The container instance attributes a task definition needs, each once, in a stable order. */
export function requiresAttributesFor(td: DerivedFrom): Attribute[] {
  const names: string[] = [];
  const add = (name: string) => {
    if (!names.includes(name)) names.push(name);
  };
  for (const c of td.containerDefinitions ?? []) containerAttributes(c, td, add);
  if (td.taskRoleArn) add('com.amazonaws.ecs.capability.task-iam-role');
  if (td.networkMode === 'awsvpc') add('ecs.capability.task-eni');
  if (td.cpu !== undefined || td.memory !== undefined) add('ecs.capability.task-cpu-mem-limit');
  if (td.pidMode || td.ipcMode) add('ecs.capability.pid-ipc-namespace-sharing');
  for (const v of td.volumes ?? []) {
    if (v.dockerVolumeConfiguration) {
      add(`${REMOTE_API}.1.25`);
      add(`ecs.capability.docker-plugin.${v.dockerVolumeConfiguration.driver ?? 'local'}`);
    }
    if (v.efsVolumeConfiguration) add('ecs.capability.efs');
    if (v.efsVolumeConfiguration?.authorizationConfig) add('ecs.capability.efsAuth');
  }
  return names.map((name) => ({ name }));
}

/**
 * The launch types the task definition validates against: EC2 always; EXTERNAL when its
 * network mode is one external instances support (not awsvpc); FARGATE when it meets
 * Fargate's requirements; MANAGED_INSTANCES when asked for.
 */
export function compatibilitiesFor(td: DerivedFrom, fargateCompatible: boolean, required: Compatibility[] = []): Compatibility[] {
  const out: Compatibility[] = [];
  if (td.networkMode !== 'awsvpc') out.push('EXTERNAL');
  out.push('EC2');
  if (fargateCompatible) out.push('FARGATE');
  if (required.includes('MANAGED_INSTANCES')) out.push('MANAGED_INSTANCES');
  return out;
}
