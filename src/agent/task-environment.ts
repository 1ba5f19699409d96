/**
 * Pure: the environment a task's container starts with. Besides its definition's `environment`
 * and its resolved `secrets`, ECS gives every container the URLs of its task's endpoints
 * (credentials, metadata v3 and v4), `AWS_EXECUTION_ENV` and the region; Wharf adds
 * `AWS_ENDPOINT_URL`, so the AWS SDKs inside the task call Wharf, reached through the same
 * link-local address. What the definition sets wins over what the agent adds; a secret wins
 * over both (ECS refuses a name that is both, Wharf keeps the secret).
 */
import type { ContainerDefinition, KeyValuePair } from '@aws-sdk/client-ecs';
import type { ContainerModel, TaskModel } from './task-lifecycle.ts';
import type { ContainerSecrets } from './task-secrets.ts';

/** The link-local address ECS serves the task endpoints at, in every task's network. */
export const TASK_ENDPOINT_ADDRESS = '169.254.170.2';
/** The endpoints' base URL, as containers are told it. */
export const TASK_ENDPOINT_URL = `http://${TASK_ENDPOINT_ADDRESS}`;

/** What a container's endpoint variables say. */
export interface EndpointVariables {
  /** Present when the task has a task role: the credentials id in its relative URI. */
  credentialsId?: string;
  /** The container's metadata id (`/v3/<id>`, `/v4/<id>`). */
  metadataId: string;
  region: string;
  launchType: 'EC2' | 'FARGATE';
  /** Where the endpoints are served (default TASK_ENDPOINT_URL). */
  baseUrl?: string;
}

/** The variables the agent adds for one container. */
export function endpointVariables(v: EndpointVariables): Record<string, string> {
  const base = v.baseUrl ?? TASK_ENDPOINT_URL;
  return {
    ...(v.credentialsId && { AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: `/v2/credentials/${v.credentialsId}` }),
    ECS_CONTAINER_METADATA_URI: `${base}/v3/${v.metadataId}`,
    ECS_CONTAINER_METADATA_URI_V4: `${base}/v4/${v.metadataId}`,
    AWS_EXECUTION_ENV: v.launchType === 'FARGATE' ? 'AWS_ECS_FARGATE' : 'AWS_ECS_EC2',
    AWS_REGION: v.region,
    AWS_DEFAULT_REGION: v.region,
    AWS_ENDPOINT_URL: base,
  };
}

/** The container's whole environment: the agent's variables, then its definition's, then its secrets. */
export function containerEnvironment(def: ContainerDefinition, added: Record<string, string>, secrets: Record<string, string>): KeyValuePair[] {
  const env = new Map(Object.entries(added));
  for (const e of def.environment ?? []) if (e.name) env.set(e.name, e.value ?? '');
  for (const [name, value] of Object.entries(secrets)) env.set(name, value);
  return [...env].map(([name, value]) => ({ name, value }));
}

/**
 * The container's definition as it is run: its environment with the endpoints' variables (when
 * this host serves them at `endpointsUrl`) and its secrets, its log options with its secret ones.
 */
export function definitionToRun(t: TaskModel, c: ContainerModel, secrets: ContainerSecrets | undefined, endpointsUrl: string | undefined): ContainerDefinition {
  const added = endpointsUrl ? endpointVariables({
    baseUrl: endpointsUrl,
    metadataId: t.endpoints?.containers[c.name] ?? '',
    ...(t.desired.spec.taskRoleArn && t.endpoints && { credentialsId: t.endpoints.credentialsId }),
    region: t.taskArn.split(':')[3] ?? 'us-east-1',
    launchType: t.desired.launchType ?? 'EC2',
  }) : {};
  const def: ContainerDefinition = { ...c.def, environment: containerEnvironment(c.def, added, secrets?.environment ?? {}) };
  if (secrets && Object.keys(secrets.logOptions).length && def.logConfiguration) {
    def.logConfiguration = { ...def.logConfiguration, options: { ...def.logConfiguration.options, ...secrets.logOptions } };
  }
  return def;
}
