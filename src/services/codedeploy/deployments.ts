/**
 * CodeDeploy's deployment and deployment target operations.
 */
import { AwsError, type RequestContext } from '../../aws/index.ts';
import * as cd from '../../codedeploy/index.ts';
import { deploymentShape, envOf, page, scopeOf, targetShape, targetStatus, type CodeDeployDeps, type CodeDeployOperationTable } from './common.ts';

/** The deployment operations. */
export function deploymentOperations(deps: CodeDeployDeps): CodeDeployOperationTable {
  const env = envOf(deps);
  const taskSetsOf = async (scope: cd.Scope, d: cd.DeploymentRecord) =>
    (deps.taskSets ? (await deps.taskSets.service(scope, d.target.clusterName, d.target.serviceName).catch(() => undefined))?.taskSets : undefined) ?? [];
  const target = async (scope: cd.Scope, id: string, targetId: string) => {
    const d = await cd.getTarget(env, scope, id, targetId);
    return targetShape(d, scope, await taskSetsOf(scope, d));
  };
  /** A deployment's group ARN, what IAM authorizes its operations on (`*` when there is none to read: the handler says why). */
  const onDeployment = async (i: { deploymentId?: string }, ctx: RequestContext): Promise<string[]> => {
    const d = i.deploymentId ? await cd.getDeployment(env, scopeOf(ctx), i.deploymentId).catch(() => undefined) : undefined;
    return [d ? cd.groupArn(scopeOf(ctx), d.applicationName, d.groupName) : '*'];
  };
  return {
    CreateDeployment: {
      authorization: { resources: (i, ctx) => [i.applicationName && i.deploymentGroupName ? cd.groupArn(scopeOf(ctx), i.applicationName, i.deploymentGroupName) : '*'] },
      handler: async (i, ctx) => {
        if (!i.deploymentGroupName) throw cd.CodeDeployErrors.invalidInput('deploymentGroupName: Wharf deploys to a deployment group; name one.');
        const r = i.revision;
        const revision = r ? { type: r.revisionType ?? '', content: r.revisionType === 'String' ? r.string?.content : r.appSpecContent?.content } : undefined;
        const d = await cd.createDeployment(env, scopeOf(ctx), {
          applicationName: i.applicationName!, groupName: i.deploymentGroupName, configName: i.deploymentConfigName, revision, description: i.description,
          ...(i.autoRollbackConfiguration ? { autoRollback: { enabled: i.autoRollbackConfiguration.enabled ?? false, events: i.autoRollbackConfiguration.events ?? [] } } : {}),
        });
        return { deploymentId: d.id };
      },
    },
    GetDeployment: {
      authorization: { resources: onDeployment },
      handler: async (i, ctx) => ({ deploymentInfo: deploymentShape(await cd.getDeployment(env, scopeOf(ctx), i.deploymentId!)) }),
    },
    BatchGetDeployments: {
      authorization: {
        resources: async (i, ctx) => {
          const found = await cd.batchGetDeployments(env, scopeOf(ctx), (i.deploymentIds ?? []).slice(0, 100)).catch(() => []);
          return found.length ? [...new Set(found.map((d) => cd.groupArn(scopeOf(ctx), d.applicationName, d.groupName)))] : ['*'];
        },
      },
      handler: async (i, ctx) => ({ deploymentsInfo: (await cd.batchGetDeployments(env, scopeOf(ctx), i.deploymentIds ?? [])).map(deploymentShape) }),
    },
    ListDeployments: {
      handler: async (i, ctx) => {
        const all = await cd.listDeployments(env, scopeOf(ctx), {
          applicationName: i.applicationName, groupName: i.deploymentGroupName, externalId: i.externalId, statuses: i.includeOnlyStatuses,
          createdFrom: i.createTimeRange?.start?.getTime(), createdTo: i.createTimeRange?.end?.getTime(),
        });
        const p = page(all, (d) => `${String(Number.MAX_SAFE_INTEGER - d.createdAt).padStart(16, '0')}/${d.id}`, i.nextToken);
        return { deployments: p.items.map((d) => d.id), ...(p.nextToken ? { nextToken: p.nextToken } : {}) };
      },
    },
    ContinueDeployment: {
      authorization: { resources: onDeployment },
      handler: async (i, ctx) => {
        await cd.continueDeployment(env, scopeOf(ctx), i.deploymentId!, i.deploymentWaitType ?? 'READY_WAIT');
        return {};
      },
    },
    StopDeployment: {
      authorization: { resources: onDeployment },
      handler: async (i, ctx) => {
        await cd.stopDeployment(env, scopeOf(ctx), i.deploymentId!, i.autoRollbackEnabled ?? false);
        return { status: 'Pending', statusMessage: 'Stopping Pending. Stopping to schedule commands in the deployment instances' };
      },
    },
    ListDeploymentTargets: {
      authorization: { resources: onDeployment },
      handler: async (i, ctx) => {
        const d = await cd.getDeployment(env, scopeOf(ctx), i.deploymentId!);
        if (d.status === 'Created') throw cd.CodeDeployErrors.deploymentNotStarted(d.id);
        return { targetIds: targetMatches(d, i.targetFilters) ? [cd.ecsTargetId(d)] : [] };
      },
    },
    GetDeploymentTarget: {
      authorization: { resources: onDeployment },
      handler: async (i, ctx) => {
        if (!i.targetId) throw cd.CodeDeployErrors.invalidInput('targetId is required.');
        return { deploymentTarget: await target(scopeOf(ctx), i.deploymentId!, i.targetId) };
      },
    },
    BatchGetDeploymentTargets: {
      authorization: { resources: onDeployment },
      handler: async (i, ctx) => {
        const ids = i.targetIds ?? [];
        if (ids.length > 25) throw new AwsError('DeploymentTargetListSizeExceededException', 'At most 25 target ids may be given.');
        const out = [];
        for (const t of ids) out.push(await target(scopeOf(ctx), i.deploymentId!, t));
        return { deploymentTargets: out };
      },
    },
  };
}

const TARGET_STATUSES = ['Failed', 'InProgress', 'Pending', 'Ready', 'Skipped', 'Succeeded', 'Unknown'];

/**
 * ListDeploymentTargets' targetFilters: TargetStatus (the target's status among those given)
 * and ServerInstanceLabel (Blue or Green: a label of EC2 instances, which an ECS target has not,
 * so it matches none).
 */
function targetMatches(d: cd.DeploymentRecord, filters: Record<string, string[]> | undefined): boolean {
  let match = true;
  for (const [name, values] of Object.entries(filters ?? {})) {
    if (name === 'TargetStatus') {
      const bad = values.find((v) => !TARGET_STATUSES.includes(v));
      if (bad !== undefined) throw cd.CodeDeployErrors.invalidInstanceStatus(`targetFilters.TargetStatus: ${bad} is not one of ${TARGET_STATUSES.join(', ')}.`);
      if (values.length && !values.includes(targetStatus(d))) match = false;
    } else if (name === 'ServerInstanceLabel') {
      const bad = values.find((v) => v !== 'Blue' && v !== 'Green');
      if (bad !== undefined) throw cd.CodeDeployErrors.invalidInstanceType(`targetFilters.ServerInstanceLabel: ${bad} is not Blue or Green.`);
      if (values.length) match = false;
    } else throw cd.CodeDeployErrors.invalidTargetFilterName(`targetFilters: ${name} is not TargetStatus or ServerInstanceLabel.`);
  }
  return match;
}
