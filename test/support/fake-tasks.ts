/**
 * Answering for a fake agent as if it ran its tasks: each task it is told to run reports RUNNING
 * (bridge: with a host port for container port 80), each it is told to stop, STOPPED. The host
 * port is the next of a counter, or one `serve` gives — a real server on loopback standing in for
 * the task, so a load balancer's health checks and traffic reach "the task". Times are `now`'s (the
 * control plane's clock, when a test moves it).
 */
import type { DesiredTask, ServerMessage } from '../../src/common/index.ts';
import type { FakeAgent } from './fake-agent.ts';

/** Starts answering for `agent`; returns the function that stops it. */
export function answerTasks(
  agent: FakeAgent, serve?: (task: DesiredTask) => Promise<number>, onStop?: (taskArn: string) => void, now: () => number = Date.now,
): () => void {
  let seen = 0;
  let nextPort = 32768;
  const started = new Set<string>();
  const stopped = new Set<string>();
  const run = async (t: DesiredTask) => {
    const container = t.spec.containers[0]!;
    const port = serve ? await serve(t) : nextPort++;
    const networkBindings = t.spec.networkMode === 'bridge' ? [{ containerPort: 80, hostPort: port, protocol: 'tcp' as const, bindIP: '0.0.0.0' }] : [];
    agent.send({ type: 'taskStateChange', change: { taskArn: t.taskArn, lastStatus: 'RUNNING', startedAt: now(), containers: [{ name: container.name!, lastStatus: 'RUNNING', runtimeId: 'f'.repeat(64), networkBindings }] } });
  };
  const timer = setInterval(() => {
    for (const m of agent.received.slice(seen) as ServerMessage[]) {
      if (m.type !== 'tasks') continue;
      for (const t of m.tasks as DesiredTask[]) {
        const container = t.spec.containers[0]!;
        if (t.desiredStatus === 'RUNNING' && !started.has(t.taskArn)) {
          started.add(t.taskArn);
          void run(t);
        } else if (t.desiredStatus === 'STOPPED' && !stopped.has(t.taskArn)) {
          stopped.add(t.taskArn);
          onStop?.(t.taskArn);
          agent.send({ type: 'taskStateChange', change: { taskArn: t.taskArn, lastStatus: 'STOPPED', stoppedAt: now(), executionStoppedAt: now(), containers: [{ name: container.name!, lastStatus: 'STOPPED', exitCode: 0 }] } });
        }
      }
    }
    seen = agent.received.length;
  }, 25);
  timer.unref();
  return () => clearInterval(timer);
}
