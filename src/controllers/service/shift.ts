/**
 * The REPLICA scheduler for a deployment that shifts traffic (BLUE_GREEN, LINEAR, CANARY): green
 * scales to the desired count beside blue (maximumPercent does not bound it: blue/green needs
 * room for both), blue keeps every task until its stage machine reaches CLEAN_UP, and the
 * listener rules forward as the deployment's traffic state says. Pure.
 */
import type { LoadBalancer } from '@aws-sdk/client-ecs';
import type { DeploymentRecord, ServiceRecord, ShiftStep } from '../../ecs/index.ts';
import type { ObservedTask, StartAction, World } from './observe.ts';
import { stopWithin, usefulness, type Decisions } from './replica.ts';

/** A listener rule (or a listener's default) to point at weighted target groups. */
export interface TrafficWrite {
  ruleArn: string;
  weights: { targetGroupArn: string; weight: number }[];
}

/** Starts and stops while green replaces blue; `step` is what the stage machine decided this pass. */
export function shiftDecisions(world: World, stopping: ReadonlySet<string>, canStart: boolean, step: ShiftStep): Decisions {
  const { service } = world.input;
  const green = service.deployments[0]!;
  const desired = service.status === 'ACTIVE' ? service.desiredCount : 0;
  const { minimumHealthyPercent } = service.deploymentConfiguration;
  const active = world.input.tasks.filter((t) => world.active(t) && !stopping.has(t.id));
  const draining = (t: ObservedTask) => world.instanceOf(t)?.status === 'DRAINING';
  const ranked = active.filter((t) => t.deploymentId === green.id && !draining(t))
    .sort((a, b) => usefulness(world, b) - usefulness(world, a) || a.createdAt - b.createdAt);
  const keep = ranked.slice(0, desired);
  const blueIds = new Set(service.deployments.slice(1).map((d) => d.id));
  // Blue's tasks stay until CLEAN_UP; green's extras and tasks of draining instances go as the minimum allows.
  const retiring = active.filter((t) => !keep.includes(t) && (step.retireBlue || !blueIds.has(t.deploymentId)));
  const need = desired - keep.length;
  const start: StartAction[] = canStart && step.scaleGreen && need > 0 ? [{ deploymentId: green.id, count: need }] : [];
  const budget = active.filter((t) => world.healthy(t)).length - Math.ceil((desired * minimumHealthyPercent) / 100);
  const stop = stopWithin(world, retiring.sort((a, b) => usefulness(world, a) - usefulness(world, b) || a.createdAt - b.createdAt), budget);
  return { start, stop, keep, desired };
}

/** Whether green's wanted tasks all run healthy (SCALE_UP is over). */
export function greenReady(world: World, green: DeploymentRecord, desired: number): boolean {
  const healthy = world.input.tasks.filter((t) => t.deploymentId === green.id && world.healthy(t)).length;
  return healthy >= desired;
}

/**
 * The listener rules' forwards the service's deployments ask for: those of a deployment shifting
 * traffic to itself (the PRIMARY, in progress) or back to blue (rolling back). Each load balancer
 * with advancedConfiguration: the production rule splits by the green percentage, the test rule
 * forwards all to green once test traffic has shifted.
 */
export function trafficOf(service: ServiceRecord): TrafficWrite[] {
  const writes: TrafficWrite[] = [];
  service.deployments.forEach((d, i) => {
    const shifting = i === 0 ? d.rolloutState === 'IN_PROGRESS' : d.deploymentStatus === 'ROLLBACK_IN_PROGRESS';
    if (!d.shift || !shifting) return;
    for (const lb of d.loadBalancers ?? []) writes.push(...pairWrites(lb, d.shift.greenPercent, d.shift.testOnGreen));
  });
  return writes;
}

function pairWrites(lb: LoadBalancer, greenPercent: number, testOnGreen: boolean): TrafficWrite[] {
  const a = lb.advancedConfiguration;
  const green = lb.targetGroupArn;
  if (!a?.alternateTargetGroupArn || !green) return [];
  // Weights are whole numbers up to 999: percentages, or per mille for tenths of a percent.
  const split = (p: number) => {
    const [blue, mine] = Number.isInteger(p) ? [100 - p, p] : [1000 - Math.round(p * 10), Math.round(p * 10)];
    return [{ targetGroupArn: a.alternateTargetGroupArn!, weight: blue }, { targetGroupArn: green, weight: mine }];
  };
  return [
    ...(a.productionListenerRule ? [{ ruleArn: a.productionListenerRule, weights: split(greenPercent) }] : []),
    ...(a.testListenerRule ? [{ ruleArn: a.testListenerRule, weights: split(testOnGreen ? 100 : 0) }] : []),
  ];
}
