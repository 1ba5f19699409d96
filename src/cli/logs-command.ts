/**
 * `wharf logs TASK [--cluster C] [--follow]`: a task's container output, as its awslogs driver
 * put it in CloudWatch Logs, through Wharf's own ECS and CloudWatch Logs APIs (so IAM decides
 * what the caller may read): every container's stream merged by time, each line with its
 * timestamp and its container's name in a colour of its own. `--follow` keeps reading until
 * the task has stopped and its last lines are shown.
 */
import { CloudWatchLogsClient, GetLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, type ECSClientConfig } from '@aws-sdk/client-ecs';

/** One container's stream. */
interface Source {
  container: string;
  group: string;
  stream: string;
  token?: string;
}

/** An event to print. */
export interface LogLineOut {
  timestamp: number;
  container: string;
  message: string;
}

const COLOURS = [36, 33, 32, 35, 34, 31, 96, 93, 92, 95];

/** One printed line: `<ISO time> <container> | <message>`, the container in its colour when `colour` is set. */
export function formatLogLine(e: LogLineOut, index: number, width: number, colour: boolean): string {
  const name = e.container.padEnd(width);
  const shown = colour ? `\u001b[${COLOURS[index % COLOURS.length]}m${name}\u001b[0m` : name;
  return `${new Date(e.timestamp).toISOString()} ${shown} | ${e.message}`;
}

/** What `wharf logs` is given. */
export interface LogsOptions {
  endpoint: string;
  region: string;
  credentials: ECSClientConfig['credentials'];
  cluster: string;
  task: string;
  follow: boolean;
  colour: boolean;
  write(line: string): void;
  warn(line: string): void;
  /** Milliseconds between reads when following. */
  pollMs?: number;
}

/** Prints the task's output; with `follow`, until the task has stopped and nothing more comes. */
export async function showTaskLogs(o: LogsOptions): Promise<void> {
  const ecs = new ECSClient({ endpoint: o.endpoint, region: o.region, credentials: o.credentials });
  const logs = new CloudWatchLogsClient({ endpoint: o.endpoint, region: o.region, credentials: o.credentials });
  const describe = async () => {
    const { tasks, failures } = await ecs.send(new DescribeTasksCommand({ cluster: o.cluster, tasks: [o.task] }));
    const task = tasks?.[0];
    if (!task) throw new Error(`task ${o.task} not found in cluster ${o.cluster}${failures?.[0]?.reason ? ` (${failures[0].reason})` : ''}`);
    return task;
  };
  const task = await describe();
  const taskId = task.taskArn!.slice(task.taskArn!.lastIndexOf('/') + 1);
  const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: task.taskDefinitionArn }));
  const sources: Source[] = [];
  for (const c of taskDefinition?.containerDefinitions ?? []) {
    const log = c.logConfiguration;
    const prefix = log?.options?.['awslogs-stream-prefix'];
    const runtimeId = task.containers?.find((x) => x.name === c.name)?.runtimeId;
    if (log?.logDriver !== 'awslogs' || !log.options?.['awslogs-group'] || (!prefix && !runtimeId)) {
      o.warn(`container ${c.name} does not use awslogs: its output stays with Docker on its host`);
      continue;
    }
    sources.push({ container: c.name!, group: log.options['awslogs-group'], stream: prefix ? `${prefix}/${c.name}/${taskId}` : runtimeId! });
  }
  const width = Math.max(0, ...sources.map((s) => s.container.length));
  const index = new Map(sources.map((s, i) => [s.container, i]));
  let quietSinceStopped = 0;
  for (;;) {
    const batch: LogLineOut[] = [];
    for (const s of sources) {
      for (;;) {
        const out = await logs.send(new GetLogEventsCommand({ logGroupName: s.group, logStreamName: s.stream, startFromHead: true, nextToken: s.token }))
          .catch((error: { name?: string }) => {
            if (error.name === 'ResourceNotFoundException') return undefined; // nothing shipped yet
            throw error;
          });
        if (!out) break;
        for (const e of out.events ?? []) batch.push({ timestamp: e.timestamp ?? 0, container: s.container, message: e.message ?? '' });
        const more = out.nextForwardToken !== s.token && (out.events?.length ?? 0) > 0;
        s.token = out.nextForwardToken ?? s.token;
        if (!more) break;
      }
    }
    batch.sort((a, b) => a.timestamp - b.timestamp);
    for (const e of batch) o.write(formatLogLine(e, index.get(e.container) ?? 0, width, o.colour));
    if (!o.follow) return;
    // Stopped, and two reads after it brought nothing more (the agent ships the last lines as the container stops): all of it is shown.
    quietSinceStopped = !batch.length && (await describe()).lastStatus === 'STOPPED' ? quietSinceStopped + 1 : 0;
    if (quietSinceStopped >= 2) return;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 1000));
  }
}
