/**
 * A real registry for tests: the distribution route on an HTTP server on 127.0.0.1, over an
 * in-memory SQLite store and a blob store in a temp dir, with `AWS:<password>` Basic auth from
 * RegistryTokens (the secret made here) issued to the account root, and an identity that allows
 * whatever a token's holder asks (unless a test gives its own). Tests seed repositories as the
 * ECR API would, and read the request log to assert what a client (docker, skopeo) actually did.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { rootPrincipal } from '../aws/index.ts';
import { systemClock, type Clock } from '../common/index.ts';
import { SqliteStore, transact } from '../state/index.ts';
import { tokenAccess, type RegistryIdentity } from './access.ts';
import { BlobStore } from './blob-store.ts';
import { distributionRoute, type DistributionOptions } from './distribution.ts';
import { registryArns, registryKeys, type RegistryScope, type RepositoryRecord } from './records.ts';
import { RegistryTokens, type TokenHolder } from './tokens.ts';

/** An identity that knows every token holder and allows them everything: for tests about the protocol, not IAM. */
export const allowAllIdentity: RegistryIdentity = {
  checkPrincipal: async () => 'valid',
  authorize: async () => ({ allowed: true }),
};

/** The root of `scope`'s account, as a token holder. */
export const rootHolder = (scope: RegistryScope): TokenHolder => ({ principal: rootPrincipal(scope.account) });

/** One request the test registry answered. */
export interface LoggedRequest {
  method: string;
  path: string;
  status: number;
  authorized: boolean;
}

/** A running test registry. */
export interface TestRegistry {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `127.0.0.1:<port>`, as docker names the registry. */
  host: string;
  store: SqliteStore;
  blobs: BlobStore;
  tokens: RegistryTokens;
  scope: RegistryScope;
  /** A password for `scope` (user `AWS`). */
  password: string;
  /** The `Authorization` header value for `scope`. */
  basic: string;
  /** The blob store's root directory. */
  root: string;
  requests: LoggedRequest[];
  /** Creates a repository as ECR's CreateRepository would (in `scope` unless given). */
  createRepository(name: string, mutability?: RepositoryRecord['imageTagMutability'], scope?: RegistryScope): Promise<RepositoryRecord>;
  /** The Basic header of a password for another scope. */
  basicFor(scope: RegistryScope): string;
  close(): Promise<void>;
}

/** A repository record as CreateRepository makes it. */
export function repositoryRecord(scope: RegistryScope, name: string, host: string, mutability: RepositoryRecord['imageTagMutability'] = 'MUTABLE', now = Date.now()): RepositoryRecord {
  return {
    name,
    arn: registryArns.repository(scope, name),
    registryId: scope.account,
    uri: `${host}/${name}`,
    createdAt: now,
    imageTagMutability: mutability,
    imageScanningConfiguration: { scanOnPush: false },
    encryptionConfiguration: { encryptionType: 'AES256' },
    tags: [],
  };
}

/** Starts a test registry; `options` override the route's options. */
export async function startTestRegistry(
  options: Partial<Omit<DistributionOptions, 'store' | 'blobs' | 'access'>> & { clock?: Clock; identity?: RegistryIdentity } = {},
): Promise<TestRegistry> {
  const clock = options.clock ?? systemClock;
  const store = SqliteStore.open(':memory:');
  const root = mkdtempSync(join(tmpdir(), 'wharf-registry-'));
  const blobs = await BlobStore.open({ root, clock });
  const tokens = new RegistryTokens(randomBytes(32), clock);
  const scope: RegistryScope = { account: '123456789012', region: 'us-east-1' };
  const requests: LoggedRequest[] = [];
  const route = distributionRoute({
    realm: 'wharf-test',
    onServerError: (error) => console.error('registry 5xx:', error),
    ...options,
    store,
    blobs,
    clock,
    access: tokenAccess({ tokens, identity: options.identity ?? allowAllIdentity, clock }),
  });
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    // On close, not finish: a client that has read all it asked for may close first, and then finish never comes.
    res.once('close', () => requests.push({ method: req.method ?? '', path, status: res.statusCode, authorized: req.headers.authorization !== undefined }));
    if (path === '/v2' || path.startsWith('/v2/')) void route(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const host = `127.0.0.1:${port}`;
  const basicFor = (s: RegistryScope) => `Basic ${Buffer.from(`AWS:${tokens.issue(s, rootHolder(s)).password}`).toString('base64')}`;
  const password = tokens.issue(scope, rootHolder(scope)).password;
  return {
    url: `http://${host}`,
    host,
    store,
    blobs,
    tokens,
    scope,
    password,
    basic: `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`,
    root,
    requests,
    basicFor,
    async createRepository(name, mutability = 'MUTABLE', inScope = scope) {
      const record = repositoryRecord(inScope, name, host, mutability, clock.now());
      await transact(store, async (tx) => tx.put(registryKeys.repository(inScope, name), record));
      return record;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
