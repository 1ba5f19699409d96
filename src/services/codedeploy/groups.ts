/**
 * CodeDeploy's deployment group operations, for ECS blue/green groups.
 */
import type { CreateDeploymentGroupInput } from '@aws-sdk/client-codedeploy';
import { requestTagConditions, type RequestContext } from '../../aws/index.ts';
import * as cd from '../../codedeploy/index.ts';
import { envOf, groupShape, page, scopeOf, tagsIn, type CodeDeployDeps, type CodeDeployOperationTable } from './common.ts';

const onGroup = (app: string | undefined, name: string | undefined, ctx: RequestContext) =>
  [app && name ? cd.groupArn(scopeOf(ctx), app, name) : '*'];

type GroupInput = Partial<Omit<CreateDeploymentGroupInput, 'applicationName' | 'deploymentGroupName' | 'tags'>>;

/** The SDK's group fields → the domain's spec (fields not given stay undefined: an update keeps them). */
export function groupSpecIn(i: GroupInput): cd.GroupSpec {
  const serverOnly = (['ec2TagFilters', 'onPremisesInstanceTagFilters', 'autoScalingGroups', 'ec2TagSet', 'onPremisesTagSet'] as const)
    .filter((f) => { const v = i[f] as unknown; return Array.isArray(v) ? v.length > 0 : v !== undefined && Object.keys(v as object).length > 0; });
  const lb = i.loadBalancerInfo;
  const bg = i.blueGreenDeploymentConfiguration;
  return {
    serviceRoleArn: i.serviceRoleArn,
    deploymentConfigName: i.deploymentConfigName,
    ecsServices: i.ecsServices?.map((s) => ({ clusterName: s.clusterName ?? '', serviceName: s.serviceName ?? '' })),
    targetGroupPairs: lb?.targetGroupPairInfoList?.map((p) => ({
      targetGroups: (p.targetGroups ?? []).map((t) => t.name ?? ''),
      prodListenerArns: p.prodTrafficRoute?.listenerArns ?? [],
      testListenerArns: p.testTrafficRoute?.listenerArns ?? [],
    })),
    otherLoadBalancerInfo: Boolean(lb?.elbInfoList?.length || lb?.targetGroupInfoList?.length),
    deploymentStyle: i.deploymentStyle ? { type: i.deploymentStyle.deploymentType, option: i.deploymentStyle.deploymentOption } : undefined,
    blueGreen: bg ? {
      ...(bg.terminateBlueInstancesOnDeploymentSuccess?.action ? { terminationAction: bg.terminateBlueInstancesOnDeploymentSuccess.action } : {}),
      ...(bg.terminateBlueInstancesOnDeploymentSuccess?.terminationWaitTimeInMinutes !== undefined
        ? { terminationWaitMinutes: bg.terminateBlueInstancesOnDeploymentSuccess.terminationWaitTimeInMinutes } : {}),
      ...(bg.deploymentReadyOption?.actionOnTimeout ? { actionOnTimeout: bg.deploymentReadyOption.actionOnTimeout } : {}),
      ...(bg.deploymentReadyOption?.waitTimeInMinutes !== undefined ? { readyWaitMinutes: bg.deploymentReadyOption.waitTimeInMinutes } : {}),
    } : undefined,
    autoRollback: i.autoRollbackConfiguration ? { enabled: i.autoRollbackConfiguration.enabled ?? false, events: i.autoRollbackConfiguration.events ?? [] } : undefined,
    serverOnly,
    extra: {
      ...(i.alarmConfiguration ? { alarmConfiguration: i.alarmConfiguration } : {}),
      ...(i.triggerConfigurations ? { triggerConfigurations: i.triggerConfigurations } : {}),
    },
  };
}

/** The deployment group operations. */
export function groupOperations(deps: CodeDeployDeps): CodeDeployOperationTable {
  const env = envOf(deps);
  return {
    CreateDeploymentGroup: {
      authorization: { resources: (i, ctx) => onGroup(i.applicationName, i.deploymentGroupName, ctx), conditions: (i) => requestTagConditions(i.tags) },
      handler: async (i, ctx) => {
        if (!i.deploymentGroupName) throw cd.CodeDeployErrors.invalidInput('deploymentGroupName is required.');
        const g = await cd.createGroup(env, scopeOf(ctx), i.applicationName!, i.deploymentGroupName, groupSpecIn(i), tagsIn(i.tags));
        return { deploymentGroupId: g.id };
      },
    },
    GetDeploymentGroup: {
      authorization: { resources: (i, ctx) => onGroup(i.applicationName, i.deploymentGroupName, ctx) },
      handler: async (i, ctx) => ({ deploymentGroupInfo: groupShape(await cd.getGroup(env, scopeOf(ctx), i.applicationName!, i.deploymentGroupName!)) }),
    },
    BatchGetDeploymentGroups: {
      authorization: { resources: (i, ctx) => (i.deploymentGroupNames ?? []).map((n) => cd.groupArn(scopeOf(ctx), i.applicationName ?? '', n)) },
      handler: async (i, ctx) => {
        const names = i.deploymentGroupNames ?? [];
        if (names.length > 100) throw cd.CodeDeployErrors.batchLimit();
        const all = await cd.listGroups(env, scopeOf(ctx), i.applicationName!);
        const found = names.map((n) => all.find((g) => g.name === n));
        return {
          deploymentGroupsInfo: found.filter((g): g is cd.DeploymentGroupRecord => g !== undefined).map(groupShape),
          ...(found.some((g) => !g) ? { errorMessage: `Deployment groups not found: ${names.filter((_, k) => !found[k]).join(', ')}` } : {}),
        };
      },
    },
    ListDeploymentGroups: {
      authorization: { resources: (i, ctx) => [i.applicationName ? cd.applicationArn(scopeOf(ctx), i.applicationName) : '*'] },
      handler: async (i, ctx) => {
        const p = page(await cd.listGroups(env, scopeOf(ctx), i.applicationName!), (g) => g.name, i.nextToken);
        return { applicationName: i.applicationName, deploymentGroups: p.items.map((g) => g.name), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
      },
    },
    UpdateDeploymentGroup: {
      authorization: { resources: (i, ctx) => onGroup(i.applicationName, i.currentDeploymentGroupName, ctx) },
      handler: async (i, ctx) => {
        await cd.updateGroup(env, scopeOf(ctx), i.applicationName!, i.currentDeploymentGroupName!, i.newDeploymentGroupName, groupSpecIn(i));
        return { hooksNotCleanedUp: [] };
      },
    },
    DeleteDeploymentGroup: {
      authorization: { resources: (i, ctx) => onGroup(i.applicationName, i.deploymentGroupName, ctx) },
      handler: async (i, ctx) => {
        await cd.deleteGroup(env, scopeOf(ctx), i.applicationName!, i.deploymentGroupName!);
        return { hooksNotCleanedUp: [] };
      },
    },
  };
}
