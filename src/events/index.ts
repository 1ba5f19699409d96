/**
 * The events domain: EventBridge's buses, rules and targets, the event-pattern language,
 * schedule expressions, PutEvents with its durable delivery queue, delivery to targets through
 * ports, and scheduled rules firing; and EventBridge Scheduler's schedule groups and schedules,
 * with time zones and flexible windows, firing through the same delivery queue. The EventBridge adapter (`services/events`) and the
 * delivery and schedule controllers are its users; nothing here reads a request or shapes a response.
 */
export { DEFAULT_BUS, busArn, busNameOf, keys, ruleArn, type BusRecord, type DeliveryRecord, type EcsTargetParameters, type EventsTag, type FailedDeliveryRecord, type InputTransformer, type RuleRecord, type Scope, type TargetRecord } from './records.ts';
export { EventsErrors } from './errors.ts';
export { PatternError, parsePattern, type Pattern } from './pattern.ts';
export { matchesPattern } from './pattern-match.ts';
export { ScheduleError, nextFireTime, parseSchedule, type Schedule } from './schedule.ts';
export { changeBusTags, createEventBus, deleteEventBus, describeEventBus, listEventBuses, mergeTags, type EventsEnv } from './buses.ts';
export {
  MAX_TARGETS, checkPattern, deleteRule, describeRule, listRules, modifyRule, putRule, putTargets, removeTargets, ruleNamesByTarget, setRuleState,
  type FailedTarget, type PutRuleRequest,
} from './rules.ts';
export { MAX_REQUEST_BYTES, enqueueMatches, entrySize, putEvents, type EntryResult, type EventEntry } from './put-events.ts';
export { isPath, readPath, targetInput } from './transform.ts';
export { DEFAULT_RETRY, TargetUnavailableError, deliver, type DeliveryOutcome, type EcsRunTaskRequest, type EventTargetPorts } from './delivery.ts';
export { fireDueSchedules } from './schedules.ts';
export { DEFAULT_GROUP, SchedulerErrors, scheduleArn, scheduleGroupArn, schedulerKeys, type ScheduleGroupRecord, type ScheduleRecord, type ScheduleTargetRecord } from './scheduler-records.ts';
export {
  changeGroupTags, createSchedule, createScheduleGroup, deleteSchedule, deleteScheduleGroup, getSchedule, getScheduleGroup, listScheduleGroups,
  listSchedules, updateSchedule, type ScheduleInput,
} from './scheduler.ts';
export { flexibleOffset, nextDueTime, parseSchedulerExpression } from './scheduler-times.ts';
export { SCHEDULER_PRINCIPAL, SCHEDULER_STARTED_BY, fireDueSchedulerSchedules } from './scheduler-firing.ts';
export { fromLocal, isTimeZone, nextZonedCronTime, toLocal } from './zoned.ts';
