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
import { LifecycleController, ServiceController } from '../controllers/index.ts';
import { place } from '../scheduler/index.ts';
import { BlobStore, RegistryTokens, distributionRoute, registryKeys, runRegistryMaintenance, type RegistryScope, type RepositoryRecord } from '../registry/index.ts';
import { importOsvFeed, scanOnPush } from '../registry/scan/index.ts';
import { getDoc } from '../state/transact.ts';
import { AgentLinkServer, InstanceCache, ecsService } from '../services/ecs/index.ts';
import { ecrService } from '../services/ecr/index.ts';
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
  const tokens = await RegistryTokens.open(store, systemClock);
  const blobs = await BlobStore.open({ root: join(o.dataDir, 'registry'), clock: systemClock });
  // The registry is served on this port: its host is known once listening (port 0 picks one).
  let registryHost = `${o.host}:${o.port}`;
  const link = new AgentLinkServer({
    store, clock: systemClock, ids: randomIds, defaultScope: { account: o.account, region: o.region }, log: o.log,
    registryAuth: agentRegistryAuth(tokens),
  });
  await link.markAllDisconnected();
  const services = new ServiceController({ deps, settings: { instanceLostAfterMs: o.instanceLostAfterMs ?? 30_000 }, log: o.log });
  await services.start();
  const lifecycle = new LifecycleController({ store, clock: systemClock, log: o.log });
  lifecycle.start();

  const json = (body: unknown): Route => (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
  const routes: Record<string, Route> = {
    'GET /_wharf/health': json({ status: 'ok' }),
    // An operator imports the vulnerability feed image scans match against (OSV JSON or JSON lines).
    'PUT /_wharf/registry/osv-feed': async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      try {
        json(await importOsvFeed(store, Buffer.concat(chunks).toString('utf8'), systemClock))(req, res);
      } catch (error) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: error instanceof Error ? error.message : String(error) }));
      }
    },
  };
  if (o.allowReset) {
    routes['POST /_wharf/reset'] = async (req, res) => {
      await store.txn([], [{ type: 'deletePrefix', prefix: '' }]);
      await link.resync();
      json({ reset: true })(req, res);
    };
  }
  const registry = distributionRoute({
    store, blobs, clock: systemClock,
    authorize: (req) => tokens.verifyBasic(req.headers.authorization),
    onServerError: (error) => o.log(`registry: ${error instanceof Error ? error.stack : String(error)}`),
    onImagePushed: (scope, repository, image) => {
      void getDoc<RepositoryRecord>(store, registryKeys.repository(scope, repository))
        .then((repo) => repo && scanOnPush({ store, blobs, clock: systemClock }, scope, repo.value, image))
        .catch((error: unknown) => o.log(`scan on push: ${String(error)}`));
    },
  });
  const server = createEndpoint({
    services: [ecsService(deps), ecrService({ store, clock: systemClock, ids: randomIds, tokens, blobs, registryHost: () => registryHost })],
    prefixes: { '/v2/': registry },
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
  const reachable = o.host === '0.0.0.0' ? '127.0.0.1' : o.host === '::' ? '[::1]' : host;
  registryHost = `${reachable}:${port}`;
  // Registry housekeeping: idle uploads swept, unreferenced blobs collected (after their grace period).
  const maintenance = setInterval(() => {
    runRegistryMaintenance(store, blobs, Date.now()).catch((error: unknown) => o.log(`registry maintenance: ${String(error)}`));
  }, 60 * 60_000);
  maintenance.unref();
  return {
    url: `http://${host}:${port}`,
    store,
    async stop() {
      clearInterval(maintenance);
      await lifecycle.close();
      await services.close();
      await link.close();
      instances.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

/**
 * Registry credentials for the tasks an agent runs, one token per account and region, reused
 * while it has more than half its life left (so a task's desired state does not change with
 * every message).
 */
function agentRegistryAuth(tokens: RegistryTokens): (scope: RegistryScope) => { username: string; password: string } {
  const cache = new Map<string, { password: string; expiresAt: number }>();
  return (scope) => {
    const key = `${scope.account}/${scope.region}`;
    let token = cache.get(key);
    if (!token || token.expiresAt - Date.now() < 6 * 60 * 60_000) {
      token = tokens.issue(scope);
      cache.set(key, token);
    }
    return { username: 'AWS', password: token.password };
  };
}
