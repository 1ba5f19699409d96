/**
 * Namespaces: CreateHttpNamespace, CreatePrivateDnsNamespace (in an existing VPC),
 * CreatePublicDnsNamespace, GetNamespace, ListNamespaces with its filters, the namespace updates
 * and DeleteNamespace (refused while services are in it). Names are unique in an account and
 * region, held by a name key; a retry with the CreatorRequestId that made a namespace answers
 * the operation that made it. Every write is one transaction guarded on what it read.
 */
import { keys as networkKeys, stageDefaultVpc, type VpcRecord } from '../network/index.ts';
import { listDocs, transact, type Tx } from '../state/index.ts';
import { DiscoveryErrors } from './errors.ts';
import { filterPredicate, type DiscoveryFilter } from './filters.ts';
import { stageOperation, type DiscoveryEnv } from './operations.ts';
import {
  hostedZoneId, keys, namespaceArn, namespaceId, parseDiscoveryArn, type DiscoveryTag, type NamespaceRecord, type NamespaceType, type Scope,
} from './records.ts';
import { checkTags } from './tags.ts';

/** Namespaces an account may have in a region (Cloud Map's default quota). */
export const MAX_NAMESPACES = 50;

/** The SOA TTL a DNS namespace gets when none is given (seconds). */
export const DEFAULT_SOA_TTL = 15;

/** What a namespace creation asks for. */
export interface CreateNamespaceRequest {
  type: NamespaceType;
  name: string;
  description?: string;
  creatorRequestId?: string;
  /** DNS_PRIVATE: the VPC. */
  vpcId?: string;
  soaTtl?: number;
  tags?: DiscoveryTag[];
}

const LABEL = /^[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?$/i;

/** Refuses a DNS namespace name that is not a domain name (labels of up to 63 characters, 253 in all). */
function checkDomainName(name: string): string {
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length === 0 || bare.length > 253 || !bare.split('.').every((l) => LABEL.test(l))) {
    throw DiscoveryErrors.invalidInput(`Name: ${name} is not a valid domain name.`);
  }
  return bare;
}

/** The namespace `id` names (an id or an ARN), read through `tx`. */
export async function findNamespace(tx: Tx, scope: Scope, idOrArn: string): Promise<NamespaceRecord> {
  const id = idOf(scope, idOrArn, 'namespace');
  const ns = id ? await tx.get<NamespaceRecord>(keys.namespace(scope, id)) : undefined;
  if (!ns) throw DiscoveryErrors.namespaceNotFound(idOrArn);
  return ns;
}

/** An id given as itself or as an ARN of this scope; undefined for an ARN of another kind or scope. */
export function idOf(scope: Scope, idOrArn: string, kind: 'namespace' | 'service'): string | undefined {
  if (!idOrArn.startsWith('arn:')) return idOrArn;
  const parsed = parseDiscoveryArn(idOrArn);
  if (!parsed || parsed.kind !== kind || parsed.scope.account !== scope.account || parsed.scope.region !== scope.region) return undefined;
  return parsed.id;
}

/** Creates a namespace (or answers a retry of the request that made it) and returns the operation id. */
export async function createNamespace(env: DiscoveryEnv, scope: Scope, req: CreateNamespaceRequest): Promise<string> {
  const name = req.type === 'HTTP' ? req.name : checkDomainName(req.name);
  checkTags(req.tags ?? [], req.name);
  if (req.type === 'DNS_PRIVATE' && !req.vpcId) throw DiscoveryErrors.invalidInput('Vpc: a private DNS namespace needs a VPC.');
  const held = await env.store.range(keys.namespaces(scope), { limit: MAX_NAMESPACES });
  return transact(env.store, async (tx) => {
    const taken = await tx.get<{ namespaceId: string }>(keys.namespaceName(scope, name));
    if (taken) {
      const existing = await tx.get<NamespaceRecord>(keys.namespace(scope, taken.namespaceId));
      if (existing && req.creatorRequestId !== undefined && existing.creatorRequestId === req.creatorRequestId && existing.type === req.type) {
        return existing.createOperationId;
      }
      throw DiscoveryErrors.namespaceAlreadyExists(name, taken.namespaceId, existing?.creatorRequestId);
    }
    if (held.kvs.length >= MAX_NAMESPACES) throw DiscoveryErrors.resourceLimitExceeded(`An account can have at most ${MAX_NAMESPACES} namespaces in a region.`);
    if (req.type === 'DNS_PRIVATE') {
      await stageDefaultVpc(tx, scope, env.clock.now());
      const vpc = await tx.get<VpcRecord>(networkKeys.vpc(scope, req.vpcId!));
      if (!vpc) throw DiscoveryErrors.invalidInput(`Vpc: the VPC ${req.vpcId} does not exist.`);
    }
    const id = namespaceId(env.ids);
    const operationId = stageOperation(tx, env, scope, 'CREATE_NAMESPACE', { NAMESPACE: id });
    const dns = req.type !== 'HTTP';
    tx.put<NamespaceRecord>(keys.namespace(scope, id), {
      id, arn: namespaceArn(scope, id), name, type: req.type,
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.creatorRequestId !== undefined ? { creatorRequestId: req.creatorRequestId } : {}),
      createOperationId: operationId,
      ...(dns ? { hostedZoneId: hostedZoneId(env.ids), soaTtl: req.soaTtl ?? DEFAULT_SOA_TTL } : {}),
      ...(req.type === 'DNS_PRIVATE' ? { vpcId: req.vpcId } : {}),
      serviceCount: 0, createdAt: env.clock.now(), tags: req.tags ?? [],
    });
    tx.put(keys.namespaceName(scope, name), { namespaceId: id });
    return operationId;
  });
}

/** GetNamespace. */
export const getNamespace = (env: DiscoveryEnv, scope: Scope, idOrArn: string): Promise<NamespaceRecord> =>
  transact(env.store, (tx) => findNamespace(tx, scope, idOrArn));

/** ListNamespaces' filters. */
const NAMESPACE_FILTERS = {
  TYPE: { conditions: ['EQ', 'IN'] as const, valuesOf: (n: NamespaceRecord) => [n.type] },
  NAME: { conditions: ['EQ', 'BEGINS_WITH'] as const, valuesOf: (n: NamespaceRecord) => [n.name] },
  HTTP_NAME: { conditions: ['EQ', 'BEGINS_WITH'] as const, valuesOf: (n: NamespaceRecord) => [n.name] },
  RESOURCE_OWNER: { conditions: ['EQ'] as const, valuesOf: () => ['SELF'] },
};

/** ListNamespaces: the scope's namespaces matching `filters`, oldest first. */
export async function listNamespaces(env: DiscoveryEnv, scope: Scope, filters?: readonly DiscoveryFilter[]): Promise<NamespaceRecord[]> {
  const matches = filterPredicate(filters, NAMESPACE_FILTERS, 'Filters');
  return (await listDocs<NamespaceRecord>(env.store, keys.namespaces(scope))).map((d) => d.value).filter(matches)
    .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
}

/** What a namespace update changes. */
export interface UpdateNamespaceRequest {
  /** The namespace type the operation is for (UpdateHttpNamespace updates HTTP namespaces only). */
  type: NamespaceType;
  description?: string;
  soaTtl?: number;
}

/** UpdateHttpNamespace, UpdatePrivateDnsNamespace, UpdatePublicDnsNamespace: returns the operation id. */
export async function updateNamespace(env: DiscoveryEnv, scope: Scope, idOrArn: string, req: UpdateNamespaceRequest): Promise<string> {
  return transact(env.store, async (tx) => {
    const ns = await findNamespace(tx, scope, idOrArn);
    if (ns.type !== req.type) throw DiscoveryErrors.invalidInput(`Id: namespace ${ns.id} is of type ${ns.type}, not ${req.type}.`);
    tx.put<NamespaceRecord>(keys.namespace(scope, ns.id), {
      ...ns,
      ...(req.description !== undefined ? { description: req.description } : {}),
      ...(req.soaTtl !== undefined && ns.type !== 'HTTP' ? { soaTtl: req.soaTtl } : {}),
    });
    return stageOperation(tx, env, scope, 'UPDATE_NAMESPACE', { NAMESPACE: ns.id });
  });
}

/** DeleteNamespace: refused while services are in it; returns the operation id. */
export async function deleteNamespace(env: DiscoveryEnv, scope: Scope, idOrArn: string): Promise<string> {
  return transact(env.store, async (tx) => {
    const ns = await findNamespace(tx, scope, idOrArn);
    if (ns.serviceCount > 0) throw DiscoveryErrors.resourceInUse(`Namespace ${ns.id} has ${ns.serviceCount} associated service(s): delete them first.`);
    tx.delete(keys.namespace(scope, ns.id));
    tx.delete(keys.namespaceName(scope, ns.name));
    return stageOperation(tx, env, scope, 'DELETE_NAMESPACE', { NAMESPACE: ns.id });
  });
}
