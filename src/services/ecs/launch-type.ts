/** Reading a request's launch type: EC2 or Fargate, by `launchType` or by a capacity provider strategy. */
import type { RunTaskRequest } from '@aws-sdk/client-ecs';
import { EcsErrors, fargatePlatformVersion, type LaunchRequest } from '../../ecs/index.ts';

const invalid = EcsErrors.invalidParameter;

/**
 * The launch type RunTask or CreateService asks for: `launchType`, or a capacity provider strategy, which may
 * name Fargate's providers only (Wharf has no others yet). FARGATE_SPOT runs as FARGATE: a local
 * host is never reclaimed. A platform version is Fargate's alone.
 */
export function readLaunchType(run: Partial<Pick<RunTaskRequest, 'launchType' | 'capacityProviderStrategy' | 'platformVersion'>>): Pick<LaunchRequest, 'launchType' | 'platformVersion' | 'capacityProviderName'> {
  const strategy = run.capacityProviderStrategy;
  if (strategy !== undefined) {
    if (run.launchType !== undefined) throw invalid('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
    if (!strategy.length) throw invalid('capacityProviderStrategy: must name at least one capacity provider.');
    const other = strategy.find((s) => s.capacityProvider !== 'FARGATE' && s.capacityProvider !== 'FARGATE_SPOT');
    if (other) throw invalid(`The specified capacity provider ${other.capacityProvider} was not found. Wharf runs the FARGATE and FARGATE_SPOT providers.`);
    const chosen = [...strategy].sort((a, b) => (b.base ?? 0) - (a.base ?? 0) || (b.weight ?? 0) - (a.weight ?? 0))[0];
    return { launchType: 'FARGATE', platformVersion: fargatePlatformVersion(run.platformVersion), capacityProviderName: chosen.capacityProvider };
  }
  if (run.launchType === 'FARGATE') return { launchType: 'FARGATE', platformVersion: fargatePlatformVersion(run.platformVersion) };
  if (run.launchType === 'EXTERNAL' || run.launchType === 'MANAGED_INSTANCES') {
    throw invalid(`launchType ${run.launchType} is not supported by this Wharf version; use EC2 or FARGATE.`);
  }
  if (run.platformVersion !== undefined) throw invalid('The platform version must be null when specifying an EC2 launch type.');
  return {};
}
