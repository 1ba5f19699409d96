/**
 * Where EventBridge delivers beyond its own buses: a CloudWatch Logs log group (the event, in a
 * stream named by its id, as EventBridge writes them), and ECS RunTask — run as the target's role,
 * which must trust the delivering service (`events.amazonaws.com` for a rule,
 * `scheduler.amazonaws.com` for a schedule), with the overrides the (transformed) input carries.
 */
import type { TaskOverride } from '@aws-sdk/client-ecs';
import type { EcsRunTaskRequest, EventTargetPorts } from '../events/index.ts';
import { launchTasks, type EcsDeps } from '../ecs/index.ts';
import { serviceMayAssume } from '../identity/index.ts';
import { createLogStream, putLogEvents, type EventStore, type MetricDataPort } from '../logs/index.ts';
import { parseQueueArn, sendMessages, type QueueSignals } from '../queues/index.ts';

const LOG_GROUP_ARN = /^arn:aws:logs:([^:]+):(\d{12}):log-group:([^:]+)(?::\*)?$/;

/** The ports, over ECS's deps and the logs' event store (and where the log groups' metric filters publish). */
export function eventTargetPorts(deps: EcsDeps, logEvents: EventStore, metricData?: MetricDataPort, queueSignals?: QueueSignals): EventTargetPorts {
  return {
    async sendToQueue(arn, message, groupId, deduplicationId) {
      const q = parseQueueArn(arn);
      if (!q) throw new Error(`${arn} is not an SQS queue ARN`);
      const fifo = q.name.endsWith('.fifo');
      await sendMessages(deps, q.scope, q.name, [{ body: message, ...(fifo && { groupId, deduplicationId }) }], 'AIDAEVENTBRIDGE');
      queueSignals?.notify(q.scope, q.name);
    },
    async deliverToLogGroup(arn, message) {
      const m = LOG_GROUP_ARN.exec(arn);
      if (!m) throw new Error(`${arn} is not a log group ARN`);
      const scope = { region: m[1]!, account: m[2]! };
      const env = { store: deps.store, clock: deps.clock, events: logEvents, metricData };
      let stream = 'events';
      try {
        const id = (JSON.parse(message) as { id?: unknown }).id;
        if (typeof id === 'string' && /^[\w-]{1,512}$/.test(id)) stream = id;
      } catch {
        // Not JSON (an input transformer's text): the shared stream.
      }
      await createLogStream(env, scope, m[3]!, stream).catch((error: { code?: string }) => {
        if (error.code !== 'ResourceAlreadyExistsException') throw error;
      });
      await putLogEvents(env, scope, m[3]!, stream, [{ timestamp: deps.clock.now(), message }]);
    },
    async runTask(request: EcsRunTaskRequest) {
      if (!(await serviceMayAssume(deps, request.principal, request.roleArn))) {
        throw new Error(`${request.principal} is not authorized to perform: sts:AssumeRole on resource: ${request.roleArn}`);
      }
      const p = request.parameters;
      const fargate = p.launchType === 'FARGATE' || /^FARGATE/.test(p.capacityProviderStrategy?.[0]?.capacityProvider ?? '');
      const launch = await launchTasks(deps, request.scope, {
        clusterRef: request.cluster,
        taskDefinitionRef: p.taskDefinitionArn,
        group: p.group,
        startedBy: request.startedBy,
        tags: p.tags?.map((t) => ({ key: t.key, value: t.value })),
        enableExecuteCommand: p.enableExecuteCommand === true,
        constraints: p.placementConstraints ?? [],
        strategy: p.placementStrategy ?? [],
        overrides: overridesOf(request.input),
        ...(p.networkConfiguration && { networkConfiguration: { awsvpcConfiguration: { ...p.networkConfiguration, assignPublicIp: p.networkConfiguration.assignPublicIp as 'ENABLED' | 'DISABLED' | undefined } } }),
        ...(fargate && { launchType: 'FARGATE' as const, platformVersion: p.platformVersion ?? '1.4.0' }),
        ...(fargate && p.capacityProviderStrategy?.[0] && { capacityProviderName: p.capacityProviderStrategy[0].capacityProvider }),
      }, Math.min(Math.max(p.taskCount ?? 1, 1), 10));
      if (!launch.tasks.length) throw new Error(`RunTask placed no task: ${launch.failures.map((f) => f.reason).join(', ')}`);
    },
  };
}

/** A RunTask target's input is the task's overrides when it is JSON with override fields (containerOverrides, taskRoleArn, ...). */
function overridesOf(input: string): TaskOverride {
  try {
    const doc = JSON.parse(input) as Record<string, unknown>;
    const { containerOverrides, taskRoleArn, executionRoleArn, cpu, memory } = doc;
    return {
      ...(Array.isArray(containerOverrides) && { containerOverrides: containerOverrides as TaskOverride['containerOverrides'] }),
      ...(typeof taskRoleArn === 'string' && { taskRoleArn }),
      ...(typeof executionRoleArn === 'string' && { executionRoleArn }),
      ...(typeof cpu === 'string' && { cpu }),
      ...(typeof memory === 'string' && { memory }),
    };
  } catch {
    return {};
  }
}
