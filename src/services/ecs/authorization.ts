/**
 * What IAM sees of an ECS request, as AWS's "Actions, resources, and condition keys for Amazon
 * ECS" lists it: the ARN of each resource an operation acts on (built from a name, or the ARN
 * the caller gave), and the ECS condition keys (`ecs:cluster`, `ecs:task-definition`, ...) and
 * tag keys (`aws:RequestTag/*`, `aws:TagKeys`) of the request. These run before the model's
 * validation, on decoded input whose members may be missing, so nothing here refuses a request:
 * a malformed reference is passed on as given and the handler refuses it.
 */
import { formatArn, formatGlobalArn, type ConditionValues, type RequestContext } from '../../aws/index.ts';
import { findTaskDefinition, keys, parseArn, parseTaskDefinitionRef, type FamilyRecord } from '../../ecs/index.ts';
import { getDoc, transact, type Store } from '../../state/index.ts';
import { scopeOf } from './common.ts';

/** Where an ARN is built: the request's region and account. */
type ArnScope = Pick<RequestContext, 'region' | 'account'>;

const ecsArn = (ctx: ArnScope, resource: string): string => formatArn('ecs', ctx.region, ctx.account, resource);
const isArn = (ref: string): boolean => ref.startsWith('arn:');

/** The cluster a `cluster` member names: its ARN as given, or built from its name (`default` when absent). */
export function clusterArnOf(ctx: ArnScope, ref: string | undefined): string {
  if (ref === undefined || ref === '') return ecsArn(ctx, 'cluster/default');
  return isArn(ref) ? ref : ecsArn(ctx, `cluster/${ref}`);
}

/** The cluster name a `cluster` member names, for the ARNs of what lives in it. */
function clusterNameIn(ref: string | undefined): string {
  if (ref === undefined || ref === '') return 'default';
  if (!isArn(ref)) return ref;
  const arn = parseArn(ref);
  return arn?.resourceType === 'cluster' ? arn.resource.join('/') : ref;
}

/** A resource in a cluster (`task`, `container-instance`, `service`) named by id, name or ARN. */
export function inClusterArn(ctx: ArnScope, type: 'task' | 'container-instance' | 'service', clusterRef: string | undefined, ref: string): string {
  return isArn(ref) ? ref : ecsArn(ctx, `${type}/${clusterNameIn(clusterRef)}/${ref}`);
}

/**
 * `ecs:cluster`: the ARN of the cluster a request acts in: the one it names, else the one in the
 * long ARN of the task, instance or service it names, else `default`.
 */
export function clusterCondition(ctx: ArnScope, ref: string | undefined, named?: string): ConditionValues {
  const arn = ref === undefined && named?.startsWith('arn:') ? parseArn(named) : undefined;
  if (arn && arn.resource.length === 2) return { 'ecs:cluster': `${named!.slice(0, named!.indexOf(`:${arn.resourceType}/`))}:cluster/${arn.resource[0]}` };
  return { 'ecs:cluster': clusterArnOf(ctx, ref) };
}

/**
 * The task definition revision a `taskDefinition` member names, as ECS authorizes it: an ARN
 * as given, `family:revision` built, a bare family resolved to its latest ACTIVE revision (as
 * ECS does since March 2024), or the family itself when it has none.
 */
export async function taskDefinitionArnOf(store: Store, ctx: ArnScope, ref: string | undefined): Promise<string> {
  if (ref === undefined || ref === '') return '*';
  if (isArn(ref)) return ref;
  const scope = scopeOf(ctx);
  let parsed: ReturnType<typeof parseTaskDefinitionRef>;
  try {
    parsed = parseTaskDefinitionRef(scope, ref);
  } catch {
    parsed = undefined; // a malformed revision: the handler says so
  }
  if (parsed?.revision !== undefined) return ecsArn(ctx, `task-definition/${parsed.family}:${parsed.revision}`);
  const latest = parsed && (await transact(store, (tx) => findTaskDefinition(tx, scope, ref)));
  return ecsArn(ctx, `task-definition/${latest ? `${latest.family}:${latest.revision}` : ref}`);
}

/** The ARN the revision RegisterTaskDefinition is about to register will have. */
export async function nextTaskDefinitionArn(store: Store, ctx: ArnScope, family: string | undefined): Promise<string> {
  if (family === undefined || family === '') return '*';
  const record = await getDoc<FamilyRecord>(store, keys.family(scopeOf(ctx), family));
  return ecsArn(ctx, `task-definition/${family}:${(record?.value.lastRevision ?? 0) + 1}`);
}

export { requestTagConditions as tagConditions, tagKeyConditions } from '../../aws/index.ts';

/** A boolean request member as a condition value (`"true"`/`"false"`), absent when the member is. */
export const flag = (value: boolean | undefined): string | undefined => (value === undefined ? undefined : String(value));

/** The members of a capacity provider strategy, as `ecs:capacity-provider` names them. */
export function capacityProviders(strategy: readonly { capacityProvider?: string }[] | undefined): string[] | undefined {
  const names = (strategy ?? []).map((s) => s.capacityProvider).filter((n): n is string => n !== undefined);
  return names.length ? names : undefined;
}

/** The ARN of a role a request names by ARN or by name. */
export function roleArnOf(ctx: ArnScope, role: string): string {
  return isArn(role) ? role : formatGlobalArn('iam', ctx.account, `role/${role}`, ctx.region);
}

/**
 * iam:PassRole for a role a request hands to ECS (a task or execution role, a service's role),
 * as ECS checks it: with `iam:PassedToService`, as the caller.
 */
export async function passRole(ctx: RequestContext, role: string | undefined, passedToService = 'ecs-tasks.amazonaws.com'): Promise<void> {
  if (role === undefined || role === '') return;
  await ctx.authorize({ action: 'iam:PassRole', resource: roleArnOf(ctx, role), conditions: { 'iam:PassedToService': passedToService } });
}
