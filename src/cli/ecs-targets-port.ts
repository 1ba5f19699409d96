/**
 * How ECS reaches target groups for services with load balancers: the load balancing domain's
 * target groups and registrations, staged in ECS's own transactions, and the target health the
 * data plane writes, followed in memory (informers over `lb/target-health/` and
 * `lb/target-groups/`) so that health, which changes all the time, is never read inside ECS's
 * transactions and a change of it wakes the services registered in its group.
 */
import { AwsError } from '../aws/index.ts';
import type { TargetGroupInfo, TargetHealth, TargetsPort } from '../ecs/index.ts';
import {
  keys as lbKeys, parseLbArn, stageDeregisterTargets, stageForwardWeights, stageRegisterTargets, type Scope, type TargetGroupRecord, type TargetHealthRecord,
} from '../lb/index.ts';
import { decodeJson, Informer, type Tx } from '../state/index.ts';
import type { Store } from '../state/index.ts';

/** The target group `arn` names in `scope`, if there is one. */
function groupKey(scope: Scope, arn: string): string | undefined {
  const p = parseLbArn(arn);
  if (p?.kind !== 'targetgroup' || p.scope.account !== scope.account || p.scope.region !== scope.region) return undefined;
  return lbKeys.targetGroup(scope, p.id);
}

/** The targets port over `store`; `close` stops its informers. */
export function ecsTargetsPort(store: Store, onError: (error: unknown) => void): TargetsPort & { close(): void } {
  const healths = new Informer<TargetHealthRecord>({ store, prefix: lbKeys.allTargetHealth, decode: decodeJson, onError });
  const groups = new Informer<TargetGroupRecord>({ store, prefix: lbKeys.allTargetGroups, decode: decodeJson, onError });
  const started = () => Promise.all([healths.start(), groups.start()]);
  // ECS registers the instances its own tasks run on: no need to look them up again.
  const ownInstances = async (_scope: Scope, ids: string[]) => new Set(ids);
  return {
    async group(tx: Tx, scope: Scope, arn: string): Promise<TargetGroupInfo | undefined> {
      const key = groupKey(scope, arn);
      const group = key ? await tx.get<TargetGroupRecord>(key) : undefined;
      if (!group || group.arn !== arn) return undefined;
      return { arn, targetType: group.targetType, loadBalancerArns: [...new Set(group.usedBy.map((u) => u.loadBalancerArn))] };
    },
    async register(tx, now, scope, arn, targets) {
      try {
        await stageRegisterTargets(tx, now, scope, arn, targets, ownInstances);
        return undefined;
      } catch (error) {
        if (error instanceof AwsError) return error.message;
        throw error;
      }
    },
    async deregister(tx, now, scope, arn, targets) {
      try {
        return await stageDeregisterTargets(tx, now, scope, arn, targets, { ignoreMissing: true });
      } catch (error) {
        if (error instanceof AwsError && error.code === 'TargetGroupNotFound') return now; // nothing left to drain from it
        throw error;
      }
    },
    async shiftTraffic(tx, scope, ruleArn, weights) {
      try {
        await stageForwardWeights(tx, scope, ruleArn, weights);
        return undefined;
      } catch (error) {
        if (error instanceof AwsError) return error.message;
        throw error;
      }
    },
    async health(scope, targets): Promise<TargetHealth[]> {
      await started();
      return targets.map((t) => {
        const key = groupKey(scope, t.targetGroupArn);
        const group = key ? groups.get(key)?.value : undefined;
        // Nothing checks a group no load balancer uses, or one whose checks are off: its targets are taken as they are.
        if (!group || group.usedBy.length === 0 || !group.healthCheck.enabled) return { state: 'healthy' };
        const h = healths.get(lbKeys.targetHealth(scope, group.id, t.id, t.port))?.value;
        if (!h || h.checkedAt < t.registeredAt || h.state === 'initial') return { state: 'initial' };
        if (h.state === 'unhealthy') return { state: 'unhealthy', ...(h.description !== undefined && { description: h.description }) };
        return { state: 'healthy' };
      });
    },
    subscribe(listener) {
      void started().catch(onError);
      const offHealth = healths.subscribe((c) => {
        const before = c.type === 'add' ? undefined : c.previous;
        const after = c.type === 'delete' ? undefined : c.value;
        // Only a change of state matters to ECS, not every check's timestamp.
        if (before?.state !== after?.state) listener((after ?? before)!.targetGroupArn);
      });
      const offGroups = groups.subscribe((c) => {
        if (c.type !== 'delete') listener(c.value.arn);
      });
      return () => {
        offHealth();
        offGroups();
      };
    },
    close() {
      healths.close();
      groups.close();
    },
  };
}
