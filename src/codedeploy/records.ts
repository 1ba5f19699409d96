/**
 * CodeDeploy's records as stored: applications, deployment groups (an ECS service, its target
 * group pair and listeners, the blue/green settings), deployment configurations (the built-in
 * ECS ones and the account's own), deployments with their ECS target and the state of the
 * stage machine that runs them. Records are not API shapes: timestamps are epoch ms; the
 * CodeDeploy adapter (`services/codedeploy`) turns them into the API's.
 */

/** Every application, group, config and deployment belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A tag on an application or deployment group. */
export interface CodeDeployTag {
  key: string;
  value: string;
}

/** CodeDeploy's compute platforms; Wharf deploys to ECS only. */
export type ComputePlatform = 'ECS' | 'Server' | 'Lambda';

/** An application: the name deployment groups and deployments hang under. */
export interface ApplicationRecord {
  id: string;
  name: string;
  computePlatform: ComputePlatform;
  createdAt: number;
  tags: CodeDeployTag[];
}

/** The ECS service a deployment group deploys to. */
export interface EcsServiceRef {
  clusterName: string;
  serviceName: string;
}

/** The two target groups (by name) blue and green alternate between, and the listeners that route to them. */
export interface TargetGroupPairRecord {
  targetGroups: string[];
  prodListenerArns: string[];
  testListenerArns: string[];
}

/** The blue/green settings of a group (and, copied, of each of its deployments). */
export interface BlueGreenRecord {
  /** TERMINATE deletes the blue task set after the wait; KEEP_ALIVE leaves it. */
  terminationAction: 'TERMINATE' | 'KEEP_ALIVE';
  terminationWaitMinutes: number;
  /** CONTINUE_DEPLOYMENT shifts production traffic at once; STOP_DEPLOYMENT waits for ContinueDeployment. */
  actionOnTimeout: 'CONTINUE_DEPLOYMENT' | 'STOP_DEPLOYMENT';
  readyWaitMinutes: number;
}

/** When a deployment that fails or is stopped returns traffic to blue. */
export interface AutoRollbackRecord {
  enabled: boolean;
  events: string[];
}

/** A deployment group: an application's deployment target and how deployments to it run. */
export interface DeploymentGroupRecord {
  id: string;
  applicationName: string;
  name: string;
  serviceRoleArn: string;
  deploymentConfigName: string;
  ecsServices: EcsServiceRef[];
  targetGroupPairs: TargetGroupPairRecord[];
  blueGreen: BlueGreenRecord;
  autoRollback: AutoRollbackRecord;
  /** The fields Wharf keeps and shows back as given: alarmConfiguration (the engine reads it, see alarms.ts) and triggerConfigurations (not acted on). */
  extra: Record<string, unknown>;
  lastAttempted?: DeploymentSummary;
  lastSuccessful?: DeploymentSummary;
  createdAt: number;
  tags: CodeDeployTag[];
}

/** A group's last attempted or successful deployment. */
export interface DeploymentSummary {
  deploymentId: string;
  status: DeploymentStatus;
  endTime?: number;
  createTime: number;
}

/** How production traffic moves from blue to green. */
export interface TrafficRoutingRecord {
  type: 'AllAtOnce' | 'TimeBasedLinear' | 'TimeBasedCanary';
  /** Linear: percent per step; canary: the first step's percent. */
  percentage?: number;
  /** Minutes between steps. */
  intervalMinutes?: number;
}

/** A deployment configuration. */
export interface DeploymentConfigRecord {
  id: string;
  name: string;
  computePlatform: ComputePlatform;
  trafficRouting: TrafficRoutingRecord;
  createdAt: number;
  builtIn: boolean;
}

/** CodeDeploy's deployment statuses. */
export type DeploymentStatus = 'Created' | 'Queued' | 'InProgress' | 'Ready' | 'Succeeded' | 'Failed' | 'Stopped';

/** The ECS part of an AppSpec: what the replacement task set runs. */
export interface EcsAppSpec {
  taskDefinition: string;
  containerName: string;
  containerPort: number;
  platformVersion?: string;
  networkConfiguration?: { subnets: string[]; securityGroups?: string[]; assignPublicIp?: 'ENABLED' | 'DISABLED' };
  capacityProviderStrategy?: { capacityProvider: string; base?: number; weight?: number }[];
}

/** An ECS deployment's lifecycle events, in the order they run. */
export const ECS_LIFECYCLE_EVENTS = [
  'BeforeInstall', 'Install', 'AfterInstall', 'AllowTestTraffic', 'AfterAllowTestTraffic', 'BeforeAllowTraffic', 'AllowTraffic', 'AfterAllowTraffic',
] as const;
export type LifecycleEventName = (typeof ECS_LIFECYCLE_EVENTS)[number];

/** A lifecycle event's progress. */
export interface LifecycleEventRecord {
  name: LifecycleEventName;
  status: 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped';
  startedAt?: number;
  endedAt?: number;
  message?: string;
}

/** Where a deployment's stage machine is. */
export type EnginePhase = 'Start' | 'Install' | 'TestTraffic' | 'ReadyWait' | 'Shift' | 'TerminationWait' | 'Terminate' | 'RollBack' | 'Done';

/** The stage machine's state, kept on the deployment (see stages.ts). */
export interface EngineState {
  phase: EnginePhase;
  phaseSince: number;
  /** Production traffic on green, in percent. */
  greenPercent: number;
  steps: number;
  nextShiftAt?: number;
  testOnGreen: boolean;
  greenPrimary: boolean;
  /** Blue's and green's task sets and target groups, once known. */
  blue?: { taskSetId: string; targetGroupArn: string; targetGroupName: string };
  green?: { taskSetId?: string; targetGroupArn: string; targetGroupName: string };
  blueDeleted: boolean;
  greenDeleted: boolean;
  /** ContinueDeployment's answers. */
  readyContinued: boolean;
  terminationContinued: boolean;
  terminationWaitStartedAt?: number;
  /** A StopDeployment or a failure: what the deployment ends as once traffic is back where it belongs. */
  ending?: { status: 'Failed' | 'Stopped'; code: string; message: string; rollback: boolean };
  events: LifecycleEventRecord[];
}

/** A deployment. */
export interface DeploymentRecord {
  id: string;
  applicationName: string;
  groupName: string;
  configName: string;
  trafficRouting: TrafficRoutingRecord;
  blueGreen: BlueGreenRecord;
  autoRollback: AutoRollbackRecord;
  targetGroupPair: TargetGroupPairRecord;
  target: EcsServiceRef;
  appSpec: EcsAppSpec;
  revision: { type: 'AppSpecContent' | 'String'; content: string; sha256: string };
  description?: string;
  creator: 'user' | 'autoscaling' | 'codeDeployRollback';
  status: DeploymentStatus;
  error?: { code: string; message: string };
  rollbackMessage?: string;
  createdAt: number;
  startedAt?: number;
  completedAt?: number;
  updatedAt: number;
  engine: EngineState;
}

const seg = (s: string): string => encodeURIComponent(s);

/** The store's keys for CodeDeploy's records. */
export const keys = {
  applications: (s: Scope) => `codedeploy/applications/${s.account}/${s.region}/`,
  application: (s: Scope, name: string) => `codedeploy/applications/${s.account}/${s.region}/${seg(name)}`,
  allGroups: (s: Scope) => `codedeploy/groups/${s.account}/${s.region}/`,
  groups: (s: Scope, app: string) => `codedeploy/groups/${s.account}/${s.region}/${seg(app)}/`,
  group: (s: Scope, app: string, name: string) => `codedeploy/groups/${s.account}/${s.region}/${seg(app)}/${seg(name)}`,
  configs: (s: Scope) => `codedeploy/configs/${s.account}/${s.region}/`,
  config: (s: Scope, name: string) => `codedeploy/configs/${s.account}/${s.region}/${seg(name)}`,
  allDeployments: 'codedeploy/deployments/',
  deployments: (s: Scope) => `codedeploy/deployments/${s.account}/${s.region}/`,
  deployment: (s: Scope, id: string) => `codedeploy/deployments/${s.account}/${s.region}/${id}`,
  /** The one deployment a group has in progress. */
  activeDeployment: (s: Scope, app: string, group: string) => `codedeploy/active/${s.account}/${s.region}/${seg(app)}/${seg(group)}`,
};

/** The scope and id of a deployment key. */
export function parseDeploymentKey(key: string): { scope: Scope; id: string } | undefined {
  const m = /^codedeploy\/deployments\/([^/]+)\/([^/]+)\/([^/]+)$/.exec(key);
  return m ? { scope: { account: m[1]!, region: m[2]! }, id: m[3]! } : undefined;
}

export const applicationArn = (s: Scope, name: string) => `arn:aws:codedeploy:${s.region}:${s.account}:application:${name}`;
export const groupArn = (s: Scope, app: string, name: string) => `arn:aws:codedeploy:${s.region}:${s.account}:deploymentgroup:${app}/${name}`;
export const configArn = (s: Scope, name: string) => `arn:aws:codedeploy:${s.region}:${s.account}:deploymentconfig:${name}`;

/** What a CodeDeploy ARN names. */
export type ParsedArn =
  | { kind: 'application'; scope: Scope; application: string }
  | { kind: 'deploymentgroup'; scope: Scope; application: string; group: string }
  | { kind: 'deploymentconfig'; scope: Scope; config: string };

export function parseCodeDeployArn(arn: string): ParsedArn | undefined {
  const m = /^arn:aws[a-z-]*:codedeploy:([^:]+):(\d{12}):(application|deploymentgroup|deploymentconfig):(.+)$/.exec(arn);
  if (!m) return undefined;
  const scope = { region: m[1]!, account: m[2]! };
  if (m[3] === 'application') return { kind: 'application', scope, application: m[4]! };
  if (m[3] === 'deploymentconfig') return { kind: 'deploymentconfig', scope, config: m[4]! };
  const slash = m[4]!.indexOf('/');
  if (slash <= 0) return undefined;
  return { kind: 'deploymentgroup', scope, application: m[4]!.slice(0, slash), group: m[4]!.slice(slash + 1) };
}

/** What makes ids: 32 hex digits at a time. */
export interface IdSource {
  hex32(): string;
}

/** A UUID-shaped id, as CodeDeploy's application, group and config ids are. */
export const uuidOf = (ids: IdSource): string => {
  const h = ids.hex32();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
};

/** A deployment id as CodeDeploy gives it: `d-` and nine capitals or digits. */
export const deploymentIdOf = (ids: IdSource): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
  const h = ids.hex32();
  let out = 'd-';
  for (let i = 0; i < 9; i++) out += alphabet[parseInt(h.slice(i * 3, i * 3 + 3), 16) % alphabet.length];
  return out;
};
