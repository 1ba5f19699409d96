/**
 * CodeDeploy's application, deployment configuration and tag operations.
 */
import { requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import * as cd from '../../codedeploy/index.ts';
import {
  applicationShape, configShape, envOf, page, scopeOf, tagsIn, tagsOut, type CodeDeployDeps, type CodeDeployOperationTable,
} from './common.ts';

const onApplication = (i: { applicationName?: string }, ctx: RequestContext) => [i.applicationName ? cd.applicationArn(scopeOf(ctx), i.applicationName) : '*'];
const onConfig = (i: { deploymentConfigName?: string }, ctx: RequestContext) => [i.deploymentConfigName ? cd.configArn(scopeOf(ctx), i.deploymentConfigName) : '*'];

/** The SDK's traffic routing → the domain's. */
function trafficRoutingIn(t: { type?: string; timeBasedLinear?: { linearPercentage?: number; linearInterval?: number }; timeBasedCanary?: { canaryPercentage?: number; canaryInterval?: number } } | undefined): cd.TrafficRoutingRecord | undefined {
  if (!t) return undefined;
  const type = (t.type ?? 'AllAtOnce') as cd.TrafficRoutingRecord['type'];
  if (type === 'TimeBasedLinear') return { type, percentage: t.timeBasedLinear?.linearPercentage, intervalMinutes: t.timeBasedLinear?.linearInterval };
  if (type === 'TimeBasedCanary') return { type, percentage: t.timeBasedCanary?.canaryPercentage, intervalMinutes: t.timeBasedCanary?.canaryInterval };
  return { type };
}

/** The application, configuration and tag operations. */
export function applicationOperations(deps: CodeDeployDeps): CodeDeployOperationTable {
  const env = envOf(deps);
  return {
    CreateApplication: {
      authorization: { resources: onApplication, conditions: (i) => requestTagConditions(i.tags) },
      handler: async (i, ctx) => {
        const app = await cd.createApplication(env, scopeOf(ctx), { name: i.applicationName!, computePlatform: i.computePlatform, tags: tagsIn(i.tags) });
        return { applicationId: app.id };
      },
    },
    GetApplication: {
      authorization: { resources: onApplication },
      handler: async (i, ctx) => ({ application: applicationShape(await cd.getApplication(env, scopeOf(ctx), i.applicationName!)) }),
    },
    ListApplications: {
      handler: async (i, ctx) => {
        const p = page(await cd.listApplications(env, scopeOf(ctx)), (a) => a.name, i.nextToken);
        return { applications: p.items.map((a) => a.name), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
      },
    },
    BatchGetApplications: {
      authorization: { resources: (i, ctx) => (i.applicationNames ?? []).map((n) => cd.applicationArn(scopeOf(ctx), n)) },
      handler: async (i, ctx) => {
        const names = i.applicationNames ?? [];
        if (names.length > 100) throw cd.CodeDeployErrors.batchLimit();
        const out = [];
        for (const n of names) out.push(applicationShape(await cd.getApplication(env, scopeOf(ctx), n)));
        return { applicationsInfo: out };
      },
    },
    UpdateApplication: {
      authorization: { resources: onApplication },
      handler: async (i, ctx) => {
        if (i.applicationName === undefined) throw cd.CodeDeployErrors.invalidInput('applicationName is required.');
        if (i.newApplicationName !== undefined) await cd.renameApplication(env, scopeOf(ctx), i.applicationName, i.newApplicationName);
        else await cd.getApplication(env, scopeOf(ctx), i.applicationName);
        return {};
      },
    },
    DeleteApplication: {
      authorization: { resources: onApplication },
      handler: async (i, ctx) => {
        await cd.deleteApplication(env, scopeOf(ctx), i.applicationName!);
        return {};
      },
    },
    CreateDeploymentConfig: {
      authorization: { resources: onConfig },
      handler: async (i, ctx) => {
        if (i.minimumHealthyHosts || i.zonalConfig) {
          throw cd.CodeDeployErrors.invalidComputePlatform('minimumHealthyHosts and zonalConfig are for Server deployment configurations; Wharf deploys to ECS only.');
        }
        const c = await cd.createConfig(env, scopeOf(ctx), {
          name: i.deploymentConfigName!, computePlatform: (i.computePlatform ?? 'Server') as cd.ComputePlatform, trafficRouting: trafficRoutingIn(i.trafficRoutingConfig),
        });
        return { deploymentConfigId: c.id };
      },
    },
    GetDeploymentConfig: {
      authorization: { resources: onConfig },
      handler: async (i, ctx) => ({ deploymentConfigInfo: configShape(await cd.getConfig(env, scopeOf(ctx), i.deploymentConfigName!)) }),
    },
    ListDeploymentConfigs: {
      handler: async (i, ctx) => {
        const all = await cd.listConfigs(env, scopeOf(ctx));
        const p = page(all, (c) => `${c.builtIn ? 0 : 1}/${c.name}`, i.nextToken);
        return { deploymentConfigsList: p.items.map((c) => c.name), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
      },
    },
    DeleteDeploymentConfig: {
      authorization: { resources: onConfig },
      handler: async (i, ctx) => {
        await cd.deleteConfig(env, scopeOf(ctx), i.deploymentConfigName!);
        return {};
      },
    },
    TagResource: {
      authorization: { resources: (i) => [i.ResourceArn ?? '*'], conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        await cd.tagResource(env, scopeOf(ctx), i.ResourceArn!, tagsIn(i.Tags));
        return {};
      },
    },
    UntagResource: {
      authorization: { resources: (i) => [i.ResourceArn ?? '*'], conditions: (i) => tagKeyConditions(i.TagKeys) },
      handler: async (i, ctx) => {
        await cd.untagResource(env, scopeOf(ctx), i.ResourceArn!, i.TagKeys ?? []);
        return {};
      },
    },
    ListTagsForResource: {
      authorization: { resources: (i) => [i.ResourceArn ?? '*'] },
      handler: async (i, ctx) => ({ Tags: tagsOut(await cd.listTags(env, scopeOf(ctx), i.ResourceArn!)) }),
    },
  };
}
