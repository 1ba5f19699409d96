/**
 * Reading and checking the members of CreateService and UpdateService at the edge, against
 * ECS's rules: names, counts, scheduling strategy, launch type, deployment configuration and
 * controller, placement, load balancers, service registries, network configuration, tags.
 * What needs the store (the task definition, the existing service) is checked by the actions
 * with the helpers at the end of this file.
 */
import { canonicalJson } from '../../common/index.ts';
import { createHash } from 'node:crypto';
import type {
  CreateServiceRequest, DeploymentAlarms, DeploymentConfiguration, LoadBalancer, NetworkConfiguration, PlacementConstraint, PlacementStrategy,
  ServiceRegistry, Tag, UpdateServiceRequest,
} from '@aws-sdk/client-ecs';
import { validateConstraints, validatePlacement } from '../../scheduler/index.ts';
import { checkInt, checkItems, checkString, checkStrings, checkTags, present } from './common.ts';
import {
  EcsErrors, fargatePlatformVersion, readCapacityProviderStrategy, type StrategyItem, type DeploymentConfigurationRecord, type DeploymentControllerType, type LaunchRequest, type ServiceRecord, type TaskDefinitionRecord,
} from '../../ecs/index.ts';
import { readStrategy, type StrategyPatch } from './deployment-strategy.ts';
import { readLaunchType } from './launch-type.ts';

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
const UNSUPPORTED_MEMBERS = ['serviceConnectConfiguration', 'volumeConfigurations', 'vpcLatticeConfigurations', 'gatewayConnectors', 'monitoring'] as const;

/** Drops members whose value is undefined, so stored and compared shapes are canonical. */
function compact<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

// ---- members both operations read (types, required members and enums are the model's) ----

/** The members both operations share, as the SDK declares them. */
type ServiceMembers = Partial<CreateServiceRequest & UpdateServiceRequest>;

/** Refuses what is not implemented: the EXTERNAL and MANAGED_INSTANCES launch types and the members in UNSUPPORTED_MEMBERS. */
function refuseUnsupported(input: ServiceMembers): void {
  if (input.launchType === 'EXTERNAL' || input.launchType === 'MANAGED_INSTANCES') {
    throw invalid(`launchType ${input.launchType} is not supported for services by this Wharf version; use EC2 or FARGATE.`);
  }
  for (const member of UNSUPPORTED_MEMBERS) if (input[member] !== undefined) throw unsupported(member);
}

/** ECS's words (and Wharf's where ECS's are not known) for what the EXTERNAL and CODE_DEPLOY controllers refuse. */
export const CONTROLLER_ERRORS = {
  externalTaskDefinition: 'TaskDefinition must be blank.',
  externalMember: (member: string) => `${member} must be blank for a service using the EXTERNAL deployment controller; set it on the service's task sets.`,
  daemon: (type: string) => `The DAEMON scheduling strategy is not supported with the ${type} deployment controller.`,
  strategy: (type: string) => `deploymentConfiguration.strategy must be ROLLING for a service using the ${type} deployment controller.`,
  codeDeployTaskDefinition: 'Unable to update task definition on services with a CODE_DEPLOY deployment controller. Use AWS CodeDeploy to trigger a new deployment.',
  change: 'Changing the deployment controller of a service is not supported by this Wharf version.',
};

/** The EXTERNAL and CODE_DEPLOY controllers' rules at creation: no DAEMON, no strategy but ROLLING; EXTERNAL takes no task definition, network or load balancers (its task sets do). */
function checkControllerMembers(input: CreateServiceRequest, type: DeploymentControllerType): void {
  if (type === 'ECS') return;
  if (input.schedulingStrategy === 'DAEMON') throw invalid(CONTROLLER_ERRORS.daemon(type));
  const strategy = input.deploymentConfiguration?.strategy;
  if (strategy !== undefined && strategy !== 'ROLLING') throw invalid(CONTROLLER_ERRORS.strategy(type));
  if (type !== 'EXTERNAL') return;
  if (input.taskDefinition !== undefined) throw invalid(CONTROLLER_ERRORS.externalTaskDefinition);
  for (const member of ['loadBalancers', 'serviceRegistries', 'networkConfiguration', 'capacityProviderStrategy', 'platformVersion'] as const) {
    if (input[member] !== undefined) throw invalid(CONTROLLER_ERRORS.externalMember(member));
  }
}

/** The deploymentConfiguration members a request gives, each checked; merged onto defaults or the existing one later. */
export interface DeploymentConfigurationPatch extends StrategyPatch {
  minimumHealthyPercent?: number;
  maximumPercent?: number;
  deploymentCircuitBreaker?: { enable: boolean; rollback: boolean };
  alarms?: DeploymentAlarms;
}

/**
 * Reads deploymentConfiguration. A service's steady state runs 100% of its desiredCount, so
 * minimumHealthyPercent is 0–100 and maximumPercent at least 100. The strategy members are
 * deployment-strategy.ts's.
 */
function readDeploymentConfiguration(c: DeploymentConfiguration | undefined): DeploymentConfigurationPatch | undefined {
  if (!c) return undefined;
  const at = 'deploymentConfiguration';
  if (c.earlySuccessCriteria !== undefined) throw unsupported(`${at}.earlySuccessCriteria`);
  const breaker = c.deploymentCircuitBreaker;
  if (breaker) for (const member of ['resetOnHealthyTask', 'thresholdConfiguration'] as const) if (breaker[member] !== undefined) throw unsupported(`${at}.deploymentCircuitBreaker.${member}`);
  return compact({
    minimumHealthyPercent: checkInt(c.minimumHealthyPercent, `${at}.minimumHealthyPercent`, { min: 0, max: 100 }),
    maximumPercent: checkInt(c.maximumPercent, `${at}.maximumPercent`, { min: 100 }),
    deploymentCircuitBreaker: breaker && { enable: breaker.enable!, rollback: breaker.rollback! },
    alarms: c.alarms && readAlarms(c.alarms),
    ...readStrategy(c),
  });
}

/** deploymentConfiguration.alarms (all three members required by the model): an enabled alarm check must name an alarm. */
function readAlarms(alarms: DeploymentAlarms): DeploymentAlarms {
  const at = 'deploymentConfiguration.alarms.alarmNames';
  const alarmNames = checkStrings(alarms.alarmNames, at, { min: 1, max: 255 })!;
  if (alarms.enable && alarmNames.length === 0) throw invalid(`${at} must name at least one alarm when enable is true.`);
  return { alarmNames, enable: alarms.enable, rollback: alarms.rollback };
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
  // A strategy given replaces the old one's members (a linear step does not outlive LINEAR).
  const { strategy: _s, bakeTimeInMinutes: _b, linearConfiguration: _l, canaryConfiguration: _c, lifecycleHooks: _h, ...rest } = base;
  const merged = { ...(patch?.strategy !== undefined ? rest : base), ...patch };
  if (merged.strategy === 'ROLLING') delete merged.strategy;
  if (strategy === 'DAEMON' && merged.maximumPercent > 100) throw invalid(DAEMON_ERRORS.maximumPercent);
  return merged;
}

/** The placement members, checked on their own (the limit counting the task definition's constraints is `checkPlacementLimit`). */
function readPlacement(input: ServiceMembers): { constraints?: PlacementConstraint[]; strategy?: PlacementStrategy[] } {
  const constraints = input.placementConstraints?.map((c) => compact({ type: c.type, expression: c.expression }));
  const strategy = input.placementStrategy?.map((s) => compact({ type: s.type, field: s.field }));
  const problem = validatePlacement(constraints, strategy);
  if (problem) throw invalid(problem);
  return { constraints, strategy };
}

/** loadBalancers, each member checked (shared with CreateTaskSet). */
export function readLoadBalancers(list: LoadBalancer[] | undefined): LoadBalancer[] | undefined {
  return list?.map((lb, i) => {
    const a = lb.advancedConfiguration;
    if (a && !a.alternateTargetGroupArn) throw invalid(`loadBalancers[${i}].advancedConfiguration.alternateTargetGroupArn can not be blank.`);
    return compact({
      targetGroupArn: lb.targetGroupArn,
      loadBalancerName: lb.loadBalancerName,
      containerName: lb.containerName,
      containerPort: checkInt(lb.containerPort, `loadBalancers[${i}].containerPort`, { min: 0, max: 65535 }),
      advancedConfiguration: a && compact({
        alternateTargetGroupArn: a.alternateTargetGroupArn, productionListenerRule: a.productionListenerRule, testListenerRule: a.testListenerRule, roleArn: a.roleArn,
      }),
    });
  });
}

/** serviceRegistries: ECS associates a service (or task set) with one registry at most. */
export function readServiceRegistries(list: ServiceRegistry[] | undefined): ServiceRegistry[] | undefined {
  return checkItems(list, 'serviceRegistries', { max: 1 })?.map((r, i) => compact({
    registryArn: r.registryArn,
    port: checkInt(r.port, `serviceRegistries[${i}].port`, { min: 0, max: 65535 }),
    containerName: r.containerName,
    containerPort: checkInt(r.containerPort, `serviceRegistries[${i}].containerPort`, { min: 0, max: 65535 }),
  }));
}

/** networkConfiguration.awsvpcConfiguration: up to 16 subnets (required by the model) and 5 security groups. */
export function readNetworkConfiguration(n: NetworkConfiguration | undefined): NetworkConfiguration | undefined {
  if (!n) return undefined;
  const a = n.awsvpcConfiguration;
  if (!a) return {};
  const at = 'networkConfiguration.awsvpcConfiguration';
  return {
    awsvpcConfiguration: compact({
      subnets: checkStrings(a.subnets, `${at}.subnets`, { maxItems: 16, nonEmpty: true, min: 1 }),
      securityGroups: checkStrings(a.securityGroups, `${at}.securityGroups`, { maxItems: 5, min: 1 }),
      assignPublicIp: a.assignPublicIp,
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

function readCommon(input: ServiceMembers): CommonMembers {
  refuseUnsupported(input);
  // `role` and `availabilityZoneRebalancing` are accepted for compatibility: Wharf has no
  // load-balancer role to assume (the caller may still have to pass it) nor zones to rebalance across.
  const placement = readPlacement(input);
  return {
    clusterRef: input.cluster,
    deploymentConfiguration: readDeploymentConfiguration(input.deploymentConfiguration),
    placementConstraints: placement.constraints,
    placementStrategy: placement.strategy,
    healthCheckGracePeriodSeconds: checkInt(input.healthCheckGracePeriodSeconds, 'healthCheckGracePeriodSeconds', { min: 0 }),
    loadBalancers: readLoadBalancers(input.loadBalancers),
    serviceRegistries: readServiceRegistries(input.serviceRegistries),
    networkConfiguration: readNetworkConfiguration(input.networkConfiguration),
    propagateTags: input.propagateTags,
    enableECSManagedTags: input.enableECSManagedTags,
    enableExecuteCommand: input.enableExecuteCommand,
  };
}

// ---- CreateService ----

/** CreateService's members, checked, with ECS's create-time defaults applied. */
export interface NewService {
  clusterRef?: string;
  serviceName: string;
  /** Absent for an EXTERNAL service (its task sets name theirs). */
  taskDefinitionRef?: string;
  deploymentController: DeploymentControllerType;
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
  /** FARGATE (by launchType or a Fargate capacity provider strategy) or EC2, with Fargate's platform version. */
  launch: Pick<LaunchRequest, 'launchType' | 'platformVersion' | 'capacityProviderName' | 'capacityProviderStrategy'>;
}

/**
 * Reads CreateService. desiredCount is required for REPLICA services and refused for DAEMON
 * ones, which also refuse placement strategies and a maximumPercent above 100.
 */
export function readCreateService(input: CreateServiceRequest): NewService {
  const serviceName = checkString(present(input.serviceName, 'serviceName'), 'serviceName', { pattern: SERVICE_NAME, patternText: NAME_RULE })!;
  const deploymentController = input.deploymentController?.type ?? 'ECS';
  checkControllerMembers(input, deploymentController);
  const taskDefinitionRef = deploymentController === 'EXTERNAL' ? undefined : present(input.taskDefinition, 'taskDefinition');
  const schedulingStrategy = input.schedulingStrategy ?? 'REPLICA';
  const daemon = schedulingStrategy === 'DAEMON';
  const desiredCount = checkInt(input.desiredCount, 'desiredCount', { min: 0 });
  if (daemon && desiredCount !== undefined) throw invalid(DAEMON_ERRORS.desiredCount);
  if (!daemon && desiredCount === undefined) throw invalid('desiredCount is required when schedulingStrategy is REPLICA.');
  const clientToken = checkString(input.clientToken, 'clientToken', { pattern: CLIENT_TOKEN, patternText: 'up to 36 ASCII characters in the range 33-126.' });
  const common = readCommon(input);
  if (daemon && common.placementStrategy?.length) throw invalid(DAEMON_ERRORS.placementStrategy);
  const launch = readLaunchType(input);
  if (launch.launchType === 'FARGATE') {
    if (daemon) throw invalid('The DAEMON scheduling strategy is not supported with the FARGATE launch type.');
    if (common.placementConstraints?.length || common.placementStrategy?.length) {
      throw invalid('Task placement constraints and strategies are not supported with the FARGATE launch type.');
    }
  }
  return {
    launch,
    clusterRef: common.clusterRef,
    serviceName,
    taskDefinitionRef,
    deploymentController,
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
    tags: checkTags(input.tags) ?? [],
  };
}

/**
 * A digest of a CreateService request (its clientToken aside), so a retry can be told from a
 * different request for the same service name.
 */
export function createRequestDigest(clusterName: string, req: NewService): string {
  const { clientToken: _token, clusterRef: _ref, ...members } = req;
  return createHash('sha256').update(canonicalJson({ clusterName, ...members })).digest('hex');
}

// ---- UpdateService and DeleteService ----

/** UpdateService's members, checked; a member left out keeps the service's current value. */
export interface ServiceUpdate extends CommonMembers {
  serviceRef: string;
  desiredCount?: number;
  taskDefinitionRef?: string;
  forceNewDeployment: boolean;
  /** A new capacity provider strategy (a Fargate service's): a changed one starts a deployment. */
  capacityProviderStrategy?: StrategyItem[];
  deploymentController?: DeploymentControllerType;
  /** Members given that an EXTERNAL or CODE_DEPLOY service may refuse (checkUpdateForController). */
  given: Set<string>;
}

/** Reads UpdateService. What depends on the service (DAEMON's refusals) is checked by `checkUpdateForStrategy`. */
export function readUpdateService(input: UpdateServiceRequest): ServiceUpdate {
  if (input.platformVersion !== undefined) fargatePlatformVersion(input.platformVersion);
  const strategy = input.capacityProviderStrategy && readCapacityProviderStrategy(input.capacityProviderStrategy, 'capacityProviderStrategy');
  return {
    ...(strategy && { capacityProviderStrategy: strategy }),
    serviceRef: present(input.service, 'service'),
    desiredCount: checkInt(input.desiredCount, 'desiredCount', { min: 0 }),
    taskDefinitionRef: checkString(input.taskDefinition, 'taskDefinition', { min: 1 }),
    forceNewDeployment: input.forceNewDeployment ?? false,
    deploymentController: input.deploymentController?.type,
    given: new Set(Object.entries(input).filter(([, v]) => v !== undefined).map(([k]) => k)),
    ...readCommon(input),
  };
}

/**
 * What UpdateService may change of a service by its controller: the controller itself never
 * (here); an EXTERNAL service only its desiredCount, placement, health check grace period and
 * tag settings (the rest is its task sets'); a CODE_DEPLOY service not its task definition.
 */
export function checkUpdateForController(req: ServiceUpdate, type: DeploymentControllerType): void {
  if (req.deploymentController !== undefined && req.deploymentController !== type) throw invalid(CONTROLLER_ERRORS.change);
  if (type === 'ECS') return;
  if (type === 'CODE_DEPLOY' && req.taskDefinitionRef !== undefined) throw invalid(CONTROLLER_ERRORS.codeDeployTaskDefinition);
  const refused = type === 'EXTERNAL'
    ? ['taskDefinition', 'loadBalancers', 'serviceRegistries', 'networkConfiguration', 'platformVersion', 'forceNewDeployment', 'deploymentConfiguration']
    : ['loadBalancers', 'serviceRegistries', 'networkConfiguration', 'platformVersion', 'forceNewDeployment'];
  const member = refused.find((m) => req.given.has(m) && !(m === 'forceNewDeployment' && !req.forceNewDeployment));
  if (member) throw invalid(`${member} can not be updated for a service using the ${type} deployment controller.`);
}

/** DAEMON services take no desiredCount and no placement strategy on update either. */
export function checkUpdateForStrategy(req: ServiceUpdate, strategy: SchedulingStrategy): void {
  if (strategy !== 'DAEMON') return;
  if (req.desiredCount !== undefined) throw invalid(DAEMON_ERRORS.desiredCount);
  if (req.placementStrategy?.length) throw invalid(DAEMON_ERRORS.placementStrategy);
}

// ---- checks that read the store ----

/** ECS's limit of 10 constraints per task counts the task definition's with the service's. */
export function checkPlacementLimit(constraints: readonly PlacementConstraint[], td: TaskDefinitionRecord): void {
  const merged = [...constraints, ...(td.placementConstraints ?? [])].map((c) => ({ type: c.type, expression: c.expression }));
  const problem = validateConstraints(merged);
  if (problem) throw invalid(problem);
}
