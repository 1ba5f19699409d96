/**
 * Amazon EventBridge, as served by Wharf, over the events domain: event buses, rules with
 * event patterns and schedules, targets, tags, PutEvents and TestEventPattern. The platform
 * decodes AWS JSON 1.1 (target prefix AWSEvents), authenticates, authorizes each operation as
 * `events:<Action>` on the bus's ARN or the rule's (`rule/[<bus>/]<name>`; PutTargets also
 * iam:PassRole on each target role), validates against the model and encodes.
 */
import { eventsModel, type EventsOperations, type ServiceDefinition } from '../../aws/index.ts';
import { eventsValidationError, type EventsDeps } from './common.ts';
import { eventOperations } from './put-events.ts';
import { ruleOperations } from './rules.ts';

export type { EventsDeps } from './common.ts';

/** The EventBridge API over the given store, clock and ids. */
export function eventsService(deps: EventsDeps): ServiceDefinition<EventsOperations> {
  return {
    model: eventsModel,
    iamPrefix: 'events',
    operations: { ...ruleOperations(deps), ...eventOperations(deps) },
    validationError: eventsValidationError,
    partly: {
      CreateEventBus: 'no partner event sources, KMS keys, dead-letter configs or log configs.',
      PutEvents: 'delivered by the control plane\'s delivery worker to other event buses of the account, and to log groups and ECS clusters where those ports are wired; other target kinds are kept as failed deliveries with the reason. No EndpointId.',
      PutTargets: 'targets are kept with their EcsParameters, RetryPolicy and DeadLetterConfig; the kinds delivered are those of PutEvents.',
      PutRule: 'no managed rules; a rule on a bus that does not exist is refused.',
      DescribeEventBus: 'no Policy, KmsKeyIdentifier or DeadLetterConfig.',
    },
  };
}
