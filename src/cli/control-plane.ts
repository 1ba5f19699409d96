/**
 * The control plane of `wharf server` and `wharf dev`: the store, the API endpoint with every
 * AWS service, and the agent link, wired together and listening on one port.
 */
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { createEndpoint, ecrModel, ecsModel, legacyJsonService, type ServiceDefinition } from '../aws/index.ts';
import { AGENT_LINK_PATH, randomIds, systemClock } from '../common/index.ts';
import { LifecycleController, ServiceController } from '../controllers/index.ts';
import { place } from '../scheduler/index.ts';
import {
  BlobStore, RegistryTokens, distributionRoute, importOsvFeed, registryKeys, runRegistryMaintenance, scanOnPush, type RegistryScope,
  type RepositoryRecord,
} from '../registry/index.ts';
import { SqliteStore, getDoc, type Store } from '../state/index.ts';
import { IamAuthority, ensureRootAccessKey } from '../identity/index.ts';
import { AgentLinkServer } from '../link/index.ts';
import { InstanceCache } from '../ecs/index.ts';
import { ecsService } from '../services/ecs/index.ts';
import { ecrService } from '../services/ecr/index.ts';
import { iamService } from '../services/iam/index.ts';
import { stsService } from '../services/sts/index.ts';
import { operatorRoutes } from './operator-routes.ts';
import { ensureRootKey, type RootKey } from './root-key.ts';

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
  /**
   * `wharf dev` without --enforce-iam: an access key IAM does not know acts as the account root,
   * unverified. `wharf server` refuses such keys.
   */
  unknownKeysAsRoot: boolean;
  /** Seeds the root key on first start (WHARF_ROOT_ACCESS_KEY_ID / WHARF_ROOT_SECRET_ACCESS_KEY). */
  env?: NodeJS.ProcessEnv;
  log: (message: string) => void;
}

export interface ControlPlane {
  url: string;
  store: Store;
  /** The account root's access key (its file is written on the start that created it). */
  rootKey: RootKey;
  stop(): Promise<void>;
}

/** Opens the SQLite store with its files readable by their owner only (they hold secrets). */
function openStore(dataDir: string): SqliteStore {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  const file = join(dataDir, 'wharf.db');
  if (!existsSync(file)) closeSync(openSync(file, 'a', 0o600));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, 0o600);
  return SqliteStore.open(file);
}

/** Opens the store and starts serving; resolves once the port is listening. */
export async function startControlPlane(o: ControlPlaneOptions): Promise<ControlPlane> {
  const store = openStore(o.dataDir);
  const rootKey = await ensureRootKey(store, o.dataDir, o.account, randomIds, systemClock, o.env ?? {});
  const authority = await IamAuthority.open({
    store, clock: systemClock, ids: randomIds, unknownKeysAsRoot: o.unknownKeysAsRoot, account: o.account,
    onError: (error) => o.log(`identity: ${String(error)}`),
  });
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

  const routes = operatorRoutes({
    store, clock: systemClock, authority, unknownKeysAsRoot: o.unknownKeysAsRoot, account: o.account,
    reset: o.allowReset
      ? async () => {
        await store.txn([], [{ type: 'deletePrefix', prefix: '' }]);
        // The root key survives a reset: its file still names it.
        await ensureRootAccessKey(store, o.account, randomIds, systemClock, rootKey);
        await link.resync();
      }
      : undefined,
  });
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
  const apis: ServiceDefinition[] = [
    legacyJsonService(ecsService(deps), ecsModel, 'ecs'),
    legacyJsonService(ecrService({ store, clock: systemClock, ids: randomIds, tokens, blobs, registryHost: () => registryHost }), ecrModel, 'ecr'),
    iamService({ store, clock: systemClock, ids: randomIds }) as ServiceDefinition,
    stsService({ store, clock: systemClock, ids: randomIds, authority }) as ServiceDefinition,
  ];
  const server = createEndpoint({
    services: apis,
    authority,
    clock: systemClock,
    unknownKeysAsRoot: o.unknownKeysAsRoot,
    account: o.account,
    prefixes: { '/v2/': registry },
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
    rootKey,
    async stop() {
      clearInterval(maintenance);
      await lifecycle.close();
      await services.close();
      await link.close();
      instances.close();
      authority.close();
      await authority.settled();
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
