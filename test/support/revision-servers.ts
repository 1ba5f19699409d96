/**
 * A fake agent's tasks as real HTTP servers on loopback, each answering which revision it is,
 * and requests through a load balancer's listeners that say who answered: what the blue/green
 * and CodeDeploy tests and benchmarks measure traffic with.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DesiredTask } from '../../src/common/index.ts';
import type { FakeAgent } from './fake-agent.ts';
import { answerTasks } from './fake-tasks.ts';

/**
 * Answers for `agent`'s tasks with servers answering `v<N>` (the first container's N, else the
 * task definition's revision) — 500 to everything when its HEALTH is `fail`. Returns what stops them.
 */
export function serveRevisions(agent: FakeAgent, now: () => number): () => void {
  const servers = new Map<string, http.Server>();
  const serve = async (task: DesiredTask): Promise<number> => {
    const env = task.spec.containers[0]!.environment ?? [];
    const failing = env.some((e) => e.name === 'HEALTH' && e.value === 'fail');
    const n = env.find((e) => e.name === 'N')?.value ?? String(task.spec.revision);
    const server = http.createServer((_req, res) => {
      res.writeHead(failing ? 500 : 200, { 'content-type': 'text/plain' });
      res.end(`v${n}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.set(task.taskArn, server);
    return (server.address() as AddressInfo).port;
  };
  const stopAnswering = answerTasks(agent, serve, (arn) => servers.get(arn)?.close(), now);
  return () => {
    stopAnswering();
    for (const s of servers.values()) s.close();
  };
}

/** Requests through the listeners of the load balancer at `address()`. */
export interface ListenerRequests {
  /** One GET through listener `port`: the body on 200, else `status <code>` or `error <code>`. */
  get(port: number): Promise<string>;
  /** Who answers `n` requests through listener `port`, counted by answer. */
  answers(port: number, n: number): Promise<Record<string, number>>;
  close(): void;
}

/** Requests on keep-alive connections (4 at most), or each on a connection of its own. */
export function listenerRequests(address: () => string, options: { keepAlive: boolean }): ListenerRequests {
  const agent = options.keepAlive ? new http.Agent({ keepAlive: true, maxSockets: 4 }) : false;
  const get = (port: number): Promise<string> => new Promise((resolve) => {
    http.get({ host: address(), port, path: '/', agent, timeout: 5_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(res.statusCode === 200 ? body : `status ${res.statusCode}`));
      res.on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`));
    }).on('error', (e: NodeJS.ErrnoException) => resolve(`error ${e.code ?? e.message}`))
      .on('timeout', function (this: http.ClientRequest) { this.destroy(new Error('timeout')); });
  });
  return {
    get,
    async answers(port, n) {
      const counts: Record<string, number> = {};
      for (let i = 0; i < n; i++) {
        const a = await get(port);
        counts[a] = (counts[a] ?? 0) + 1;
      }
      return counts;
    },
    close: () => {
      if (agent) agent.destroy();
    },
  };
}
