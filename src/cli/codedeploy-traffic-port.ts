/**
 * How CodeDeploy's deployment engine moves traffic: target groups found by name and listener
 * default forward actions read and rewritten (`stageForwardWeights`) in the load balancing
 * domain's own transactions, so the data plane sees each step as it would an ELBv2 ModifyListener.
 */
import type { ForwardWeight, TrafficPort } from '../codedeploy/index.ts';
import { describeListeners, describeTargetGroups, stageForwardWeights, type ForwardAction } from '../lb/index.ts';
import { transact, type Store } from '../state/index.ts';

/** The traffic port over `store`. */
export function codeDeployTrafficPort(store: Store): TrafficPort {
  return {
    async targetGroupArn(scope, name) {
      const found = await describeTargetGroups(store, scope, { names: [name] }).catch(() => []);
      return found[0]?.arn;
    },
    async forwards(scope, listenerArn): Promise<ForwardWeight[] | undefined> {
      const [listener] = await describeListeners(store, scope, { arns: [listenerArn] }).catch(() => []);
      const forward = listener?.defaultActions.find((a): a is ForwardAction => a.type === 'forward');
      return forward?.targetGroups.map((t) => ({ targetGroupArn: t.targetGroupArn, weight: t.weight }));
    },
    async forward(scope, listenerArn, weights) {
      await transact(store, async (tx) => {
        await stageForwardWeights(tx, scope, listenerArn, weights);
      });
    },
  };
}
