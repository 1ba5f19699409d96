/**
 * Deployment groups: CreateDeploymentGroup for ECS blue/green (one ECS service, one target
 * group pair with production and optional test listeners, BLUE_GREEN WITH_TRAFFIC_CONTROL),
 * GetDeploymentGroup, ListDeploymentGroups, BatchGetDeploymentGroups, UpdateDeploymentGroup,
 * DeleteDeploymentGroup. Cross-field rules live here; members and enums are the model's.
 */
import { listDocs, transact } from '../state/index.ts';
import { checkAlarmConfiguration, type AlarmConfigurationRecord } from './alarms.ts';
import { getConfig, DEFAULT_ECS_CONFIG } from './configs.ts';
import type { CodeDeployEnv } from './env.ts';
import { CodeDeployErrors } from './errors.ts';
import {
  keys, uuidOf, type ApplicationRecord, type AutoRollbackRecord, type BlueGreenRecord, type CodeDeployTag, type DeploymentGroupRecord,
  type EcsServiceRef, type Scope, type TargetGroupPairRecord,
} from './records.ts';
import { checkTags } from './tags.ts';

/** What CreateDeploymentGroup and UpdateDeploymentGroup give (undefined: unchanged on update). */
export interface GroupSpec {
  serviceRoleArn?: string;
  deploymentConfigName?: string;
  ecsServices?: EcsServiceRef[];
  targetGroupPairs?: TargetGroupPairRecord[];
  /** Whether loadBalancerInfo named classic load balancers or single target groups (refused for ECS). */
  otherLoadBalancerInfo?: boolean;
  deploymentStyle?: { type?: string; option?: string };
  blueGreen?: Partial<BlueGreenRecord>;
  autoRollback?: AutoRollbackRecord;
  /** EC2 and on-premises fields, refused for ECS when given. */
  serverOnly?: string[];
  extra?: Record<string, unknown>;
}

/** The blue/green settings a group has when it gives none. */
export const DEFAULT_BLUE_GREEN: BlueGreenRecord = { terminationAction: 'TERMINATE', terminationWaitMinutes: 0, actionOnTimeout: 'CONTINUE_DEPLOYMENT', readyWaitMinutes: 0 };

const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/;

/** Checks a whole group (after an update's changes are applied). */
async function checkGroup(env: CodeDeployEnv, scope: Scope, g: DeploymentGroupRecord, spec: GroupSpec): Promise<void> {
  if (!g.serviceRoleArn) throw CodeDeployErrors.roleRequired();
  if (!ROLE.test(g.serviceRoleArn)) throw CodeDeployErrors.invalidRole(`serviceRoleArn: ${g.serviceRoleArn} is not an IAM role ARN.`);
  if (spec.serverOnly?.length) throw CodeDeployErrors.invalidInput(`${spec.serverOnly[0]}: not allowed for a deployment group of an ECS application.`);
  const style = spec.deploymentStyle;
  if (style && ((style.type !== undefined && style.type !== 'BLUE_GREEN') || (style.option !== undefined && style.option !== 'WITH_TRAFFIC_CONTROL'))) {
    throw CodeDeployErrors.invalidDeploymentStyle('deploymentStyle: an ECS deployment group must be BLUE_GREEN with WITH_TRAFFIC_CONTROL.');
  }
  if (g.ecsServices.length !== 1) throw CodeDeployErrors.invalidEcsService('ecsServices: an ECS deployment group names exactly one ECS service (clusterName and serviceName).');
  const svc = g.ecsServices[0]!;
  if (!svc.clusterName || !svc.serviceName) throw CodeDeployErrors.invalidEcsService('ecsServices[0]: clusterName and serviceName are required.');
  if (spec.otherLoadBalancerInfo) throw CodeDeployErrors.invalidLoadBalancerInfo('loadBalancerInfo: an ECS deployment group uses targetGroupPairInfoList only.');
  if (g.targetGroupPairs.length !== 1) throw CodeDeployErrors.invalidLoadBalancerInfo('loadBalancerInfo.targetGroupPairInfoList must hold exactly one target group pair.');
  const pair = g.targetGroupPairs[0]!;
  if (pair.targetGroups.length !== 2 || pair.targetGroups[0] === pair.targetGroups[1] || pair.targetGroups.some((n) => !n)) {
    throw CodeDeployErrors.invalidTargetGroupPair('loadBalancerInfo.targetGroupPairInfoList[0].targetGroups must name two different target groups.');
  }
  if (pair.prodListenerArns.length !== 1) throw CodeDeployErrors.invalidTargetGroupPair('loadBalancerInfo.targetGroupPairInfoList[0].prodTrafficRoute.listenerArns must name one listener.');
  if (pair.testListenerArns.length > 1) throw CodeDeployErrors.invalidTargetGroupPair('loadBalancerInfo.targetGroupPairInfoList[0].testTrafficRoute.listenerArns may name one listener.');
  if (pair.testListenerArns.includes(pair.prodListenerArns[0]!)) throw CodeDeployErrors.invalidTargetGroupPair('The test listener must not be the production listener.');
  const bg = g.blueGreen;
  if (bg.terminationWaitMinutes < 0 || bg.terminationWaitMinutes > 2880) {
    throw CodeDeployErrors.invalidBlueGreen('blueGreenDeploymentConfiguration.terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes must be between 0 and 2880.');
  }
  if (bg.readyWaitMinutes < 0 || bg.readyWaitMinutes > 2880) {
    throw CodeDeployErrors.invalidBlueGreen('blueGreenDeploymentConfiguration.deploymentReadyOption.waitTimeInMinutes must be between 0 and 2880.');
  }
  if (bg.actionOnTimeout === 'STOP_DEPLOYMENT' && bg.readyWaitMinutes === 0) {
    throw CodeDeployErrors.invalidBlueGreen('blueGreenDeploymentConfiguration.deploymentReadyOption: STOP_DEPLOYMENT needs a waitTimeInMinutes of at least 1.');
  }
  if (g.autoRollback.enabled && g.autoRollback.events.length === 0) {
    throw CodeDeployErrors.invalidAutoRollback('autoRollbackConfiguration.events: name at least one event when automatic rollback is enabled.');
  }
  checkAlarmConfiguration(g.extra.alarmConfiguration as AlarmConfigurationRecord | undefined);
  const config = await getConfig(env, scope, g.deploymentConfigName);
  if (config.computePlatform !== 'ECS') throw CodeDeployErrors.invalidInput(`deploymentConfigName: ${config.name} is not an ECS deployment configuration.`);
}

function applySpec(g: DeploymentGroupRecord, spec: GroupSpec): DeploymentGroupRecord {
  return {
    ...g,
    ...(spec.serviceRoleArn !== undefined ? { serviceRoleArn: spec.serviceRoleArn } : {}),
    ...(spec.deploymentConfigName !== undefined ? { deploymentConfigName: spec.deploymentConfigName } : {}),
    ...(spec.ecsServices !== undefined ? { ecsServices: spec.ecsServices } : {}),
    ...(spec.targetGroupPairs !== undefined ? { targetGroupPairs: spec.targetGroupPairs } : {}),
    ...(spec.blueGreen !== undefined ? { blueGreen: { ...g.blueGreen, ...spec.blueGreen } } : {}),
    ...(spec.autoRollback !== undefined ? { autoRollback: spec.autoRollback } : {}),
    extra: { ...g.extra, ...spec.extra },
  };
}

async function findApplication(env: CodeDeployEnv, scope: Scope, name: string): Promise<ApplicationRecord> {
  const app = await transact(env.store, (tx) => tx.get<ApplicationRecord>(keys.application(scope, name)));
  if (!app) throw CodeDeployErrors.applicationDoesNotExist(name);
  return app;
}

/** CreateDeploymentGroup. */
export async function createGroup(env: CodeDeployEnv, scope: Scope, app: string, name: string, spec: GroupSpec, tags: CodeDeployTag[]): Promise<DeploymentGroupRecord> {
  await findApplication(env, scope, app);
  checkTags(tags);
  const group = applySpec({
    id: uuidOf(env.ids), applicationName: app, name, serviceRoleArn: '', deploymentConfigName: DEFAULT_ECS_CONFIG, ecsServices: [], targetGroupPairs: [],
    blueGreen: DEFAULT_BLUE_GREEN, autoRollback: { enabled: false, events: [] }, extra: {}, createdAt: env.clock.now(), tags,
  }, spec);
  await checkGroup(env, scope, group, spec);
  return transact(env.store, async (tx) => {
    if (!await tx.get(keys.application(scope, app))) throw CodeDeployErrors.applicationDoesNotExist(app);
    if (await tx.get(keys.group(scope, app, name))) throw CodeDeployErrors.groupAlreadyExists(app, name);
    tx.put(keys.group(scope, app, name), group);
    return group;
  });
}

/** GetDeploymentGroup. */
export async function getGroup(env: CodeDeployEnv, scope: Scope, app: string, name: string): Promise<DeploymentGroupRecord> {
  await findApplication(env, scope, app);
  const g = await transact(env.store, (tx) => tx.get<DeploymentGroupRecord>(keys.group(scope, app, name)));
  if (!g) throw CodeDeployErrors.groupDoesNotExist(app, name);
  return g;
}

/** ListDeploymentGroups: an application's groups by name. */
export async function listGroups(env: CodeDeployEnv, scope: Scope, app: string): Promise<DeploymentGroupRecord[]> {
  await findApplication(env, scope, app);
  return (await listDocs<DeploymentGroupRecord>(env.store, keys.groups(scope, app))).map((d) => d.value).sort((a, b) => (a.name < b.name ? -1 : 1));
}

/** UpdateDeploymentGroup: the changes given, and a rename with `newName`. */
export async function updateGroup(env: CodeDeployEnv, scope: Scope, app: string, name: string, newName: string | undefined, spec: GroupSpec): Promise<DeploymentGroupRecord> {
  const current = await getGroup(env, scope, app, name);
  const updated = { ...applySpec(current, spec), name: newName ?? name };
  await checkGroup(env, scope, updated, spec);
  return transact(env.store, async (tx) => {
    const again = await tx.get<DeploymentGroupRecord>(keys.group(scope, app, name));
    if (!again) throw CodeDeployErrors.groupDoesNotExist(app, name);
    if (newName !== undefined && newName !== name) {
      if (await tx.get(keys.group(scope, app, newName))) throw CodeDeployErrors.groupAlreadyExists(app, newName);
      if (await tx.get(keys.activeDeployment(scope, app, name))) throw CodeDeployErrors.invalidInput(`newDeploymentGroupName: ${name} has a deployment in progress.`);
      tx.delete(keys.group(scope, app, name));
    }
    const merged = { ...updated, lastAttempted: again.lastAttempted, lastSuccessful: again.lastSuccessful, tags: again.tags };
    tx.put(keys.group(scope, app, merged.name), merged);
    return merged;
  });
}

/** DeleteDeploymentGroup: a group not there is no error. */
export async function deleteGroup(env: CodeDeployEnv, scope: Scope, app: string, name: string): Promise<void> {
  await transact(env.store, async (tx) => {
    tx.delete(keys.group(scope, app, name));
  });
}
