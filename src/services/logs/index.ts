/**
 * Amazon CloudWatch Logs, as served by Wharf, over the logs domain: log groups and streams,
 * retention applied by the control plane's sweep, tags, metric filters (feeding CloudWatch metrics),
 * log events in the event store, and live tail sessions over it. The platform decodes AWS JSON 1.1 (`Logs_20140328`),
 * authenticates, authorizes each operation as `logs:<Action>` on the log group's ARN
 * (`arn:aws:logs:<region>:<account>:log-group:<name>`; stream operations on
 * `…:log-group:<name>:log-stream:<stream>`; DescribeLogGroups on `*`), validates against the
 * model and encodes.
 */
import { logsModel, type LogsOperations, type ServiceDefinition } from '../../aws/index.ts';
import { logsValidationError, type LogsDeps } from './common.ts';
import { eventOperations } from './events.ts';
import { groupOperations } from './groups.ts';

export type { LogsDeps } from './common.ts';

/** The CloudWatch Logs API over the given store, event store and clock. */
export function logsService(deps: LogsDeps): ServiceDefinition<LogsOperations> {
  return {
    model: logsModel,
    iamPrefix: 'logs',
    operations: { ...groupOperations(deps), ...eventOperations(deps) },
    validationError: logsValidationError,
    partly: {
      CreateLogGroup: 'the STANDARD class only; kmsKeyId is kept and shown, events are not encrypted with it; no deletion protection.',
      DescribeLogGroups: 'no logGroupIdentifiers, linked accounts or logGroupClass filter.',
      PutMetricFilter: 'metrics are published for events PutLogEvents takes (not for transformed logs: applyOnTransformedLogs is kept only); filters are never disabled for high-cardinality dimensions.',
      FilterLogEvents: 'always interleaved; looks at up to 100,000 events per stream per call; searchedLogStreams is empty.',
      GetLogEvents: 'events come in the order they were ingested (which is timestamp order when each producer sends in order).',
      StartLiveTail: 'SDK clients pass disableHostPrefix (the SDKs prefix the endpoint\'s host with `stream-`); no cap on concurrent sessions; a stream taking over 10,000 events in a second is read over the next updates.',
      TagResource: 'log groups only (not destinations or other resources).',
    },
  };
}
