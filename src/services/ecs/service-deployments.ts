/**
 * The ECS service-deployment operations: ListServiceDeployments, DescribeServiceDeployments,
 * StopServiceDeployment and DescribeServiceRevisions. They read the deployment history that
 * `putService` keeps beside each service and the revisions `startDeployment` stores; a
 * deployment still live is read from the service record itself, the truth the history mirrors.
 * The history of a deleted (INACTIVE) service is gone, as ECS deletes it with the service.
 */
import type {
  ContinueServiceDeploymentResponse, DescribeServiceDeploymentsResponse, DescribeServiceRevisionsResponse, ListServiceDeploymentsResponse, StopServiceDeploymentResponse,
} from '@aws-sdk/client-ecs';
import { describeByReferences, paginate, type ConditionValues } from '../../aws/index.ts';
import { getDoc, listDocs, transact, type Store, type Tx } from '../../state/index.ts';
import {
  EcsErrors, activeCluster, clusterNameOf, deploymentKeyId, keys, parseArn, putService, resolveTaskDefinition, serviceKeys, startDeployment,
  withEvent, type DeploymentRecord, type EcsDeps, type Scope, type ServiceDeploymentStatus, type ServiceRecord, type ServiceRevisionRecord,
  type TaskRecord,
} from '../../ecs/index.ts';
import { clusterCondition, inClusterArn } from './authorization.ts';
import { checkInt, checkItems, need, present, scopeOf, type EcsOperationTable } from './common.ts';
import { toApiServiceDeployment, toApiServiceDeploymentBrief, toApiServiceRevision } from './service-deployment-view.ts';

/** Every ServiceDeploymentStatus, in the API reference's order: the values ListServiceDeployments filters on. */
export const SERVICE_DEPLOYMENT_STATUSES: readonly ServiceDeploymentStatus[] = [
  'PENDING', 'SUCCESSFUL', 'STOPPED', 'STOP_REQUESTED', 'IN_PROGRESS',
  'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS', 'ROLLBACK_SUCCESSFUL', 'ROLLBACK_FAILED',
];

/** StopServiceDeployment moves a deployment in one of these to ROLLBACK_REQUESTED and rolls back. */
const STOPPABLE: readonly ServiceDeploymentStatus[] = ['PENDING', 'IN_PROGRESS'];

/** A stop requested of a deployment in one of these carries on with what is already under way. */
const ALREADY_STOPPING: readonly ServiceDeploymentStatus[] = ['STOP_REQUESTED', 'ROLLBACK_REQUESTED', 'ROLLBACK_IN_PROGRESS'];

/** DescribeServiceDeployments and DescribeServiceRevisions take at most this many ARNs. */
const MAX_DESCRIBE = 20;

/** The service a service-deployment ARN names, its live deployment (when still live) and its stored record, read through `tx`. */
async function liveDeployment(tx: Tx, scope: Scope, ref: string): Promise<{ service: ServiceRecord; live?: DeploymentRecord; stored: DeploymentRecord }> {
  const target = childTarget(ref, 'service-deployment', scope);
  if (!target) throw EcsErrors.invalidParameter(`Invalid serviceDeploymentArn: ${ref}.`);
  if (!target.local) throw EcsErrors.serviceDeploymentNotFound();
  const service = await tx.get<ServiceRecord>(serviceKeys.service(scope, target.cluster, target.service));
  if (!service || service.status === 'INACTIVE') throw EcsErrors.serviceDeploymentNotFound();
  const live = service.deployments.find((d) => deploymentKeyId(d) === target.id);
  const stored = live ?? (await tx.get<DeploymentRecord>(serviceKeys.deployment(scope, target.cluster, target.service, target.id)));
  if (!stored || !belongsTo(stored.createdAt, service)) throw EcsErrors.serviceDeploymentNotFound();
  return { service, live, stored };
}

/** ListServiceDeployments returns this many when maxResults is not given. */
const DEFAULT_LIST_RESULTS = 20;

const SERVICE_NAME = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * The cluster and service name a ListServiceDeployments request names: `service` is a name or a
 * service ARN (long form, with its cluster, or the old short form); `cluster` defaults to the
 * ARN's cluster, else `default`.
 */
function serviceTarget(scope: Scope, serviceRef: string, clusterRef: string | undefined): { cluster: string; name: string } {
  if (!serviceRef.startsWith('arn:')) return { cluster: clusterNameOf(clusterRef, scope), name: serviceRef };
  const arn = parseArn(serviceRef);
  if (!arn || arn.resourceType !== 'service' || arn.resource.length > 2) throw EcsErrors.invalidParameter(`Invalid service ARN: ${serviceRef}.`);
  if (arn.account !== scope.account || arn.region !== scope.region) throw EcsErrors.serviceNotFound();
  const name = arn.resource[arn.resource.length - 1];
  const arnCluster = arn.resource.length === 2 ? arn.resource[0] : undefined;
  const cluster = clusterRef === undefined || clusterRef === '' ? (arnCluster ?? 'default') : clusterNameOf(clusterRef, scope);
  if (arnCluster !== undefined && arnCluster !== cluster) {
    throw EcsErrors.invalidParameter(`service ${serviceRef} is not in cluster ${cluster}.`);
  }
  return { cluster, name };
}

/** A service-deployment or service-revision ARN taken apart; `local` when it is in the caller's account and region. */
interface ChildTarget {
  cluster: string;
  service: string;
  id: string;
  local: boolean;
}

/** Parses `arn:…:<type>/<cluster>/<service>/<id>`; undefined when the string is not such an ARN. */
function childTarget(ref: string, type: 'service-deployment' | 'service-revision', scope: Scope): ChildTarget | undefined {
  const arn = parseArn(ref);
  if (!arn || arn.resourceType !== type || arn.resource.length !== 3 || arn.resource.some((part) => part === '')) return undefined;
  const [cluster, service, id] = arn.resource;
  return { cluster, service, id, local: arn.account === scope.account && arn.region === scope.region };
}

/**
 * True when a history entry belongs to this service and not to an earlier, deleted service of
 * the same name (whose history ECS deletes with it).
 */
const belongsTo = (createdAt: number, service: ServiceRecord): boolean => createdAt >= service.createdAt;

/** The service a deployment or revision hangs off, while it has not been deleted. */
async function visibleService(store: Store, scope: Scope, cluster: string, name: string): Promise<ServiceRecord | undefined> {
  const doc = await getDoc<ServiceRecord>(store, serviceKeys.service(scope, cluster, name));
  return doc && doc.value.status !== 'INACTIVE' ? doc.value : undefined;
}

/** A deployment of `service` by its key id: the live copy in the service record, else its history entry. */
async function findDeployment(store: Store, scope: Scope, service: ServiceRecord, keyId: string): Promise<DeploymentRecord | undefined> {
  const live = service.deployments.find((d) => deploymentKeyId(d) === keyId);
  if (live) return live;
  const doc = await getDoc<DeploymentRecord>(store, serviceKeys.deployment(scope, service.clusterName, service.name, keyId));
  return doc && belongsTo(doc.value.createdAt, service) ? doc.value : undefined;
}

const pad13 = (n: number) => String(Math.max(0, n)).padStart(13, '0');

/** A key that increases along ListServiceDeployments' order (newest first), for paging. */
const newestFirstKey = (d: DeploymentRecord): string => `${pad13(9_999_999_999_999 - d.createdAt)}/${deploymentKeyId(d)}`;

/**
 * `ecs:cluster` and `ecs:service` of service-deployment or service-revision ARNs: each the one
 * value they share, or every value when they name several.
 */
function childConditions(refs: readonly string[] | undefined, type: 'service-deployment' | 'service-revision'): ConditionValues {
  const clusters = new Set<string>();
  const services = new Set<string>();
  for (const ref of refs ?? []) {
    const arn = parseArn(ref);
    if (arn?.resourceType !== type || arn.resource.length !== 3) continue;
    const at = ref.slice(0, ref.indexOf(`:${type}/`));
    clusters.add(`${at}:cluster/${arn.resource[0]}`);
    services.add(`${at}:service/${arn.resource[0]}/${arn.resource[1]}`);
  }
  const value = (set: Set<string>) => (set.size === 0 ? undefined : set.size === 1 ? [...set][0] : [...set]);
  return { 'ecs:cluster': value(clusters), 'ecs:service': value(services) };
}

/** The service-deployment operations, bound to their dependencies. */
export function serviceDeploymentOperations(deps: EcsDeps): EcsOperationTable {
  /** StopServiceDeployment and ContinueServiceDeployment act on one service deployment, named by ARN. */
  const deploymentAuthorization = {
    resources: (i: { serviceDeploymentArn?: string }) => [i.serviceDeploymentArn || '*'],
    conditions: (i: { serviceDeploymentArn?: string }) => childConditions(i.serviceDeploymentArn ? [i.serviceDeploymentArn] : [], 'service-deployment'),
  };
  return {
    ListServiceDeployments: {
      authorization: {
        resources: (i, ctx) => [i.service ? inClusterArn(ctx, 'service', i.cluster, i.service) : '*'],
        conditions: (i, ctx) => clusterCondition(ctx, i.cluster, i.service),
      },
      async handler(input, ctx): Promise<ListServiceDeploymentsResponse> {
        const scope = scopeOf(ctx);
        const serviceRef = present(input.service, 'service');
        const clusterRef = input.cluster;
        const statuses = input.status;
        const before = input.createdAt?.before?.getTime();
        const after = input.createdAt?.after?.getTime();
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 100 });
        const nextToken = input.nextToken;
        const target = serviceTarget(scope, serviceRef, clusterRef);
        const cluster = await transact(deps.store, (tx) => activeCluster(tx, scope, target.cluster));
        const service = SERVICE_NAME.test(target.name) ? await visibleService(deps.store, scope, cluster.name, target.name) : undefined;
        if (!service) throw EcsErrors.serviceNotFound();
        const history = await listDocs<DeploymentRecord>(deps.store, serviceKeys.deployments(scope, cluster.name, service.name));
        const wanted = statuses?.length ? new Set(statuses) : undefined;
        const matches = history
          .map((doc) => doc.value)
          .filter((d) =>
            belongsTo(d.createdAt, service) &&
            (wanted === undefined || wanted.has(d.deploymentStatus)) &&
            (before === undefined || d.createdAt < before) &&
            (after === undefined || d.createdAt > after))
          .sort((a, b) => (newestFirstKey(a) < newestFirstKey(b) ? -1 : 1));
        const page = paginate(matches, newestFirstKey, nextToken, maxResults, EcsErrors.invalidParameter, DEFAULT_LIST_RESULTS);
        return { serviceDeployments: page.items.map(toApiServiceDeploymentBrief), nextToken: page.nextToken };
      },
    },

    DescribeServiceDeployments: {
      authorization: {
        resources: (i) => i.serviceDeploymentArns ?? [],
        conditions: (i) => childConditions(i.serviceDeploymentArns, 'service-deployment'),
      },
      async handler(input, ctx): Promise<DescribeServiceDeploymentsResponse> {
        const scope = scopeOf(ctx);
        const refs = checkItems(need(input.serviceDeploymentArns, 'serviceDeploymentArns'), 'serviceDeploymentArns', { nonEmpty: true, max: MAX_DESCRIBE })!;
        const tasksByCluster = new Map<string, TaskRecord[]>();
        const tasksOf = async (cluster: string) => {
          let tasks = tasksByCluster.get(cluster);
          if (!tasks) {
            tasks = (await listDocs<TaskRecord>(deps.store, keys.tasks(scope, cluster))).map((d) => d.value);
            tasksByCluster.set(cluster, tasks);
          }
          return tasks;
        };
        const { found, failures } = await describeByReferences(refs, async (ref) => {
          const target = childTarget(ref, 'service-deployment', scope);
          const service = target?.local ? await visibleService(deps.store, scope, target.cluster, target.service) : undefined;
          const deployment = target && service ? await findDeployment(deps.store, scope, service, target.id) : undefined;
          return { arn: ref, value: service && deployment ? toApiServiceDeployment(deployment, service, await tasksOf(service.clusterName)) : undefined };
        });
        return { serviceDeployments: found, failures };
      },
    },

    StopServiceDeployment: {
      authorization: deploymentAuthorization,
      async handler(input, ctx): Promise<StopServiceDeploymentResponse> {
        const scope = scopeOf(ctx);
        const ref = present(input.serviceDeploymentArn, 'serviceDeploymentArn');
        const stopType = input.stopType ?? 'ROLLBACK';
        if (stopType !== 'ROLLBACK') throw EcsErrors.invalidParameter(`stopType ${stopType} is not supported. The valid values are ROLLBACK.`);
        await transact(deps.store, async (tx) => {
          const { service, live, stored } = await liveDeployment(tx, scope, ref);
          if (ALREADY_STOPPING.includes(stored.deploymentStatus)) return; // ECS carries on with the stop or rollback under way
          if (!STOPPABLE.includes(stored.deploymentStatus) || live?.status !== 'PRIMARY' || live.rolloutState !== 'IN_PROGRESS') {
            throw EcsErrors.conflict(`The service deployment ${ref} is ${stored.deploymentStatus} and can't be stopped: only a deployment in progress can be stopped.`);
          }
          if (service.status !== 'ACTIVE') throw EcsErrors.conflict(`The service ${service.name} is ${service.status}: its deployments can't be rolled back.`);
          const now = deps.clock.now();
          if (live.shift && service.deployments.length > 1) {
            // Green gives production back to blue, which is still running: the controller does it on its next pass.
            const requested = { ...live, deploymentStatus: 'ROLLBACK_REQUESTED' as const, statusReason: 'Rollback requested by user with StopServiceDeployment.', shift: { ...live.shift, rollbackRequested: 'Service deployment stopped by user.' }, updatedAt: now };
            const updated = { ...service, deployments: service.deployments.map((d) => (d.id === live.id ? requested : d)), version: service.version + 1 };
            putService(tx, updated, []);
            await deps.changes?.serviceChanged?.(tx, { before: service, after: updated, retired: [] }, now);
            return;
          }
          const previous = service.lastCompleted;
          if (!previous) {
            throw EcsErrors.conflict(`The service deployment ${ref} can't be rolled back: service ${service.name} has no completed deployment to roll back to.`);
          }
          const td = await resolveTaskDefinition(tx, scope, previous.spec.taskDefinition);
          const reason = `Service deployment stopped by user: rolling back to deploymentId ${previous.deploymentId}.`;
          const rolledBack = startDeployment(tx, service, previous.spec, td, deps.ids, now, { reason, startedAt: now, serviceRevisionArn: previous.revisionArn });
          const stopped: DeploymentRecord = {
            ...rolledBack.deployments.find((d) => d.id === live.id)!,
            deploymentStatus: 'ROLLBACK_REQUESTED',
            statusReason: 'Rollback requested by user with StopServiceDeployment.',
            stoppedAt: now,
            updatedAt: now,
          };
          const message = `(service ${service.name}) (deployment ${live.id}) stopped by user: rolling back to deployment ${previous.deploymentId}.`;
          const updated: ServiceRecord = {
            ...withEvent({ ...rolledBack, deployments: rolledBack.deployments.map((d) => (d.id === stopped.id ? stopped : d)) }, message, deps.ids, now),
            version: service.version + 1,
          };
          const retired = updated.deployments.some((d) => d.id === stopped.id) ? [] : [stopped];
          putService(tx, updated, retired);
          await deps.changes?.serviceChanged?.(tx, { before: service, after: updated, retired }, now);
        });
        return { serviceDeploymentArn: ref };
      },
    },

    ContinueServiceDeployment: {
      authorization: deploymentAuthorization,
      async handler(input, ctx): Promise<ContinueServiceDeploymentResponse> {
        const scope = scopeOf(ctx);
        const ref = present(input.serviceDeploymentArn, 'serviceDeploymentArn');
        const hookId = present(input.hookId, 'hookId');
        const action = input.action ?? 'CONTINUE';
        await transact(deps.store, async (tx) => {
          const { service, live } = await liveDeployment(tx, scope, ref);
          const hook = live?.shift?.hooks.find((h) => h.hookId === hookId);
          if (!live || !hook) throw EcsErrors.invalidParameter(`The lifecycle hook ${hookId} was not found in service deployment ${ref}.`);
          if (hook.status !== 'AWAITING_ACTION' || hook.action) {
            throw EcsErrors.invalidParameter(`The lifecycle hook ${hookId} is ${hook.action ? 'already answered' : hook.status}: only a hook awaiting action can be continued.`);
          }
          const now = deps.clock.now();
          const answered = { ...live, shift: { ...live.shift!, hooks: live.shift!.hooks.map((h) => (h.hookId === hookId ? { ...h, action } : h)) }, updatedAt: now };
          const updated = { ...service, deployments: service.deployments.map((d) => (d.id === live.id ? answered : d)), version: service.version + 1 };
          putService(tx, updated, []);
          await deps.changes?.serviceChanged?.(tx, { before: service, after: updated, retired: [] }, now);
        });
        return { serviceDeploymentArn: ref };
      },
    },

    DescribeServiceRevisions: {
      authorization: {
        resources: (i) => i.serviceRevisionArns ?? [],
        conditions: (i) => childConditions(i.serviceRevisionArns, 'service-revision'),
      },
      async handler(input, ctx): Promise<DescribeServiceRevisionsResponse> {
        const scope = scopeOf(ctx);
        const refs = checkItems(need(input.serviceRevisionArns, 'serviceRevisionArns'), 'serviceRevisionArns', { nonEmpty: true, max: MAX_DESCRIBE })!;
        const { found, failures } = await describeByReferences(refs, async (ref) => {
          const target = childTarget(ref, 'service-revision', scope);
          const service = target?.local ? await visibleService(deps.store, scope, target.cluster, target.service) : undefined;
          const doc = target && service ? await getDoc<ServiceRevisionRecord>(deps.store, serviceKeys.revision(scope, target.cluster, target.service, target.id)) : undefined;
          return { arn: ref, value: service && doc && belongsTo(doc.value.createdAt, service) ? toApiServiceRevision(doc.value) : undefined };
        });
        return { serviceRevisions: found, failures };
      },
    },
  };
}
