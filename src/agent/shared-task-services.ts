/**
 * The task endpoints (169.254.170.2:80) and the tasks' resolver (169.254.169.253:53) for several
 * agents in one process on one machine (the hosts of Wharf's instances): an address and port
 * is served once, so the agents share one listener of each. A credentials or metadata request
 * goes to the agent whose task owns the id in its path (ids are random, so at most one does),
 * and that agent's handler checks the caller is that task; a request for Wharf's API goes to
 * any agent's (they reach one control plane). The listeners start with the first agent that
 * joins and stop when the last one leaves.
 *
 *   agent A ─┐                         ┌─ /v2/credentials/<id>  → the agent whose task has <id>
 *   agent B ─┼─ join ─▶ one listener ──┼─ /v4/<id>/...          → the agent whose container has <id>
 *   agent C ─┘                         └─ anything else         → the first agent (Wharf's API)
 */
import type http from 'node:http';
import { endpointIdOf, listenTaskEndpoints, taskEndpointsHandler, type EndpointListen, type ServedEndpoints, type TaskEndpointsOptions } from './task-endpoints.ts';
import { serveTaskDns, type DnsServerAddress, type ServedTaskDns, type TaskDnsListen } from './task-dns.ts';

/** A joined agent's share: where the tasks reach the service, and leaving it. */
export interface SharedServed {
  address: string;
  port: number;
  close(): Promise<void>;
}

interface Member {
  o: TaskEndpointsOptions;
  handler: http.RequestListener;
}

/** Reference-counted one-per-process listener: started by the first joiner, closed after the last leaves. */
class Shared<T extends { address: string; port: number; close(): Promise<void> }> {
  private served?: Promise<T | undefined>;
  private count = 0;

  constructor(private readonly open: () => Promise<T | undefined>) {}

  async join(onLeave: () => void = () => undefined): Promise<SharedServed | undefined> {
    this.count++;
    const current = (this.served ??= this.open());
    const s = await current;
    if (!s) {
      this.count--;
      // Failed (said why): the next joiner tries again.
      if (this.served === current) this.served = undefined;
      onLeave();
      return undefined;
    }
    let left = false;
    return {
      address: s.address,
      port: s.port,
      close: async () => {
        if (left) return;
        left = true;
        onLeave();
        if (--this.count > 0) return;
        if (this.served === current) this.served = undefined;
        await s.close();
      },
    };
  }
}

/** What the shared listeners are. */
export interface SharedTaskServicesOptions {
  /** Where the task endpoints listen (ECS's 169.254.170.2:80). */
  endpoints: EndpointListen;
  /** Where the tasks' resolver listens (169.254.169.253:53) and the DNS server it relays to; none: tasks keep Docker's resolvers. */
  resolver?: { listen: TaskDnsListen; server: DnsServerAddress };
  log: (message: string) => void;
}

/** The task endpoints and resolver that the agents of one process share (see the file's comment). */
export class SharedTaskServices {
  private readonly members: Member[] = [];
  private readonly endpoints: Shared<ServedEndpoints>;
  private readonly resolver?: Shared<ServedTaskDns>;

  constructor(private readonly o: SharedTaskServicesOptions) {
    this.endpoints = new Shared(() => listenTaskEndpoints((req, res) => this.route(req, res), o.endpoints, o.log));
    const r = o.resolver;
    this.resolver = r && new Shared(() => serveTaskDns({ server: r.server, log: o.log }, r.listen));
  }

  /** Serves an agent's tasks' endpoints on the shared listener; undefined when it cannot be served (said why). */
  joinEndpoints(options: TaskEndpointsOptions): Promise<SharedServed | undefined> {
    const member: Member = { o: options, handler: taskEndpointsHandler(options) };
    this.members.push(member);
    return this.endpoints.join(() => {
      const i = this.members.indexOf(member);
      if (i >= 0) this.members.splice(i, 1);
    });
  }

  /** The shared resolver for an agent's tasks; undefined when there is none. */
  async joinResolver(): Promise<SharedServed | undefined> {
    return this.resolver?.join();
  }

  private route(req: http.IncomingMessage, res: http.ServerResponse): void {
    const named = endpointIdOf(req.url);
    const owner = named && this.members.find(({ o }) => (named.kind === 'credentials' ? o.tasks.byCredentialsId(named.id) : o.tasks.byMetadataId(named.id)) !== undefined);
    const member = owner ?? this.members[0];
    if (member) return member.handler(req, res);
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ code: 'ServiceUnavailable', message: 'No agent serves tasks on this host now.' }));
  }
}
