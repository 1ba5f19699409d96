/**
 * Capacity providers: the Fargate ones every account has (FARGATE, FARGATE_SPOT), a strategy's
 * rules, and how a strategy spreads tasks over its providers. ECS runs the `base` tasks on the
 * provider that has a base first, then the rest in the ratio of the weights; `nextProvider`
 * decides one task at a time from the tasks each provider already runs, so RunTask's batch
 * and a service replacing its tasks one by one keep the same distribution.
 */
import type { CapacityProvider, CapacityProviderStrategyItem } from '@aws-sdk/client-ecs';
import { EcsErrors } from './errors.ts';
import type { Scope } from './records.ts';
import { formatArn } from '../aws/index.ts';

/** The capacity providers Wharf runs: Fargate's two, which need no CreateCapacityProvider. */
export const FARGATE_PROVIDERS = ['FARGATE', 'FARGATE_SPOT'] as const;

/** The most items a strategy may have (ECS's limit). */
export const MAX_STRATEGY_ITEMS = 20;

/** One item of a strategy, as stored: base and weight filled in (ECS's defaults are 0). */
export interface StrategyItem {
  capacityProvider: string;
  weight: number;
  base: number;
}

/** Whether `name` is one of Fargate's capacity providers. */
export const isFargateProvider = (name: string): boolean => (FARGATE_PROVIDERS as readonly string[]).includes(name);

/**
 * Reads a capacity provider strategy, `path` naming the member in messages: Fargate's providers
 * or Auto Scaling groups' (not both; whether they exist is the cluster's association to say),
 * each once, one base at most, and — when it names several —
 * some provider with a weight (ECS places nothing beyond the base on providers of weight 0;
 * a strategy of one provider runs every task there whatever its weight).
 */
export function readStrategy(list: readonly CapacityProviderStrategyItem[], path: string): StrategyItem[] {
  if (!list.length) throw EcsErrors.invalidParameter(`${path}: must name at least one capacity provider.`);
  if (list.length > MAX_STRATEGY_ITEMS) throw EcsErrors.invalidParameter(`${path} can have at most ${MAX_STRATEGY_ITEMS} members.`);
  const seen = new Set<string>();
  let bases = 0;
  const items = list.map((item, i) => {
    const name = item.capacityProvider ?? '';
    if (name === '') throw EcsErrors.invalidParameter(`${path}[${i}].capacityProvider can not be null or empty.`);
    if (seen.has(name)) throw EcsErrors.invalidParameter(`${path}: duplicate capacity provider ${name}.`);
    seen.add(name);
    const base = item.base ?? 0;
    if (base > 0 && ++bases > 1) throw EcsErrors.invalidParameter(`${path}: only one capacity provider in a strategy can have a base defined.`);
    return { capacityProvider: name, weight: item.weight ?? 0, base };
  });
  if (items.some((s) => isFargateProvider(s.capacityProvider)) && items.some((s) => !isFargateProvider(s.capacityProvider))) {
    throw EcsErrors.invalidParameter('A capacity provider strategy cannot contain a mix of capacity providers using Auto Scaling groups and Fargate providers. Specify one or the other and try again.');
  }
  if (items.length > 1 && !items.some((s) => s.weight > 0)) {
    throw EcsErrors.invalidParameter(`${path}: at least one capacity provider must have a weight greater than 0.`);
  }
  return items;
}

/**
 * Checks that every provider of a strategy is associated with the cluster: ECS uses only the
 * providers a cluster names (CreateCluster, PutClusterCapacityProviders), Fargate's included.
 */
export function checkAssociated(strategy: readonly StrategyItem[], clusterProviders: readonly string[], clusterName: string, path = 'capacityProviderStrategy'): void {
  strategy.forEach((s, i) => {
    if (!clusterProviders.includes(s.capacityProvider)) {
      throw EcsErrors.invalidParameter(
        `${path}[${i}].capacityProvider: capacity provider ${s.capacityProvider} is not associated with cluster ${clusterName}; associate it with PutClusterCapacityProviders first.`,
      );
    }
  });
}

/**
 * The provider the next task goes to, given how many tasks each provider runs now: the base
 * provider until it runs its base; then the weighted provider furthest below its share of the
 * tasks beyond the bases (the first in the strategy on a tie). Providers of weight 0 take only
 * their base, unless no provider has a weight (a strategy of one provider).
 */
export function nextProvider(strategy: readonly StrategyItem[], running: ReadonlyMap<string, number>): string {
  const count = (s: StrategyItem) => running.get(s.capacityProvider) ?? 0;
  const short = strategy.find((s) => s.base > 0 && count(s) < s.base);
  if (short) return short.capacityProvider;
  const positive = strategy.filter((s) => s.weight > 0);
  const weighted = positive.length ? positive : strategy.map((s) => ({ ...s, weight: 1 }));
  const totalWeight = weighted.reduce((n, s) => n + s.weight, 0);
  const beyond = (s: StrategyItem) => Math.max(0, count(s) - s.base);
  const placed = weighted.reduce((n, s) => n + beyond(s), 0);
  let best = weighted[0];
  let bestDeficit = -Infinity;
  for (const s of weighted) {
    const deficit = ((placed + 1) * s.weight) / totalWeight - beyond(s);
    if (deficit > bestDeficit + 1e-9) {
      best = s;
      bestDeficit = deficit;
    }
  }
  return best.capacityProvider;
}

/** The providers of `count` new tasks, in order, on top of the tasks each provider runs already. */
export function distribute(strategy: readonly StrategyItem[], count: number, running: ReadonlyMap<string, number> = new Map()): string[] {
  const counts = new Map(running);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const name = nextProvider(strategy, counts);
    counts.set(name, (counts.get(name) ?? 0) + 1);
    out.push(name);
  }
  return out;
}

/** A built-in Fargate provider as DescribeCapacityProviders shows it: ACTIVE, in the account, with no Auto Scaling group. */
export function fargateProvider(scope: Scope, name: string): CapacityProvider {
  return { capacityProviderArn: formatArn('ecs', scope.region, scope.account, `capacity-provider/${name}`), name, status: 'ACTIVE', tags: [] };
}

/** Whether a strategy runs its tasks on Fargate (else on the EC2 instances of its Auto Scaling group providers). */
export const isFargateStrategy = (strategy: readonly { capacityProvider?: string }[]): boolean =>
  strategy.some((s) => isFargateProvider(s.capacityProvider ?? ''));
