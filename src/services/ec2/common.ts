/**
 * What the EC2 API's handlers share: their ports, the operation table's type, the scope a
 * request acts in (its account and region, whose default VPC is made first), DryRun, filters,
 * tags and TagSpecifications, paging, and the ARNs IAM authorizes EC2's resources by.
 */
import { paginate, requestTagConditions, type ConditionValues, type Ec2Operations, type OperationSpec, type RequestContext } from '../../aws/index.ts';
import type { Filter, Tag, TagSpecification } from '@aws-sdk/client-ec2';
import type { Clock, Ids } from '../../common/index.ts';
import {
  Ec2Errors, ensureDefaultVpc, type Ec2Filter, type Ec2Tag, type NetworkEnv, type Scope, type TagSpecificationInput,
} from '../../network/index.ts';
import type { Store } from '../../state/index.ts';
import type { InstancesEnv } from '../../instances/index.ts';

/** What the EC2 API runs on: the store, the clock and the id source (and who is told of instances' new states). */
export interface Ec2Deps {
  store: Store;
  clock: Clock;
  ids: Ids;
  onInstanceState?: InstancesEnv['onInstanceState'];
  /** Instances run with no host behind them (the control plane has no hosts port): their status checks say so. */
  hostless?: boolean;
}

/** Some of EC2's operations, as one file of the adapter implements them. */
export type Ec2OperationTable = { [K in keyof Ec2Operations]?: OperationSpec<Ec2Operations[K]['input'], Ec2Operations[K]['output']> };

/** The network domain's environment. */
export const envOf = (deps: Ec2Deps): NetworkEnv => ({ store: deps.store, clock: deps.clock, ids: deps.ids });

/**
 * The scope a request acts in, its default VPC made first if it never was (every EC2 request
 * of an account in a region finds one), and DryRun answered: IAM has allowed the request by now.
 */
export async function scopeOf(deps: Ec2Deps, ctx: RequestContext, input: { DryRun?: boolean }): Promise<Scope> {
  if (input.DryRun) throw Ec2Errors.dryRun();
  const scope = { account: ctx.account, region: ctx.region };
  await ensureDefaultVpc(deps.store, scope, deps.clock.now());
  return scope;
}

/** A required member: present once validation passed (a missing one is the validator's error). */
export function need<T>(value: T | undefined, parameter: string): T {
  if (value === undefined) throw Ec2Errors.missingParameter(`The request must contain the parameter ${parameter}`);
  return value;
}

/** SDK filters → domain filters. */
export function filtersIn(filters: readonly Filter[] | undefined): Ec2Filter[] | undefined {
  return filters?.map((f) => ({ name: f.Name ?? '', values: f.Values ?? [] }));
}

/** SDK tags → domain tags (an absent value is the empty one). */
export function tagsIn(tags: readonly Tag[] | undefined): Ec2Tag[] {
  return (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
}

/** Domain tags → SDK tags; undefined when there are none, as EC2 leaves an untagged resource's tagSet out. */
export function tagsOut(tags: readonly Ec2Tag[]): Tag[] | undefined {
  return tags.length ? tags.map((t) => ({ Key: t.key, Value: t.value })) : undefined;
}

/** SDK TagSpecifications → domain ones. */
export function specsIn(specs: readonly TagSpecification[] | undefined): TagSpecificationInput[] {
  return (specs ?? []).map((s) => ({ resourceType: s.ResourceType, tags: tagsIn(s.Tags) }));
}

/** `aws:RequestTag/*` and `aws:TagKeys` of a create request's TagSpecifications. */
export function specConditions(input: { TagSpecifications?: TagSpecification[] }): ConditionValues {
  return requestTagConditions((input.TagSpecifications ?? []).flatMap((s) => s.Tags ?? []));
}

/** The ARN of an EC2 resource (`vpc`, `subnet`, `security-group`, ...) in the request's account and region; `*` for one not made yet. */
export const arn = (ctx: RequestContext, type: string, id = '*'): string => `arn:aws:ec2:${ctx.region}:${ctx.account}:${type}/${id}`;

/**
 * Tagging on create needs leave for ec2:CreateTags too, with `ec2:CreateAction` naming the
 * create, as EC2 checks it.
 */
export async function authorizeTagOnCreate(ctx: RequestContext, action: string, resource: string, tags: readonly Ec2Tag[]): Promise<void> {
  if (tags.length === 0) return;
  await ctx.authorize({
    action: 'ec2:CreateTags', resource,
    conditions: { ...requestTagConditions(tags.map((t) => ({ Key: t.key, Value: t.value }))), 'ec2:CreateAction': action },
  });
}

/** One page of `items` (in their final order, each with a unique key) after `nextToken`, as EC2 pages: all of them when MaxResults is absent. */
export function page<T>(items: T[], keyOf: (item: T) => string, input: { NextToken?: string; MaxResults?: number }): { items: T[]; NextToken?: string } {
  const token = input.NextToken;
  const result = paginate(items, keyOf, token, input.MaxResults, () => Ec2Errors.invalidNextToken(token ?? ''), Number.POSITIVE_INFINITY);
  return result.nextToken !== undefined ? { items: result.items, NextToken: result.nextToken } : { items: result.items };
}
