/**
 * Reading deploymentConfiguration's strategy members (strategy, bakeTimeInMinutes,
 * linearConfiguration, canaryConfiguration, lifecycleHooks) at the edge, with ECS's ranges and
 * defaults: a linear step of 10 % every 6 minutes, a canary of 5 % for 10 minutes, hooks timing
 * out after 1440 minutes with ROLLBACK. Wharf runs no Lambda functions: only PAUSE hooks.
 */
import type { DeploymentConfiguration, DeploymentLifecycleHook } from '@aws-sdk/client-ecs';
import { EcsErrors, type DeploymentConfigurationRecord, type HookStage, type LifecycleHookRecord } from '../../ecs/index.ts';
import { checkInt, checkItems } from './common.ts';

const invalid = EcsErrors.invalidParameter;

/** The strategy members of a configuration, as a patch (undefined members untouched). */
export type StrategyPatch = Pick<DeploymentConfigurationRecord, 'strategy' | 'bakeTimeInMinutes' | 'linearConfiguration' | 'canaryConfiguration' | 'lifecycleHooks'>;

/** A percentage that must be a multiple of 0.1 within [min, 100]. */
function tenthPercent(value: number | undefined, at: string, min: number, fallback: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > 100 || Math.abs(Math.round(v * 10) - v * 10) > 1e-9) {
    throw invalid(`${at} must be a multiple of 0.1 from ${min.toFixed(1)} to 100.0.`);
  }
  return Math.round(v * 10) / 10;
}

const minutes = (value: number | undefined, at: string, fallback: number): number => checkInt(value ?? fallback, at, { min: 0, max: 1440 })!;

/** PAUSE hooks may not wait at the stages that only Lambda hooks run in. */
const NOT_FOR_PAUSE: HookStage[] = ['TEST_TRAFFIC_SHIFT', 'PRODUCTION_TRAFFIC_SHIFT'];

function readHook(h: DeploymentLifecycleHook, i: number): LifecycleHookRecord {
  const at = `deploymentConfiguration.lifecycleHooks[${i}]`;
  const targetType = h.targetType ?? 'AWS_LAMBDA';
  if (targetType !== 'PAUSE') {
    throw invalid(`${at}.targetType ${targetType} is not supported: Wharf runs no Lambda functions. Use a PAUSE hook and ContinueServiceDeployment.`);
  }
  const stages = checkItems(h.lifecycleStages, `${at}.lifecycleStages`, { nonEmpty: true }) as HookStage[] | undefined;
  if (!stages?.length) throw invalid(`${at}.lifecycleStages must name at least one lifecycle stage.`);
  const refused = stages.find((s) => NOT_FOR_PAUSE.includes(s));
  if (refused) throw invalid(`${at}.lifecycleStages: PAUSE hooks cannot be configured at the ${refused} stage.`);
  if (h.hookDetails !== undefined) throw invalid(`${at}.hookDetails is not used by PAUSE hooks.`);
  return {
    targetType: 'PAUSE',
    ...(h.hookTargetArn !== undefined && { hookTargetArn: h.hookTargetArn }),
    ...(h.roleArn !== undefined && { roleArn: h.roleArn }),
    lifecycleStages: [...new Set(stages)],
    timeoutInMinutes: checkInt(h.timeoutConfiguration?.timeoutInMinutes ?? 1440, `${at}.timeoutConfiguration.timeoutInMinutes`, { min: 1, max: 1440 })!,
    timeoutAction: h.timeoutConfiguration?.action ?? 'ROLLBACK',
  };
}

/** The strategy members `c` gives, checked, each with ECS's defaults for its strategy. */
export function readStrategy(c: DeploymentConfiguration): StrategyPatch {
  const at = 'deploymentConfiguration';
  const strategy = c.strategy;
  const shifting = strategy === 'BLUE_GREEN' || strategy === 'LINEAR' || strategy === 'CANARY';
  if (!shifting) {
    for (const member of ['bakeTimeInMinutes', 'linearConfiguration', 'canaryConfiguration', 'lifecycleHooks'] as const) {
      if (c[member] !== undefined) throw invalid(`${at}.${member} is only valid with the BLUE_GREEN, LINEAR or CANARY strategy.`);
    }
    return strategy ? { strategy } : {};
  }
  if (strategy !== 'LINEAR' && c.linearConfiguration !== undefined) throw invalid(`${at}.linearConfiguration is only valid with the LINEAR strategy.`);
  if (strategy !== 'CANARY' && c.canaryConfiguration !== undefined) throw invalid(`${at}.canaryConfiguration is only valid with the CANARY strategy.`);
  const l = c.linearConfiguration;
  const k = c.canaryConfiguration;
  return {
    strategy,
    bakeTimeInMinutes: minutes(c.bakeTimeInMinutes, `${at}.bakeTimeInMinutes`, 0),
    ...(strategy === 'LINEAR' && {
      linearConfiguration: {
        stepPercent: tenthPercent(l?.stepPercent, `${at}.linearConfiguration.stepPercent`, 3, 10),
        stepBakeTimeInMinutes: minutes(l?.stepBakeTimeInMinutes, `${at}.linearConfiguration.stepBakeTimeInMinutes`, 6),
      },
    }),
    ...(strategy === 'CANARY' && {
      canaryConfiguration: {
        canaryPercent: tenthPercent(k?.canaryPercent, `${at}.canaryConfiguration.canaryPercent`, 0.1, 5),
        canaryBakeTimeInMinutes: minutes(k?.canaryBakeTimeInMinutes, `${at}.canaryConfiguration.canaryBakeTimeInMinutes`, 10),
      },
    }),
    lifecycleHooks: (checkItems(c.lifecycleHooks, `${at}.lifecycleHooks`, { max: 10 }) ?? []).map(readHook),
  };
}
