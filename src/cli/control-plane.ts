/**
 * The control plane of `wharf server` and `wharf dev`: the store, the API endpoint with every
 * AWS service, and the agent link, wired together and listening on one port.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createEndpoint, type Route } from '../api/server.ts';
import { AGENT_LINK_PATH } from '../common/agent-protocol.ts';
import { randomIds, systemClock } from '../common/clock.ts';
import { ServiceController } from '../controllers/index.ts';
import { place } from '../scheduler/index.ts';
import { AgentLinkServer, InstanceCache, ecsService } from '../services/ecs/index.ts';
import { SqliteStore } from '../state/sqlite.ts';
import type { Store } from '../state/store.ts';

export interface ControlPlaneOptions {
  host: string;
  port: number;
  dataDir: string;
  account: string;
  region: string;
  /** Enables `POST /_wharf/reset`, which wipes all state (dev mode only). */
  allowReset: boolean;
  /** An instance whose agent has been disconnected this long is lost: its service tasks are replaced elsewhere. */
  instanceLostAfterMs?: number;
  log: (message: string) => void;
}

export interface ControlPlane {
  url: string;
  store: Store;
  stop(): Promise<void>;
}

/** Opens the store and starts serving; resolves once the port is listening. */
export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  mkdirSync(o.dataDir, { recursive: true });
  const store = SqliteStore.open(join(o.dataDir, 'wharf.db'));
  const instances = new InstanceCache(store);
  const deps = { store, clock: systemClock, ids: randomIds, place, rng: Math.random, instances };
  const link = new AgentLinkServer({ store, clock: systemClock, ids: randomIds, defaultScope: { account: o.account, region: o.region }, log: o.log });
  await link.markAllDisconnected();
  const services = new ServiceController({ deps, settings: { instanceLostAfterMs: o.instanceLostAfterMs ?? 30_000 }, log: o.log });
  await services.start();

  const json = (body: unknown): Route => (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const routes: Record<string, Route> = { 'GET /_wharf/health': json({ status: 'ok' }) };
  if (o.allowReset) {
    routes['POST /_wharf/reset'] = async (req, res) => {
      await store.txn([], [{ type: 'deletePrefix', prefix: '' }]);
      await link.resync();
      json({ reset: true })(req, res);
    };
  }
  const server = createEndpoint({
    services: [ecsService(deps)],
    defaultRegion: o.region,
    account: o.account,
    routes,
    upgrades: { [AGENT_LINK_PATH]: link.handleUpgrade },
    onServerError: (error, target) => o.log(`error serving ${target}: ${error instanceof Error ? error.stack : String(error)}`),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;
  return {
    url: `http://${host}:${port}`,
    store,
    async stop() {
      await services.close();
      await link.close();
      instances.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}
