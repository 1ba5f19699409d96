/**
 * EC2 Auto Scaling's instances port over Wharf's EC2 instances: launch templates resolved and
 * instances launched (one a call, its ClientToken the launch's), terminated and described through
 * the instances domain, as EC2 would for Auto Scaling's service-linked role (an instance profile
 * a template names is looked up in IAM; no caller's iam:PassRole is asked).
 */
import type { InstancesPort } from '../autoscaling/index.ts';
import { getInstanceProfile, parseIamArn } from '../identity/index.ts';
import {
  changeInstances, describeInstances, findLaunchTemplate, instanceKeys, runInstances, type InstanceProfilesPort, type InstanceRecord, type InstancesEnv,
} from '../instances/index.ts';
import { getDoc } from '../state/index.ts';

/** IAM's instance profiles, by ARN or name in the account. */
function profiles(env: InstancesEnv): InstanceProfilesPort {
  return async (account, ref) => {
    const name = ref.arn !== undefined ? parseIamArn(ref.arn)?.name : ref.name;
    if (name === undefined) return undefined;
    const view = await getInstanceProfile(env, account, name).catch(() => undefined);
    if (!view || (ref.arn !== undefined && view.arn !== ref.arn)) return undefined;
    const roleArn = view.roles[0]?.arn;
    return { arn: view.arn, id: view.instanceProfileId, ...(roleArn !== undefined ? { roleArn } : {}) };
  };
}

/** The port, over the store the instances live in. */
export function autoScalingInstancesPort(env: InstancesEnv): InstancesPort {
  // The group's own instances, read by key (a pass of every group asks every 10 s).
  const visible = async (scope: { account: string; region: string }, ids: readonly string[]) => {
    const found = await Promise.all(ids.map((id) => getDoc<InstanceRecord>(env.store, instanceKeys.instance(scope, id))));
    return found.flatMap((d) => (d ? [d.value] : []));
  };
  return {
    async launchTemplate(scope, ref) {
      const found = await findLaunchTemplate(env.store, scope, { id: ref.launchTemplateId, name: ref.launchTemplateName, version: ref.version });
      return found && { launchTemplateId: found.id, launchTemplateName: found.name, version: found.version };
    },
    async launch(scope, request) {
      const { instances } = await runInstances(env, scope, {
        minCount: 1, maxCount: 1, subnetId: request.subnetId, clientToken: request.clientToken,
        launchTemplate: { id: request.launchTemplate.launchTemplateId, version: request.launchTemplate.version },
        tagSpecifications: [{ resourceType: 'instance', tags: request.tags.filter((t) => !t.key.startsWith('aws:')) }],
        awsTags: request.tags.filter((t) => t.key.startsWith('aws:')),
      }, profiles(env)).catch(async (error: unknown) => {
        // The token launched before, from a request since changed (the group's tags): that launch is this one.
        if ((error as { code?: string }).code !== 'IdempotentParameterMismatch') throw error;
        const filters = [{ name: 'client-token', values: [request.clientToken] }];
        return { instances: await describeInstances(env.store, scope, { filters }, env.clock.now()) };
      });
      const [instance] = instances;
      if (!instance) throw new Error(`the launch of ${request.clientToken} made no instance`);
      return { instanceId: instance.instanceId, instanceType: instance.instanceType };
    },
    async terminate(scope, instanceIds) {
      const live = (await visible(scope, instanceIds)).filter((i) => i.state !== 'terminated').map((i) => i.instanceId);
      if (live.length) await changeInstances(env, scope, live, 'terminate');
    },
    async describe(scope, instanceIds) {
      return (await visible(scope, instanceIds)).map((i) => ({
        instanceId: i.instanceId, state: i.state, availabilityZone: i.availabilityZone, subnetId: i.subnetId, instanceType: i.instanceType,
      }));
    },
  };
}
