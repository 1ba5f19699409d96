/**
 * What the Cloud Map API's handlers share: their ports, the operation table's type, the scope of
 * a request, the ARNs operations are authorized on, paging, filters, and records as API shapes.
 */
import { AwsError, coralValidationMessage, paginate, type OperationSpec, type RequestContext, type ServicediscoveryOperations, type Violation } from '../../aws/index.ts';
import type { DnsConfig, HealthCheckConfig, Namespace, Operation, Service, Tag } from '@aws-sdk/client-servicediscovery';
import type { Clock, Ids } from '../../common/index.ts';
import * as discovery from '../../discovery/index.ts';
import type { Store } from '../../state/index.ts';

/** What the Cloud Map API runs on. */
export interface ServiceDiscoveryDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
}

/** Some of Cloud Map's operations, as one file of the adapter implements them. */
export type ServiceDiscoveryOperationTable = {
  [K in keyof ServicediscoveryOperations]?: OperationSpec<ServicediscoveryOperations[K]['input'], ServicediscoveryOperations[K]['output']>
};

/** Cloud Map's word for a request its model refuses: InvalidInput, naming the member. */
export function invalidInputError(violations: Violation[]): AwsError {
  return new AwsError('InvalidInput', coralValidationMessage(violations));
}

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): discovery.Scope => ({ account: ctx.account, region: ctx.region });

/** The domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: ServiceDiscoveryDeps): discovery.DiscoveryEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
});

/** A member the model requires: present once validation passed. */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw discovery.DiscoveryErrors.invalidInput(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** The ARN of a namespace named by id or ARN (what IAM authorizes). */
export const namespaceArnOf = (idOrArn: string | undefined, ctx: RequestContext): string =>
  (idOrArn === undefined ? '*' : idOrArn.startsWith('arn:') ? idOrArn : discovery.namespaceArn(scopeOf(ctx), idOrArn));

/** The ARN of a service named by id or ARN (what IAM authorizes). */
export const serviceArnOf = (idOrArn: string | undefined, ctx: RequestContext): string =>
  (idOrArn === undefined ? '*' : idOrArn.startsWith('arn:') ? idOrArn : discovery.serviceArn(scopeOf(ctx), idOrArn));

/** One page of `items` after `token` (a bad token is InvalidInput). */
export const page = <T>(items: T[], keyOf: (item: T) => string, token: string | undefined, max: number | undefined) =>
  paginate(items, keyOf, token, max, () => discovery.DiscoveryErrors.invalidInput('NextToken: the token is not valid.'), 100);

/** A sort key that orders as `ms` ascending, unique with `id`. */
export const timeKey = (ms: number, id: string): string => `${String(ms).padStart(15, '0')}/${id}`;

/** SDK filters → domain filters. */
export const filtersIn = (filters: readonly { Name?: string; Values?: string[]; Condition?: string }[] | undefined): discovery.DiscoveryFilter[] =>
  (filters ?? []).map((f) => ({ name: f.Name ?? '', values: f.Values ?? [], ...(f.Condition ? { condition: f.Condition as discovery.FilterCondition } : {}) }));

export const tagsIn = (tags: readonly Tag[] | undefined): discovery.DiscoveryTag[] => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
export const tagsOut = (tags: readonly discovery.DiscoveryTag[]): Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

/** A namespace as GetNamespace and ListNamespaces show it. */
export function namespaceShape(n: discovery.NamespaceRecord, account: string): Namespace {
  return {
    Id: n.id, Arn: n.arn, ResourceOwner: account, Name: n.name, Type: n.type,
    ...(n.description !== undefined ? { Description: n.description } : {}),
    ServiceCount: n.serviceCount,
    Properties: {
      DnsProperties: n.type === 'HTTP' ? {} : { HostedZoneId: n.hostedZoneId, SOA: { TTL: n.soaTtl ?? discovery.DEFAULT_SOA_TTL } },
      HttpProperties: { HttpName: n.name },
    },
    CreateDate: new Date(n.createdAt),
    ...(n.creatorRequestId !== undefined ? { CreatorRequestId: n.creatorRequestId } : {}),
  };
}

/** SDK DNS configuration → the domain's. */
export const dnsConfigIn = (c: DnsConfig): discovery.DnsConfigRecord => ({
  routingPolicy: c.RoutingPolicy ?? 'MULTIVALUE',
  records: (c.DnsRecords ?? []).map((r) => ({ type: r.Type!, ttl: r.TTL! })),
});

/** SDK health-check settings → the domain's (FailureThreshold 1 by default, as Route 53's). */
export const healthCheckIn = (h: HealthCheckConfig | undefined): discovery.HealthCheckConfigRecord | undefined =>
  (h ? { type: h.Type!, ...(h.ResourcePath !== undefined ? { resourcePath: h.ResourcePath } : {}), failureThreshold: h.FailureThreshold ?? 1 } : undefined);

/** A service as GetService, CreateService and ListServices show it. */
export function serviceShape(s: discovery.ServiceRecord, account: string): Service {
  return {
    Id: s.id, Arn: s.arn, ResourceOwner: account, Name: s.name, NamespaceId: s.namespaceId,
    ...(s.description !== undefined ? { Description: s.description } : {}),
    InstanceCount: s.instanceCount,
    ...(s.dnsConfig ? {
      DnsConfig: { NamespaceId: s.namespaceId, RoutingPolicy: s.dnsConfig.routingPolicy, DnsRecords: s.dnsConfig.records.map((r) => ({ Type: r.type, TTL: r.ttl })) },
    } : {}),
    Type: s.type,
    ...(s.healthCheckConfig ? {
      HealthCheckConfig: {
        Type: s.healthCheckConfig.type, FailureThreshold: s.healthCheckConfig.failureThreshold,
        ...(s.healthCheckConfig.resourcePath !== undefined ? { ResourcePath: s.healthCheckConfig.resourcePath } : {}),
      },
    } : {}),
    ...(s.healthCheckCustomConfig ? { HealthCheckCustomConfig: { FailureThreshold: s.healthCheckCustomConfig.failureThreshold } } : {}),
    CreateDate: new Date(s.createdAt),
    ...(s.creatorRequestId !== undefined ? { CreatorRequestId: s.creatorRequestId } : {}),
    CreatedByAccount: account,
  };
}

/** An operation as GetOperation shows it. */
export function operationShape(o: discovery.OperationRecord, account: string): Operation {
  return {
    Id: o.id, OwnerAccount: account, Type: o.type, Status: o.status,
    ...(o.errorCode !== undefined ? { ErrorCode: o.errorCode } : {}), ...(o.errorMessage !== undefined ? { ErrorMessage: o.errorMessage } : {}),
    CreateDate: new Date(o.createdAt), UpdateDate: new Date(o.updatedAt), Targets: o.targets,
  };
}
