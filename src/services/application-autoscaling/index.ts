/**
 * Application Auto Scaling, as served by Wharf, for ECS services' desiredCount over the scaling
 * domain: scalable targets, target tracking and step scaling policies, scheduled actions,
 * scaling activities, tags. The scaling controller (controllers/scaling) runs what these
 * record. The platform decodes AWS JSON 1.1 (`AnyScaleFrontendService.*`), authenticates,
 * authorizes each operation as `application-autoscaling:<Action>`, validates against the model
 * and encodes.
 */
import { applicationAutoscalingModel, type ApplicationAutoscalingOperations, type ServiceDefinition } from '../../aws/index.ts';
import { scalingValidationError, type ScalingDeps } from './common.ts';
import { scalingOperations } from './operations.ts';

export type { ScalingDeps } from './common.ts';

/** The Application Auto Scaling API over the given store, clock, ids and ECS services. */
export function applicationAutoScalingService(deps: ScalingDeps): ServiceDefinition<ApplicationAutoscalingOperations> {
  return {
    model: applicationAutoscalingModel,
    iamPrefix: 'application-autoscaling',
    operations: scalingOperations(deps),
    validationError: scalingValidationError,
    partly: {
      RegisterScalableTarget: 'ECS services (ServiceNamespace ecs, ScalableDimension ecs:service:DesiredCount) only.',
      PutScalingPolicy: 'TargetTrackingScaling (ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization, ALBRequestCountPerTarget, customized metrics and metric math) and StepScaling; PredictiveScaling is refused.',
      DescribeScalingActivities: 'IncludeNotScaledActivities is ignored: only activities that scaled are recorded.',
    },
  };
}
