/**
 * Deployment configurations: the built-in ECS ones (all at once, linear, canary) and the
 * account's own (CreateDeploymentConfig with a trafficRoutingConfig), read by name. Built-in
 * names are answered without a record; the account's own are records under its scope.
 */
import { listDocs, transact } from '../state/index.ts';
import type { CodeDeployEnv } from './env.ts';
import { CodeDeployErrors } from './errors.ts';
import { keys, uuidOf, type ComputePlatform, type DeploymentConfigRecord, type DeploymentGroupRecord, type Scope, type TrafficRoutingRecord } from './records.ts';

const builtIn = (name: string, trafficRouting: TrafficRoutingRecord, id: string): DeploymentConfigRecord =>
  ({ id, name, computePlatform: 'ECS', trafficRouting, createdAt: Date.UTC(2018, 10, 27), builtIn: true });

/** CodeDeploy's predefined ECS configurations. */
export const BUILT_IN_CONFIGS: readonly DeploymentConfigRecord[] = [
  builtIn('CodeDeployDefault.ECSAllAtOnce', { type: 'AllAtOnce' }, '00000000-0000-4000-8000-000000000101'),
  builtIn('CodeDeployDefault.ECSLinear10PercentEvery1Minutes', { type: 'TimeBasedLinear', percentage: 10, intervalMinutes: 1 }, '00000000-0000-4000-8000-000000000102'),
  builtIn('CodeDeployDefault.ECSLinear10PercentEvery3Minutes', { type: 'TimeBasedLinear', percentage: 10, intervalMinutes: 3 }, '00000000-0000-4000-8000-000000000103'),
  builtIn('CodeDeployDefault.ECSCanary10Percent5Minutes', { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 5 }, '00000000-0000-4000-8000-000000000104'),
  builtIn('CodeDeployDefault.ECSCanary10Percent15Minutes', { type: 'TimeBasedCanary', percentage: 10, intervalMinutes: 15 }, '00000000-0000-4000-8000-000000000105'),
];

/** The configuration an ECS deployment group gets when it names none. */
export const DEFAULT_ECS_CONFIG = 'CodeDeployDefault.ECSAllAtOnce';

/** What CreateDeploymentConfig asks for. */
export interface CreateConfigRequest {
  name: string;
  computePlatform: ComputePlatform;
  trafficRouting?: TrafficRoutingRecord;
}

/** Refuses a traffic routing that cannot run: percentages in 1–99, intervals of at least a minute. */
export function checkTrafficRouting(t: TrafficRoutingRecord): TrafficRoutingRecord {
  if (t.type === 'AllAtOnce') return { type: 'AllAtOnce' };
  const which = t.type === 'TimeBasedLinear' ? 'timeBasedLinear' : 'timeBasedCanary';
  const percentField = t.type === 'TimeBasedLinear' ? 'linearPercentage' : 'canaryPercentage';
  const intervalField = t.type === 'TimeBasedLinear' ? 'linearInterval' : 'canaryInterval';
  if (t.percentage === undefined || !(t.percentage >= 1 && t.percentage <= 99)) {
    throw CodeDeployErrors.invalidTrafficRouting(`trafficRoutingConfig.${which}.${percentField} must be between 1 and 99.`);
  }
  if (t.intervalMinutes === undefined || !Number.isInteger(t.intervalMinutes) || t.intervalMinutes < 1) {
    throw CodeDeployErrors.invalidTrafficRouting(`trafficRoutingConfig.${which}.${intervalField} must be a whole number of minutes, at least 1.`);
  }
  return { type: t.type, percentage: t.percentage, intervalMinutes: t.intervalMinutes };
}

/** CreateDeploymentConfig: ECS configurations with traffic routing (Server and Lambda ones are refused). */
export async function createConfig(env: CodeDeployEnv, scope: Scope, req: CreateConfigRequest): Promise<DeploymentConfigRecord> {
  if (req.name.startsWith('CodeDeployDefault.')) throw CodeDeployErrors.configAlreadyExists(req.name);
  if (req.computePlatform !== 'ECS') throw CodeDeployErrors.invalidComputePlatform(`computePlatform: Wharf deploys to ECS only, not ${req.computePlatform}.`);
  if (!req.trafficRouting) throw CodeDeployErrors.invalidTrafficRouting('trafficRoutingConfig is required for an ECS deployment configuration.');
  const trafficRouting = checkTrafficRouting(req.trafficRouting);
  return transact(env.store, async (tx) => {
    if (await tx.get(keys.config(scope, req.name))) throw CodeDeployErrors.configAlreadyExists(req.name);
    const record: DeploymentConfigRecord = { id: uuidOf(env.ids), name: req.name, computePlatform: 'ECS', trafficRouting, createdAt: env.clock.now(), builtIn: false };
    tx.put(keys.config(scope, req.name), record);
    return record;
  });
}

/** GetDeploymentConfig (built-in or the account's own). */
export async function getConfig(env: CodeDeployEnv, scope: Scope, name: string): Promise<DeploymentConfigRecord> {
  const found = BUILT_IN_CONFIGS.find((c) => c.name === name)
    ?? await transact(env.store, (tx) => tx.get<DeploymentConfigRecord>(keys.config(scope, name)));
  if (!found) throw CodeDeployErrors.configDoesNotExist(name);
  return found;
}

/** ListDeploymentConfigs: built-in first, then the account's own by name. */
export async function listConfigs(env: CodeDeployEnv, scope: Scope): Promise<DeploymentConfigRecord[]> {
  const own = (await listDocs<DeploymentConfigRecord>(env.store, keys.configs(scope))).map((d) => d.value).sort((a, b) => (a.name < b.name ? -1 : 1));
  return [...BUILT_IN_CONFIGS, ...own];
}

/** DeleteDeploymentConfig: never a built-in one, nor one a group uses. */
export async function deleteConfig(env: CodeDeployEnv, scope: Scope, name: string): Promise<void> {
  if (BUILT_IN_CONFIGS.some((c) => c.name === name)) throw CodeDeployErrors.invalidOperation(`The predefined deployment configuration ${name} cannot be deleted.`);
  const groups = await listDocs<DeploymentGroupRecord>(env.store, keys.allGroups(scope));
  await transact(env.store, async (tx) => {
    if (!await tx.get(keys.config(scope, name))) return; // deleting what is not there succeeds, as CodeDeploy's does
    if (groups.some((g) => g.value.deploymentConfigName === name)) throw CodeDeployErrors.configInUse(name);
    tx.delete(keys.config(scope, name));
  });
}
