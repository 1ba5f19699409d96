/**
 * What the CodeDeploy API's handlers share: their ports, the operation table's type, the scope
 * of a request, validation errors in CodeDeploy's words, paging, and records as API shapes.
 */
import type {
  ApplicationInfo, DeploymentConfigInfo, DeploymentGroupInfo, DeploymentInfo, DeploymentTarget, Tag,
} from '@aws-sdk/client-codedeploy';
import { AwsError, coralValidationMessage, paginate, type CodedeployOperations, type OperationSpec, type RequestContext, type Violation } from '../../aws/index.ts';
import * as cd from '../../codedeploy/index.ts';
import type { Clock, Ids } from '../../common/index.ts';
import type { Store } from '../../state/index.ts';

/** What the CodeDeploy API runs on. */
export interface CodeDeployDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** ECS's task sets, to show a deployment target's counts (without it they show as recorded: zero). */
  taskSets?: cd.TaskSetsPort;
}

/** Some of CodeDeploy's operations, as one file of the adapter implements them. */
export type CodeDeployOperationTable = {
  [K in keyof CodedeployOperations]?: OperationSpec<CodedeployOperations[K]['input'], CodedeployOperations[K]['output']>
};

/** CodeDeploy's own errors for a missing required member; ValidationException for the rest. */
const REQUIRED: Record<string, string> = {
  applicationName: 'ApplicationNameRequiredException',
  deploymentGroupName: 'DeploymentGroupNameRequiredException',
  currentDeploymentGroupName: 'DeploymentGroupNameRequiredException',
  deploymentId: 'DeploymentIdRequiredException',
  deploymentConfigName: 'DeploymentConfigNameRequiredException',
  ResourceArn: 'ResourceArnRequiredException',
  Tags: 'TagRequiredException',
  TagKeys: 'TagRequiredException',
  targetId: 'DeploymentTargetIdRequiredException',
};

/** The error for a request the model refuses. */
export function codeDeployValidationError(violations: Violation[]): AwsError {
  const first = violations[0];
  const own = first && first.constraint === 'required' && first.path.length === 1 ? REQUIRED[String(first.path[0])] : undefined;
  if (own) return new AwsError(own, `${String(first!.path[0])} is required.`);
  return new AwsError('ValidationException', coralValidationMessage(violations));
}

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): cd.Scope => ({ account: ctx.account, region: ctx.region });

/** The domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: CodeDeployDeps): cd.CodeDeployEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
});

/** One page of `items` after `token`. */
export const page = <T>(items: T[], keyOf: (item: T) => string, token: string | undefined) =>
  paginate(items, keyOf, token, undefined, () => cd.CodeDeployErrors.invalidNextToken(), 100);

export const tagsIn = (tags: readonly Tag[] | undefined): cd.CodeDeployTag[] => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
export const tagsOut = (tags: readonly cd.CodeDeployTag[]): Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

/** An application as GetApplication shows it. */
export const applicationShape = (a: cd.ApplicationRecord): ApplicationInfo => ({
  applicationId: a.id, applicationName: a.name, createTime: new Date(a.createdAt), linkedToGitHub: false, computePlatform: a.computePlatform,
});

/** A deployment configuration as GetDeploymentConfig shows it. */
export function configShape(c: cd.DeploymentConfigRecord): DeploymentConfigInfo {
  const t = c.trafficRouting;
  return {
    deploymentConfigId: c.id, deploymentConfigName: c.name, createTime: new Date(c.createdAt), computePlatform: c.computePlatform,
    trafficRoutingConfig: {
      type: t.type,
      ...(t.type === 'TimeBasedLinear' ? { timeBasedLinear: { linearPercentage: t.percentage, linearInterval: t.intervalMinutes } } : {}),
      ...(t.type === 'TimeBasedCanary' ? { timeBasedCanary: { canaryPercentage: t.percentage, canaryInterval: t.intervalMinutes } } : {}),
    },
  };
}

const blueGreenShape = (b: cd.BlueGreenRecord) => ({
  terminateBlueInstancesOnDeploymentSuccess: { action: b.terminationAction, terminationWaitTimeInMinutes: b.terminationWaitMinutes },
  deploymentReadyOption: { actionOnTimeout: b.actionOnTimeout, waitTimeInMinutes: b.readyWaitMinutes },
});

const pairShape = (p: cd.TargetGroupPairRecord) => ({
  targetGroups: p.targetGroups.map((name) => ({ name })),
  prodTrafficRoute: { listenerArns: p.prodListenerArns },
  ...(p.testListenerArns.length ? { testTrafficRoute: { listenerArns: p.testListenerArns } } : {}),
});

const summaryShape = (s: cd.DeploymentSummary | undefined) =>
  (s ? { deploymentId: s.deploymentId, status: s.status, createTime: new Date(s.createTime), ...(s.endTime !== undefined ? { endTime: new Date(s.endTime) } : {}) } : undefined);

/** A deployment group as GetDeploymentGroup shows it. */
export function groupShape(g: cd.DeploymentGroupRecord): DeploymentGroupInfo {
  return {
    applicationName: g.applicationName, deploymentGroupId: g.id, deploymentGroupName: g.name, deploymentConfigName: g.deploymentConfigName,
    ec2TagFilters: [], onPremisesInstanceTagFilters: [], autoScalingGroups: [], serviceRoleArn: g.serviceRoleArn,
    triggerConfigurations: [], ...(g.extra as object),
    autoRollbackConfiguration: { enabled: g.autoRollback.enabled, ...(g.autoRollback.events.length ? { events: g.autoRollback.events as never } : {}) },
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    outdatedInstancesStrategy: 'UPDATE',
    blueGreenDeploymentConfiguration: blueGreenShape(g.blueGreen),
    loadBalancerInfo: { targetGroupPairInfoList: g.targetGroupPairs.map(pairShape) },
    ...(g.lastAttempted ? { lastAttemptedDeployment: summaryShape(g.lastAttempted) } : {}),
    ...(g.lastSuccessful ? { lastSuccessfulDeployment: summaryShape(g.lastSuccessful) } : {}),
    computePlatform: 'ECS',
    ecsServices: g.ecsServices.map((s) => ({ serviceName: s.serviceName, clusterName: s.clusterName })),
    terminationHookEnabled: false,
  };
}

/** A deployment as GetDeployment shows it. */
export function deploymentShape(d: cd.DeploymentRecord): DeploymentInfo {
  const e = d.engine;
  const overview = { Pending: 0, InProgress: 0, Succeeded: 0, Failed: 0, Skipped: 0, Ready: 0 };
  if (d.status === 'Succeeded') overview.Succeeded = 1;
  else if (d.status === 'Failed') overview.Failed = 1;
  else if (d.status === 'Ready') overview.Ready = 1;
  else if (d.status === 'Stopped') overview.Skipped = 1;
  else if (d.status === 'InProgress') overview.InProgress = 1;
  else overview.Pending = 1;
  const revision = d.revision.type === 'String'
    ? { revisionType: 'String' as const, string: { content: d.revision.content, sha256: d.revision.sha256 } }
    : { revisionType: 'AppSpecContent' as const, appSpecContent: { content: d.revision.content, sha256: d.revision.sha256 } };
  return {
    applicationName: d.applicationName, deploymentGroupName: d.groupName, deploymentConfigName: d.configName, deploymentId: d.id,
    revision, status: d.status,
    ...(d.error ? { errorInformation: { code: d.error.code as never, message: d.error.message } } : {}),
    createTime: new Date(d.createdAt),
    ...(d.startedAt !== undefined ? { startTime: new Date(d.startedAt) } : {}),
    ...(d.completedAt !== undefined ? { completeTime: new Date(d.completedAt) } : {}),
    deploymentOverview: overview,
    ...(d.description !== undefined ? { description: d.description } : {}),
    creator: d.creator, ignoreApplicationStopFailures: false,
    autoRollbackConfiguration: { enabled: d.autoRollback.enabled, ...(d.autoRollback.events.length ? { events: d.autoRollback.events as never } : {}) },
    updateOutdatedInstancesOnly: false,
    ...(d.rollbackMessage ? { rollbackInfo: { rollbackMessage: d.rollbackMessage } } : {}),
    deploymentStyle: { deploymentType: 'BLUE_GREEN', deploymentOption: 'WITH_TRAFFIC_CONTROL' },
    // Whether the wait before blue is deleted has started (it stays so once it has, as CodeDeploy's does).
    instanceTerminationWaitTimeStarted: e.terminationWaitStartedAt !== undefined,
    blueGreenDeploymentConfiguration: blueGreenShape(d.blueGreen),
    loadBalancerInfo: { targetGroupPairInfoList: [pairShape(d.targetGroupPair)] },
    computePlatform: 'ECS',
    deploymentStatusMessages: [],
  };
}

/** The status of the deployment's one ECS target. */
export function targetStatus(d: cd.DeploymentRecord): 'Pending' | 'InProgress' | 'Succeeded' | 'Failed' | 'Skipped' | 'Ready' {
  switch (d.status) {
    case 'Created': case 'Queued': return 'Pending';
    case 'Ready': return 'Ready';
    case 'Succeeded': return 'Succeeded';
    case 'Failed': return 'Failed';
    case 'Stopped': return 'Skipped';
    default: return 'InProgress';
  }
}

/** The deployment's ECS target: its task sets (Blue and Green) with their weights, and its lifecycle events. */
export function targetShape(d: cd.DeploymentRecord, scope: cd.Scope, taskSets: readonly cd.TaskSetView[]): DeploymentTarget {
  const e = d.engine;
  const sets = [];
  const of = (id: string | undefined) => taskSets.find((t) => t.id === id);
  for (const [label, side, weight] of [['Blue', e.blue, 100 - e.greenPercent], ['Green', e.green, e.greenPercent]] as const) {
    if (!side?.taskSetId) continue;
    const t = of(side.taskSetId);
    sets.push({
      identifer: side.taskSetId, desiredCount: t?.desiredCount ?? 0, pendingCount: t?.pendingCount ?? 0, runningCount: t?.runningCount ?? 0,
      status: t?.status ?? 'DELETED', trafficWeight: weight, targetGroup: { name: side.targetGroupName }, taskSetLabel: label,
    });
  }
  return {
    deploymentTargetType: 'ECSTarget',
    ecsTarget: {
      deploymentId: d.id, targetId: cd.ecsTargetId(d),
      targetArn: `arn:aws:ecs:${scope.region}:${scope.account}:service/${d.target.clusterName}/${d.target.serviceName}`,
      lastUpdatedAt: new Date(d.updatedAt),
      lifecycleEvents: e.events.map((ev) => ({
        lifecycleEventName: ev.name, status: ev.status,
        ...(ev.startedAt !== undefined ? { startTime: new Date(ev.startedAt) } : {}),
        ...(ev.endedAt !== undefined ? { endTime: new Date(ev.endedAt) } : {}),
        ...(ev.message ? { diagnostics: { errorCode: 'ScriptFailed', message: ev.message } } : {}),
      })),
      status: targetStatus(d),
      taskSetsInfo: sets,
    },
  };
}
