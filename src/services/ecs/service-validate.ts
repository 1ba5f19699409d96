/**
 * Reading and checking the members of CreateService and UpdateService at the edge, against
 * ECS's rules: names, counts, scheduling strategy, launch type, deployment configuration and
 * controller, placement, load balancers, service registries, network configuration, tags.
 * What needs the store (the task definition, the existing service) is checked by the actions
 * with the helpers at the end of this file.
 */
import { createHash } from 'node:crypto';
import type {
  DeploymentAlarms, LoadBalancer, NetworkConfiguration, PlacementConstraint, PlacementStrategy, ServiceRegistry, Tag,
} from '@aws-sdk/client-ecs';
import type { Fields } from '../../aws/index.ts';
import { validateConstraints, validatePlacement } from '../../scheduler/index.ts';
import type { Tx } from '../../state/index.ts';
import { ecsFields, readTags } from './common.ts';
import {
  EcsErrors, resolveTaskDefinition, type DeploymentConfigurationRecord, type Scope, type ServiceRecord, type TaskDefinitionRecord,
} from '../../ecs/index.ts';

/** REPLICA or DAEMON, as a service record stores it. */
export type SchedulingStrategy = ServiceRecord['schedulingStrategy'];
/** A service's propagateTags setting. */
export type PropagateTags = NonNullable<ServiceRecord['propagateTags']>;

/** ECS's rule for service names (CreateService's serviceName). */
export const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const NAME_RULE = 'up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.';
const CLIENT_TOKEN = /^[\x21-\x7e]{1,36}$/;

/** ECS's own words for what the daemon scheduling strategy refuses (InvalidParameterException). */
export const DAEMON_ERRORS = {
  desiredCount: 'The daemon scheduling strategy does not support a desired count for services. Remove the desired count value and try again',
  placementStrategy: 'The daemon scheduling strategy does not support placement strategies. Remove the placement strategy and try again',
  maximumPercent:
    'The daemon scheduling strategy does not support values above 100 for maximumPercent on a deployment configuration. Change the maximumPercent value to 100, and try again',
};

const invalid = EcsErrors.invalidParameter;
const unsupported = (path: string) => invalid(`${path} is not supported by this Wharf version.`);

/** Members of CreateService and UpdateService that Wharf does not implement: refused, never silently dropped. */
const UNSUPPORTED_MEMBERS = ['serviceConnectConfiguration', 'volumeConfigurations', 'vpcLatticeConfigurations', 'gatewayConnectors', 'monitoring'];

/** Drops members whose value is undefined, so stored and compared shapes are canonical. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

/** JSON with object keys sorted, so equal values compare equal whatever their member order. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonical(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

// ---- members both actions read ----

/** Refuses what is not implemented: Fargate, capacity providers, platform versions and the members in UNSUPPORTED_MEMBERS. */
function refuseUnsupported(f: Fields): void {
  const launchType = f.enum('launchType', ['EC2', 'FARGATE', 'EXTERNAL'] as const);
  if (launchType === 'FARGATE' || (f.objects('capacityProviderStrategy')?.length ?? 0) > 0) {
    throw invalid('launchType FARGATE and capacity provider strategies are not supported by this Wharf version; use the EC2 launch type.');
  }
  if (launchType === 'EXTERNAL') throw invalid('launchType EXTERNAL is not supported for services by this Wharf version; use the EC2 launch type.');
  if (f.string('platformVersion') !== undefined) throw invalid('platformVersion applies to the FARGATE launch type only, which this Wharf version does not support.');
  for (const member of UNSUPPORTED_MEMBERS) if (f.has(member)) throw unsupported(f.at(member));
}

/** deploymentController: only ECS (rolling update); CODE_DEPLOY and EXTERNAL are refused. */
function readDeploymentController(f: Fields): void {
  const type = f.object('deploymentController')?.enum('type', ['ECS', 'CODE_DEPLOY', 'EXTERNAL'] as const, { required: true });
  if (type !== undefined && type !== 'ECS') {
    throw invalid(`deploymentController.type ${type} is not supported by this Wharf version; use the ECS deployment controller.`);
  }
}

/** The deploymentConfiguration members a request gives, each checked; merged onto defaults or the existing one later. */
export interface DeploymentConfigurationPatch {
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  deploymentCircuitBreaker?: { enable: boolean; rollback: boolean };
  alarms?: DeploymentAlarms;
}

/**
 * Reads deploymentConfiguration. A service's steady state runs 100% of its desiredCount, so
 * minimumHealthyPercent is 0–100 and maximumPercent at least 100. Only the ROLLING strategy is
 * implemented; the members of the other strategies are refused.
 */
function readDeploymentConfiguration(f: Fields): DeploymentConfigurationPatch | undefined {
  const c = f.object('deploymentConfiguration');
  if (!c) return undefined;
  const strategy = c.enum('strategy', ['ROLLING', 'BLUE_GREEN', 'LINEAR', 'CANARY'] as const);
  if (strategy !== undefined && strategy !== 'ROLLING') {
    throw invalid(`${c.at('strategy')} ${strategy} is not supported by this Wharf version; use ROLLING.`);
  }
  for (const member of ['bakeTimeInMinutes', 'lifecycleHooks', 'linearConfiguration', 'canaryConfiguration', 'earlySuccessCriteria']) {
    if (c.has(member)) throw unsupported(c.at(member));
  }
  const breaker = c.object('deploymentCircuitBreaker');
  if (breaker) for (const member of ['resetOnHealthyTask', 'thresholdConfiguration']) if (breaker.has(member)) throw unsupported(breaker.at(member));
  const alarms = c.object('alarms');
  const alarmNames = alarms?.strings('alarmNames', { min: 1, max: 255 });
  if (alarms && !alarmNames) throw invalid(`${alarms.at('alarmNames')} can not be null.`);
  return compact({
    minimumHealthyPercent: c.int('minimumHealthyPercent', { min: 0, max: 100 }),
    maximumPercent: c.int('maximumPercent', { min: 100 }),
    deploymentCircuitBreaker: breaker && {
      enable: breaker.bool('enable', { required: true })!,
      rollback: breaker.bool('rollback', { required: true })!,
    },
    alarms: alarms && readAlarms(alarms, alarmNames!),
  });
}

/** deploymentConfiguration.alarms: all three members required; an enabled alarm check must name an alarm. */
function readAlarms(alarms: Fields, alarmNames: string[]): DeploymentAlarms {
  const enable = alarms.bool('enable', { required: true })!;
  const rollback = alarms.bool('rollback', { required: true })!;
  if (enable && alarmNames.length === 0) throw invalid(`${alarms.at('alarmNames')} must name at least one alarm when enable is true.`);
  return { alarmNames, enable, rollback };
}

/** ECS's defaults: REPLICA minimumHealthyPercent 100, maximumPercent 200; DAEMON 0 and 100; circuit breaker off. */
export function defaultDeploymentConfiguration(strategy: SchedulingStrategy): DeploymentConfigurationRecord {
  return {
    minimumHealthyPercent: strategy === 'DAEMON' ? 0 : 100,
    maximumPercent: strategy === 'DAEMON' ? 100 : 200,
    deploymentCircuitBreaker: { enable: false, rollback: false },
  };
}

/** `base` with the given members replaced (UpdateService keeps what it does not name); DAEMON allows no maximumPercent above 100. */
export function mergeDeploymentConfiguration(
  base: DeploymentConfigurationRecord, patch: DeploymentConfigurationPatch | undefined, strategy: SchedulingStrategy,
): DeploymentConfigurationRecord {
  const merged = { ...base, ...patch };
  if (strategy === 'DAEMON' && merged.maximumPercent > 100) throw invalid(DAEMON_ERRORS.maximumPercent);
  return merged;
}

/** The placement members, checked on their own (the limit counting the task definition's constraints is `checkPlacementLimit`). */
function readPlacement(f: Fields): { constraints?: PlacementConstraint[]; strategy?: PlacementStrategy[] } {
  const constraints = f.objects('placementConstraints')?.map((c) => compact({ type: c.string('type'), expression: c.string('expression') }));
  const strategy = f.objects('placementStrategy')?.map((s) => compact({ type: s.string('type'), field: s.string('field') }));
  const problem = validatePlacement(constraints, strategy);
  if (problem) throw invalid(problem);
  return { constraints: constraints as PlacementConstraint[] | undefined, strategy: strategy as PlacementStrategy[] | undefined };
}

function readLoadBalancers(f: Fields): LoadBalancer[] | undefined {
  return f.objects('loadBalancers')?.map((lb) => compact({
    targetGroupArn: lb.string('targetGroupArn'),
    loadBalancerName: lb.string('loadBalancerName'),
    containerName: lb.string('containerName'),
    containerPort: lb.int('containerPort', { min: 0, max: 65535 }),
  }));
}

/** serviceRegistries: ECS associates a service with one registry at most. */
function readServiceRegistries(f: Fields): ServiceRegistry[] | undefined {
  return f.objects('serviceRegistries', { maxItems: 1 })?.map((r) => compact({
    registryArn: r.string('registryArn'),
    port: r.int('port', { min: 0, max: 65535 }),
    containerName: r.string('containerName'),
    containerPort: r.int('containerPort', { min: 0, max: 65535 }),
  }));
}

/** networkConfiguration.awsvpcConfiguration: up to 16 subnets (required) and 5 security groups. */
function readNetworkConfiguration(f: Fields): NetworkConfiguration | undefined {
  const n = f.object('networkConfiguration');
  if (!n) return undefined;
  const a = n.object('awsvpcConfiguration');
  if (!a) return {};
  return {
    awsvpcConfiguration: compact({
      subnets: a.strings('subnets', { required: true, maxItems: 16, min: 1 }),
      securityGroups: a.strings('securityGroups', { maxItems: 5, min: 1 }),
      assignPublicIp: a.enum('assignPublicIp', ['ENABLED', 'DISABLED'] as const),
    }),
  };
}

/** The members CreateService and UpdateService share, none defaulted (UpdateService keeps what is left out). */
interface CommonMembers {
  clusterRef?: string;
  deploymentConfiguration?: DeploymentConfigurationPatch;
  placementConstraints?: PlacementConstraint[];
  placementStrategy?: PlacementStrategy[];
  healthCheckGracePeriodSeconds?: number;
  loadBalancers?: LoadBalancer[];
  serviceRegistries?: ServiceRegistry[];
  networkConfiguration?: NetworkConfiguration;
  propagateTags?: PropagateTags;
  enableECSManagedTags?: boolean;
  enableExecuteCommand?: boolean;
}

function readCommon(f: Fields): CommonMembers {
  refuseUnsupported(f);
  readDeploymentController(f);
  // Accepted for compatibility; Wharf has no load-balancer role to assume nor zones to rebalance across.
  f.string('role');
  f.enum('availabilityZoneRebalancing', ['ENABLED', 'DISABLED'] as const);
  const placement = readPlacement(f);
  return {
    clusterRef: f.string('cluster'),
    deploymentConfiguration: readDeploymentConfiguration(f),
    placementConstraints: placement.constraints,
    placementStrategy: placement.strategy,
    healthCheckGracePeriodSeconds: f.int('healthCheckGracePeriodSeconds', { min: 0 }),
    loadBalancers: readLoadBalancers(f),
    serviceRegistries: readServiceRegistries(f),
    networkConfiguration: readNetworkConfiguration(f),
    propagateTags: f.enum('propagateTags', ['TASK_DEFINITION', 'SERVICE', 'NONE'] as const),
    enableECSManagedTags: f.bool('enableECSManagedTags'),
    enableExecuteCommand: f.bool('enableExecuteCommand'),
  };
}

// ---- CreateService ----

/** CreateService's members, checked, with ECS's create-time defaults applied. */
export interface CreateServiceRequest {
  clusterRef?: string;
  serviceName: string;
  taskDefinitionRef: string;
  schedulingStrategy: SchedulingStrategy;
  /** REPLICA: as given; DAEMON: 0 until the controller counts the instances. */
  desiredCount: number;
  clientToken?: string;
  deploymentConfiguration: DeploymentConfigurationRecord;
  placementConstraints: PlacementConstraint[];
  placementStrategy: PlacementStrategy[];
  healthCheckGracePeriodSeconds: number;
  loadBalancers: LoadBalancer[];
  serviceRegistries: ServiceRegistry[];
  networkConfiguration?: NetworkConfiguration;
  propagateTags: PropagateTags;
  enableECSManagedTags: boolean;
  enableExecuteCommand: boolean;
  tags: Tag[];
}

/**
 * Reads CreateService. desiredCount is required for REPLICA services and refused for DAEMON
 * ones, which also refuse placement strategies and a maximumPercent above 100.
 */
export function readCreateService(input: Record<string, unknown>): CreateServiceRequest {
  const f = ecsFields(input);
  const serviceName = f.string('serviceName', { required: true, pattern: SERVICE_NAME, patternText: NAME_RULE });
  const taskDefinitionRef = f.string('taskDefinition', { required: true });
  const schedulingStrategy = f.enum('schedulingStrategy', ['REPLICA', 'DAEMON'] as const) ?? 'REPLICA';
  const daemon = schedulingStrategy === 'DAEMON';
  const desiredCount = f.int('desiredCount', { min: 0 });
  if (daemon && desiredCount !== undefined) throw invalid(DAEMON_ERRORS.desiredCount);
  if (!daemon && desiredCount === undefined) throw invalid('desiredCount is required when schedulingStrategy is REPLICA.');
  const clientToken = f.string('clientToken', { pattern: CLIENT_TOKEN, patternText: 'up to 36 ASCII characters in the range 33-126.' });
  const common = readCommon(f);
  if (daemon && common.placementStrategy?.length) throw invalid(DAEMON_ERRORS.placementStrategy);
  return {
    clusterRef: common.clusterRef,
    serviceName,
    taskDefinitionRef,
    schedulingStrategy,
    desiredCount: desiredCount ?? 0,
    clientToken,
    deploymentConfiguration: mergeDeploymentConfiguration(defaultDeploymentConfiguration(schedulingStrategy), common.deploymentConfiguration, schedulingStrategy),
    placementConstraints: common.placementConstraints ?? [],
    placementStrategy: common.placementStrategy ?? [],
    healthCheckGracePeriodSeconds: common.healthCheckGracePeriodSeconds ?? 0,
    loadBalancers: common.loadBalancers ?? [],
    serviceRegistries: common.serviceRegistries ?? [],
    networkConfiguration: common.networkConfiguration,
    propagateTags: common.propagateTags ?? 'NONE',
    enableECSManagedTags: common.enableECSManagedTags ?? false,
    enableExecuteCommand: common.enableExecuteCommand ?? false,
    tags: readTags(f) ?? [],
  };
}

/**
 * A digest of a CreateService request (its clientToken aside), so a retry can be told from a
 * different request for the same service name.
 */
export function createRequestDigest(clusterName: string, req: CreateServiceRequest): string {
  const { clientToken: _token, clusterRef: _ref, ...members } = req;
  return createHash('sha256').update(canonical({ clusterName, ...members })).digest('hex');
}

// ---- UpdateService and DeleteService ----

/** UpdateService's members, checked; a member left out keeps the service's current value. */
export interface UpdateServiceRequest extends CommonMembers {
  serviceRef: string;
  desiredCount?: number;
  taskDefinitionRef?: string;
  forceNewDeployment: boolean;
}

/** Reads UpdateService. What depends on the service (DAEMON's refusals) is checked by `checkUpdateForStrategy`. */
export function readUpdateService(input: Record<string, unknown>): UpdateServiceRequest {
  const f = ecsFields(input);
  return {
    serviceRef: f.string('service', { required: true }),
    desiredCount: f.int('desiredCount', { min: 0 }),
    taskDefinitionRef: f.string('taskDefinition', { min: 1 }),
    forceNewDeployment: f.bool('forceNewDeployment') ?? false,
    ...readCommon(f),
  };
}

/** DAEMON services take no desiredCount and no placement strategy on update either. */
export function checkUpdateForStrategy(req: UpdateServiceRequest, strategy: SchedulingStrategy): void {
  if (strategy !== 'DAEMON') return;
  if (req.desiredCount !== undefined) throw invalid(DAEMON_ERRORS.desiredCount);
  if (req.placementStrategy?.length) throw invalid(DAEMON_ERRORS.placementStrategy);
}

// ---- checks that read the store ----

/** The task definition a service is to run: ACTIVE and usable with the EC2 launch type, as RunTask requires. */
export async function serviceTaskDefinition(tx: Tx, scope: Scope, ref: string): Promise<TaskDefinitionRecord> {
  const td = await resolveTaskDefinition(tx, scope, ref);
  if (td.status !== 'ACTIVE') throw EcsErrors.client('TaskDefinition is inactive');
  const compat = td.requiresCompatibilities ?? [];
  if (compat.length && !compat.includes('EC2')) throw EcsErrors.client('Task definition does not support launch_type EC2.');
  return td;
}

/** ECS's limit of 10 constraints per task counts the task definition's with the service's. */
export function checkPlacementLimit(constraints: readonly PlacementConstraint[], td: TaskDefinitionRecord): void {
  const merged = [...constraints, ...(td.placementConstraints ?? [])].map((c) => ({ type: c.type, expression: c.expression }));
  const problem = validateConstraints(merged);
  if (problem) throw invalid(problem);
}
