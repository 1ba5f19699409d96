/**
 * Amazon EventBridge Scheduler, as served by Wharf, over the events domain's schedule groups and
 * schedules. The platform decodes restJson1 (the operation by method and path), authenticates,
 * authorizes each operation as `scheduler:<Action>` on the schedule's ARN
 * (`schedule/<group>/<name>`) or the group's (`schedule-group/<name>`; CreateSchedule and
 * UpdateSchedule also iam:PassRole on the target's role; listings on `*`), validates against
 * the model (ValidationException naming the member) and encodes. The leader's EventsController
 * fires the schedules.
 */
import { schedulerModel, type SchedulerOperations, type ServiceDefinition } from '../../aws/index.ts';
import { schedulerValidationError, type SchedulerDeps } from './common.ts';
import { schedulerOperations } from './operations.ts';

export type { SchedulerDeps } from './common.ts';

/** The Scheduler API over the given store, clock and ids. */
export function schedulerService(deps: SchedulerDeps): ServiceDefinition<SchedulerOperations> {
  return {
    model: schedulerModel,
    iamPrefix: 'scheduler',
    operations: schedulerOperations(deps),
    validationError: schedulerValidationError,
    partly: {
      CreateSchedule: 'targets delivered: Amazon ECS clusters (RunTask) and EventBridge event buses; Kinesis, SageMaker and SQS parameters are refused, other target ARNs kept as failed deliveries. ClientToken makes no retry idempotent; KmsKeyArn is kept, not acted on.',
      UpdateSchedule: 'as CreateSchedule; the schedule counts its times afresh from the update.',
      DeleteScheduleGroup: 'deleted at once with its schedules (AWS shows DELETING for a while).',
    },
  };
}
