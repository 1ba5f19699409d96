/**
 * The logs domain: CloudWatch Logs' log groups, streams, retention, tags and metric filters as
 * records in the store; log events in their own append-only event store on disk; the
 * filter-pattern language; metric filters' data (published through a port the env carries);
 * live tail sessions.
 * The CloudWatch Logs adapter (`services/logs`) and the control plane's retention timer are its
 * users; nothing here reads a request or shapes a response.
 */
export { groupArn, keys, RETENTION_DAYS, streamArn, type LogGroupRecord, type LogStreamRecord, type MetricFilterRecord, type MetricTransformationRecord, type Scope } from './records.ts';
export { LogsErrors } from './errors.ts';
export { EventStore, type EventStoreOptions, type Position, type ReadEvent, type StreamRef, type StoredEvent } from './event-store.ts';
export { compileFilterPattern, parseFilterPattern, FilterPatternError, type FilterPattern, type Matcher, type PatternMatch } from './filter-pattern.ts';
export { checkTransformation, metricFilterData, testMetricFilter, MAX_DIMENSIONS, type MetricDataPort, type MetricFilterDatum } from './metric-filters.ts';
export {
  createLogGroup, createLogStream, deleteLogGroup, deleteLogStream, deleteMetricFilter, getLogGroup, listLogGroups, listLogStreams, listMetricFilters,
  putMetricFilter, setRetention, tagLogGroup, untagLogGroup, type LogsEnv,
} from './groups.ts';
export {
  acceptBatch, filterLogEvents, getLogEvents, putLogEvents, EVENT_OVERHEAD, MAX_BATCH_BYTES, MAX_BATCH_EVENTS,
  type FilteredEvent, type FilterLogEventsRequest, type GetLogEventsRequest, type InputEvent, type RejectedEvents,
} from './events.ts';
export { applyRetention } from './retention.ts';
export { STREAM_LOCKS, storeStreamLock, type StreamLock } from './stream-lock.ts';
export {
  startLiveTail, MAX_LIVE_TAIL_GROUPS, type LiveTailEvent, type LiveTailRequest, type LiveTailSettings, type LiveTailTimers, type LiveTailUpdate,
} from './live-tail.ts';
