/** Reading a request's launch type: EC2 or Fargate, by `launchType` or by a capacity provider strategy. */
import type { RunTaskRequest } from '@aws-sdk/client-ecs';
import { EcsErrors, fargatePlatformVersion, isFargateStrategy, nextProvider, readCapacityProviderStrategy, type LaunchRequest } from '../../ecs/index.ts';

const invalid = EcsErrors.invalidParameter;

/**
 * The launch type RunTask or CreateService asks for: `launchType`, or a capacity provider strategy —
 * Fargate's providers (FARGATE) or Auto Scaling groups' (EC2 on their instances); each task's provider
 * is then chosen by the strategy's base and weights. A platform version is Fargate's alone.
 */
export function readLaunchType(run: Partial<Pick<RunTaskRequest, 'launchType' | 'capacityProviderStrategy' | 'platformVersion'>>): Pick<LaunchRequest, 'launchType' | 'platformVersion' | 'capacityProviderName' | 'capacityProviderStrategy'> {
  const strategy = run.capacityProviderStrategy;
  if (strategy !== undefined) {
    if (run.launchType !== undefined) throw invalid('Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.');
    const items = readCapacityProviderStrategy(strategy, 'capacityProviderStrategy');
    const fargate = isFargateStrategy(items);
    if (!fargate && run.platformVersion !== undefined) throw invalid('The platform version must be null when specifying an EC2 launch type.');
    return {
      ...(fargate ? { launchType: 'FARGATE', platformVersion: fargatePlatformVersion(run.platformVersion) } : { launchType: 'EC2' }),
      // The provider of a lone task (a task set's), and of tasks launched without the strategy.
      capacityProviderName: nextProvider(items, new Map()), capacityProviderStrategy: items,
    };
  }
  if (run.launchType === 'FARGATE') return { launchType: 'FARGATE', platformVersion: fargatePlatformVersion(run.platformVersion) };
  if (run.launchType === 'EXTERNAL' || run.launchType === 'MANAGED_INSTANCES') {
    throw invalid(`launchType ${run.launchType} is not supported by this Wharf version; use EC2 or FARGATE.`);
  }
  if (run.platformVersion !== undefined) throw invalid('The platform version must be null when specifying an EC2 launch type.');
  return {};
}
