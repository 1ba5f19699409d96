/**
 * Amazon EC2 Auto Scaling, as served by Wharf: Auto Scaling groups of EC2 instances launched from
 * launch templates, over the autoscaling domain. The Auto Scaling controller
 * (controllers/autoscaling) launches and terminates the instances these record. The platform
 * decodes awsQuery, authenticates, authorizes each operation as `autoscaling:<Action>` (on the
 * group's ARN where one is named; describes on `*`), validates against the model (ValidationError
 * naming the member) and encodes.
 */
import { autoscalingModel, type AutoscalingOperations, type ServiceDefinition } from '../../aws/index.ts';
import { autoScalingValidationError, type AutoScalingDeps } from './common.ts';
import { groupOperations } from './groups.ts';
import { instanceOperations } from './instances.ts';
import { tagOperations } from './tags.ts';

export type { AutoScalingDeps } from './common.ts';

/** The EC2 Auto Scaling API over the given store, clock, ids and EC2 instances. */
export function autoScalingService(deps: AutoScalingDeps): ServiceDefinition<AutoscalingOperations> {
  return {
    model: autoscalingModel,
    iamPrefix: 'autoscaling',
    operations: { ...groupOperations(deps), ...instanceOperations(deps), ...tagOperations(deps) },
    validationError: autoScalingValidationError,
    partly: {
      CreateAutoScalingGroup: 'launch templates only (no launch configurations, InstanceId or MixedInstancesPolicy); LoadBalancerNames and TargetGroupARNs are kept, not registered; no warm pools, lifecycle hooks or instance maintenance policy.',
      UpdateAutoScalingGroup: 'as CreateAutoScalingGroup.',
      DescribeScalingActivities: 'IncludeDeletedGroups and IncludeManagedResources are ignored (a deleted group\'s activities go with it); Filters are refused.',
      DescribeLifecycleHooks: 'Wharf runs no lifecycle hooks: always none.',
    },
  };
}
