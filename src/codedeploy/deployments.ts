/**
 * Deployments: CreateDeployment (an AppSpec revision for the group's ECS service; one active
 * deployment per group, held by a key), GetDeployment, ListDeployments with its filters,
 * ContinueDeployment (READY_WAIT starts the traffic shift, TERMINATION_WAIT ends the wait
 * before blue is deleted) and StopDeployment (with or without rollback). The deployment engine
 * (controllers/codedeploy) moves a deployment along; these only record what was asked.
 */
import { createHash } from 'node:crypto';
import { listDocs, transact, type Tx } from '../state/index.ts';
import { parseEcsAppSpec } from './appspec.ts';
import { getConfig } from './configs.ts';
import type { CodeDeployEnv } from './env.ts';
import { CodeDeployErrors } from './errors.ts';
import { getGroup } from './groups.ts';
import { deploymentIdOf, keys, type AutoRollbackRecord, type DeploymentGroupRecord, type DeploymentRecord, type DeploymentStatus, type Scope } from './records.ts';
import { initialEngine } from './stages.ts';

/** What CreateDeployment asks for. */
export interface CreateDeploymentRequest {
  applicationName: string;
  groupName: string;
  configName?: string;
  revision?: { type: string; content?: string };
  description?: string;
  /** Overrides the group's automatic rollback for this deployment. */
  autoRollback?: AutoRollbackRecord;
}

const ID = /^d-[A-Z0-9]{9}$/;

/** Whether a deployment is still running. */
export const isActive = (d: DeploymentRecord): boolean => d.status !== 'Succeeded' && d.status !== 'Failed' && d.status !== 'Stopped';

/** CreateDeployment: the deployment, Created; the engine starts it. */
export async function createDeployment(env: CodeDeployEnv, scope: Scope, req: CreateDeploymentRequest): Promise<DeploymentRecord> {
  const group = await getGroup(env, scope, req.applicationName, req.groupName);
  if (!req.revision) throw CodeDeployErrors.revisionRequired();
  const { type, content } = req.revision;
  if (type !== 'AppSpecContent' && type !== 'String') {
    throw CodeDeployErrors.invalidRevision(`revision.revisionType: an ECS deployment's revision is AppSpecContent (or String), not ${type}.`);
  }
  if (content === undefined || content.trim() === '') {
    throw CodeDeployErrors.invalidRevision(`revision.${type === 'String' ? 'string' : 'appSpecContent'}.content is required.`);
  }
  const appSpec = parseEcsAppSpec(content);
  const config = await getConfig(env, scope, req.configName ?? group.deploymentConfigName);
  if (config.computePlatform !== 'ECS') throw CodeDeployErrors.invalidInput(`deploymentConfigName: ${config.name} is not an ECS deployment configuration.`);
  const now = env.clock.now();
  const id = deploymentIdOf(env.ids);
  const record: DeploymentRecord = {
    id, applicationName: group.applicationName, groupName: group.name, configName: config.name, trafficRouting: config.trafficRouting,
    blueGreen: group.blueGreen, autoRollback: req.autoRollback ?? group.autoRollback, targetGroupPair: group.targetGroupPairs[0]!, target: group.ecsServices[0]!,
    appSpec, revision: { type, content, sha256: createHash('sha256').update(content).digest('hex') },
    ...(req.description !== undefined ? { description: req.description } : {}),
    creator: 'user', status: 'Created', createdAt: now, updatedAt: now, engine: initialEngine(now),
  };
  return transact(env.store, async (tx) => {
    const g = await tx.get<DeploymentGroupRecord>(keys.group(scope, group.applicationName, group.name));
    if (!g) throw CodeDeployErrors.groupDoesNotExist(group.applicationName, group.name);
    const active = await tx.get<{ deploymentId: string }>(keys.activeDeployment(scope, g.applicationName, g.name));
    if (active) throw CodeDeployErrors.deploymentLimitExceeded(g.applicationName, g.name, active.deploymentId);
    tx.put(keys.activeDeployment(scope, g.applicationName, g.name), { deploymentId: id });
    tx.put(keys.deployment(scope, id), record);
    tx.put(keys.group(scope, g.applicationName, g.name), { ...g, lastAttempted: { deploymentId: id, status: 'Created', createTime: now } });
    return record;
  });
}

/** The deployment `id` names, read through `tx`. */
export async function findDeployment(tx: Tx, scope: Scope, id: string): Promise<DeploymentRecord> {
  if (!ID.test(id)) throw CodeDeployErrors.invalidDeploymentId(id);
  const d = await tx.get<DeploymentRecord>(keys.deployment(scope, id));
  if (!d) throw CodeDeployErrors.deploymentDoesNotExist(id);
  return d;
}

/** GetDeployment. */
export const getDeployment = (env: CodeDeployEnv, scope: Scope, id: string): Promise<DeploymentRecord> => transact(env.store, (tx) => findDeployment(tx, scope, id));

/** BatchGetDeployments: the ones there (ids of none are left out, as CodeDeploy's are). */
export async function batchGetDeployments(env: CodeDeployEnv, scope: Scope, ids: readonly string[]): Promise<DeploymentRecord[]> {
  if (ids.length > 100) throw CodeDeployErrors.batchLimit();
  return transact(env.store, async (tx) => {
    const out: DeploymentRecord[] = [];
    for (const id of ids) {
      if (!ID.test(id)) throw CodeDeployErrors.invalidDeploymentId(id);
      const d = await tx.get<DeploymentRecord>(keys.deployment(scope, id));
      if (d) out.push(d);
    }
    return out;
  });
}

const STATUSES: readonly DeploymentStatus[] = ['Created', 'Queued', 'InProgress', 'Ready', 'Succeeded', 'Failed', 'Stopped'];

/** ListDeployments' filters. */
export interface DeploymentFilter {
  applicationName?: string;
  groupName?: string;
  /** An external resource's id: Wharf's deployments are linked to none, so a filter on it matches none. */
  externalId?: string;
  statuses?: string[];
  createdFrom?: number;
  createdTo?: number;
}

/** ListDeployments: newest first. An application and its group go together, as CodeDeploy has them. */
export async function listDeployments(env: CodeDeployEnv, scope: Scope, f: DeploymentFilter): Promise<DeploymentRecord[]> {
  if (f.groupName !== undefined && f.applicationName === undefined) throw CodeDeployErrors.applicationNameRequired();
  if (f.applicationName !== undefined && f.groupName === undefined) throw CodeDeployErrors.groupNameRequired();
  if (f.applicationName !== undefined && f.groupName !== undefined) await getGroup(env, scope, f.applicationName, f.groupName);
  for (const s of f.statuses ?? []) if (!STATUSES.includes(s as DeploymentStatus)) throw CodeDeployErrors.invalidStatus(s);
  if (f.createdFrom !== undefined && f.createdTo !== undefined && f.createdFrom > f.createdTo) {
    throw CodeDeployErrors.invalidTimeRange('createTimeRange: start is after end.');
  }
  if (f.externalId !== undefined) return [];
  return (await listDocs<DeploymentRecord>(env.store, keys.deployments(scope))).map((d) => d.value)
    .filter((d) => (f.applicationName === undefined || d.applicationName === f.applicationName)
      && (f.groupName === undefined || d.groupName === f.groupName)
      && (!f.statuses?.length || f.statuses.includes(d.status))
      && (f.createdFrom === undefined || d.createdAt >= f.createdFrom)
      && (f.createdTo === undefined || d.createdAt <= f.createdTo))
    .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
}

/** ContinueDeployment: READY_WAIT (the default) while Ready; TERMINATION_WAIT while blue waits to be deleted. */
export async function continueDeployment(env: CodeDeployEnv, scope: Scope, id: string, waitType = 'READY_WAIT'): Promise<void> {
  await transact(env.store, async (tx) => {
    const d = await findDeployment(tx, scope, id);
    if (d.status === 'Succeeded' || d.status === 'Failed' || d.status === 'Stopped') throw CodeDeployErrors.deploymentAlreadyCompleted(id);
    const e = d.engine;
    if (e.ending) throw CodeDeployErrors.notInReadyState(id);
    if (waitType === 'READY_WAIT') {
      if (e.phase !== 'ReadyWait') throw CodeDeployErrors.notInReadyState(id);
      tx.put(keys.deployment(scope, id), { ...d, updatedAt: env.clock.now(), engine: { ...e, readyContinued: true } });
    } else if (waitType === 'TERMINATION_WAIT') {
      if (e.phase !== 'TerminationWait') throw CodeDeployErrors.invalidWaitType(`deploymentWaitType: deployment ${id} is not waiting to terminate the original task set.`);
      tx.put(keys.deployment(scope, id), { ...d, updatedAt: env.clock.now(), engine: { ...e, terminationContinued: true } });
    } else throw CodeDeployErrors.invalidWaitType(`deploymentWaitType: ${waitType} is not READY_WAIT or TERMINATION_WAIT.`);
  });
}

/** StopDeployment: the engine stops it, putting traffic back on blue when `rollback`. */
export async function stopDeployment(env: CodeDeployEnv, scope: Scope, id: string, rollback: boolean): Promise<void> {
  await transact(env.store, async (tx) => {
    const d = await findDeployment(tx, scope, id);
    if (!isActive(d) || d.engine.phase === 'Done') throw CodeDeployErrors.deploymentAlreadyCompleted(id);
    if (d.engine.ending) return; // already stopping
    const ending = { status: 'Stopped' as const, code: 'MANUAL_STOP', message: 'The deployment was stopped by request.', rollback };
    tx.put(keys.deployment(scope, id), { ...d, updatedAt: env.clock.now(), engine: { ...d.engine, ending } });
  });
}

/** The ECS target id of a deployment: `cluster:service`, as CodeDeploy names it. */
export const ecsTargetId = (d: DeploymentRecord): string => `${d.target.clusterName}:${d.target.serviceName}`;

/** A deployment's target by id (not there: DeploymentTargetDoesNotExistException). */
export async function getTarget(env: CodeDeployEnv, scope: Scope, id: string, targetId: string): Promise<DeploymentRecord> {
  const d = await getDeployment(env, scope, id);
  if (d.status === 'Created') throw CodeDeployErrors.deploymentNotStarted(id);
  if (targetId !== ecsTargetId(d)) throw CodeDeployErrors.targetDoesNotExist(targetId);
  return d;
}

/** The engine's write of a deployment it moved along: guarded on the record it read; frees the group when the deployment ends. */
export function stageDeploymentProgress(tx: Tx, scope: Scope, next: DeploymentRecord, group: DeploymentGroupRecord | undefined): void {
  tx.put(keys.deployment(scope, next.id), next);
  if (isActive(next)) {
    if (group && group.lastAttempted?.deploymentId === next.id && group.lastAttempted.status !== next.status) {
      tx.put(keys.group(scope, group.applicationName, group.name), { ...group, lastAttempted: { ...group.lastAttempted, status: next.status } });
    }
    return;
  }
  tx.delete(keys.activeDeployment(scope, next.applicationName, next.groupName));
  if (!group) return;
  const summary = { deploymentId: next.id, status: next.status, createTime: next.createdAt, ...(next.completedAt !== undefined ? { endTime: next.completedAt } : {}) };
  tx.put(keys.group(scope, group.applicationName, group.name), {
    ...group, lastAttempted: summary, ...(next.status === 'Succeeded' ? { lastSuccessful: summary } : {}),
  });
}
