/**
 * What the ELBv2 API's handlers share: their ports, the operation table's type, the scope of a
 * request, Marker/PageSize paging, and the conversions between the SDK's shapes and the load
 * balancing domain's records.
 */
import type {
  Action, Listener, LoadBalancer, Rule, RuleCondition, Tag, TargetDescription, TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsError, coralValidationMessage, paginate, type Elbv2Operations, type OperationSpec, type RequestContext, type Violation } from '../../aws/index.ts';
import type { Clock, Ids } from '../../common/index.ts';
import * as lb from '../../lb/index.ts';
import type { Store } from '../../state/index.ts';

/** What the ELBv2 API runs on. */
export interface Elbv2Deps {
  store: Store;
  clock: Clock;
  ids: Ids;
  /** Which instance ids are the account's (its container instances' EC2 instance ids). */
  instances: lb.InstanceDirectory;
  /** Whether a listener certificate exists (the ARN's form until ACM's certificates are served). */
  certificates?: lb.CertificateCheck;
  /** Marks the certificates load balancers use (ACM's InUseBy); absent, nothing is marked. */
  certificateUses?: lb.CertificateUse;
}

/** Some of ELBv2's operations, as one file of the adapter implements them. */
export type Elbv2OperationTable = { [K in keyof Elbv2Operations]?: OperationSpec<Elbv2Operations[K]['input'], Elbv2Operations[K]['output']> };

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): lb.Scope => ({ account: ctx.account, region: ctx.region });

/** The domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: Elbv2Deps): lb.LbEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
});

/** A member the model requires: present once validation passed. */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw lb.LbErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** How ELBv2 words a request that breaks its model: ValidationError, 400, naming the member. */
export function elbv2ValidationError(violations: Violation[]): AwsError {
  return lb.LbErrors.validation(coralValidationMessage(violations));
}

/** One page after `marker`, with ELBv2's NextMarker; a marker Wharf did not give is a ValidationError. */
export function page<T>(items: T[], keyOf: (item: T) => string, marker: string | undefined, size: number | undefined) {
  const { items: out, nextToken } = paginate(items, keyOf, marker, size, () => lb.LbErrors.validation('The marker is not valid'), 400);
  return { items: out, ...(nextToken ? { NextMarker: nextToken } : {}) };
}

export const tagsIn = (tags: readonly Tag[] | undefined): lb.LbTag[] => (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
export const tagsOut = (tags: readonly lb.LbTag[]): Tag[] => tags.map((t) => ({ Key: t.key, Value: t.value }));

/** Attribute lists in and out. */
export const attributesIn = (a: readonly { Key?: string; Value?: string }[] | undefined) => (a ?? []).map((x) => ({ key: x.Key ?? '', value: x.Value ?? '' }));
export const attributesOut = (a: Record<string, string>) => Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1)).map(([Key, Value]) => ({ Key, Value }));

/** A load balancer as DescribeLoadBalancers shows it; `state` overrides (CreateLoadBalancer answers `provisioning`). */
export function loadBalancerOut(r: lb.LoadBalancerRecord, state?: 'provisioning'): LoadBalancer {
  return {
    LoadBalancerArn: r.arn, DNSName: r.dnsName, CanonicalHostedZoneId: r.canonicalHostedZoneId, CreatedTime: new Date(r.createdAt),
    LoadBalancerName: r.name, Scheme: r.scheme, VpcId: r.vpcId, State: { Code: state ?? r.state }, Type: r.type,
    AvailabilityZones: r.zones.map((z) => ({
      ZoneName: z.zoneName, SubnetId: z.subnetId,
      LoadBalancerAddresses: [{ IpAddress: r.address, PrivateIPv4Address: z.privateIpv4Address }],
    })),
    ...(r.securityGroups.length ? { SecurityGroups: r.securityGroups } : {}), IpAddressType: r.ipAddressType,
  };
}

/** A target group as DescribeTargetGroups shows it. */
export function targetGroupOut(r: lb.TargetGroupRecord): TargetGroup {
  const hc = r.healthCheck;
  return {
    TargetGroupArn: r.arn, TargetGroupName: r.name, Protocol: r.protocol, Port: r.port, VpcId: r.vpcId,
    HealthCheckProtocol: hc.protocol, HealthCheckPort: hc.port, HealthCheckEnabled: hc.enabled, HealthCheckIntervalSeconds: hc.intervalSeconds,
    HealthCheckTimeoutSeconds: hc.timeoutSeconds, HealthyThresholdCount: hc.healthyThresholdCount, UnhealthyThresholdCount: hc.unhealthyThresholdCount,
    ...(hc.path !== undefined ? { HealthCheckPath: hc.path } : {}),
    ...(hc.matcher ? { Matcher: { ...(hc.matcher.httpCode ? { HttpCode: hc.matcher.httpCode } : {}), ...(hc.matcher.grpcCode ? { GrpcCode: hc.matcher.grpcCode } : {}) } } : {}),
    LoadBalancerArns: lb.loadBalancerArnsOf(r), TargetType: r.targetType, ...(r.protocolVersion ? { ProtocolVersion: r.protocolVersion } : {}),
    IpAddressType: r.ipAddressType,
  };
}

/** SDK actions → the domain's inputs; the kinds Wharf does not serve keep their type (and are refused by the domain). */
export const actionsIn = (actions: readonly Action[] | undefined): lb.ActionInput[] => (actions ?? []).map((a) => ({
  type: a.Type, order: a.Order, targetGroupArn: a.TargetGroupArn,
  ...(a.ForwardConfig ? {
    forwardConfig: {
      targetGroups: a.ForwardConfig.TargetGroups?.map((g) => ({ targetGroupArn: g.TargetGroupArn, weight: g.Weight })),
      ...(a.ForwardConfig.TargetGroupStickinessConfig ? {
        stickiness: { enabled: a.ForwardConfig.TargetGroupStickinessConfig.Enabled, durationSeconds: a.ForwardConfig.TargetGroupStickinessConfig.DurationSeconds },
      } : {}),
    },
  } : {}),
  ...(a.RedirectConfig ? {
    redirectConfig: { protocol: a.RedirectConfig.Protocol, port: a.RedirectConfig.Port, host: a.RedirectConfig.Host, path: a.RedirectConfig.Path, query: a.RedirectConfig.Query, statusCode: a.RedirectConfig.StatusCode },
  } : {}),
  ...(a.FixedResponseConfig ? {
    fixedResponseConfig: { statusCode: a.FixedResponseConfig.StatusCode, contentType: a.FixedResponseConfig.ContentType, messageBody: a.FixedResponseConfig.MessageBody },
  } : {}),
}));

/** Domain actions → SDK actions: a forward shows TargetGroupArn when it has one group, and always its ForwardConfig. */
export const actionsOut = (actions: readonly lb.Action[]): Action[] => actions.map((a): Action => {
  if (a.type === 'forward') {
    return {
      Type: 'forward', Order: a.order, ...(a.targetGroups.length === 1 ? { TargetGroupArn: a.targetGroups[0]!.targetGroupArn } : {}),
      ForwardConfig: {
        TargetGroups: a.targetGroups.map((g) => ({ TargetGroupArn: g.targetGroupArn, Weight: g.weight })),
        TargetGroupStickinessConfig: { Enabled: a.stickiness.enabled, ...(a.stickiness.durationSeconds !== undefined ? { DurationSeconds: a.stickiness.durationSeconds } : {}) },
      },
    };
  }
  if (a.type === 'redirect') {
    return { Type: 'redirect', Order: a.order, RedirectConfig: { Protocol: a.protocol, Port: a.port, Host: a.host, Path: a.path, Query: a.query, StatusCode: a.statusCode } };
  }
  return {
    Type: 'fixed-response', Order: a.order,
    FixedResponseConfig: { StatusCode: a.statusCode, ...(a.contentType !== undefined ? { ContentType: a.contentType } : {}), ...(a.messageBody !== undefined ? { MessageBody: a.messageBody } : {}) },
  };
});

/** SDK conditions → the domain's inputs (regular-expression matches are refused: Wharf does not serve them). */
export const conditionsIn = (conditions: readonly RuleCondition[] | undefined): lb.ConditionInput[] => (conditions ?? []).map((c) => {
  if (c.RegexValues || c.HostHeaderConfig?.RegexValues || c.PathPatternConfig?.RegexValues || c.HttpHeaderConfig?.RegexValues) {
    throw lb.LbErrors.validation('Regular expression conditions (RegexValues) are not supported');
  }
  return {
    field: c.Field, values: c.Values,
    ...(c.HostHeaderConfig ? { hostHeader: c.HostHeaderConfig.Values ?? [] } : {}),
    ...(c.PathPatternConfig ? { pathPattern: c.PathPatternConfig.Values ?? [] } : {}),
    ...(c.HttpHeaderConfig ? { httpHeader: { name: c.HttpHeaderConfig.HttpHeaderName, values: c.HttpHeaderConfig.Values } } : {}),
    ...(c.HttpRequestMethodConfig ? { httpRequestMethod: c.HttpRequestMethodConfig.Values ?? [] } : {}),
    ...(c.QueryStringConfig ? { queryString: (c.QueryStringConfig.Values ?? []).map((p) => ({ key: p.Key, value: p.Value })) } : {}),
    ...(c.SourceIpConfig ? { sourceIp: c.SourceIpConfig.Values ?? [] } : {}),
  };
});

/** Domain conditions → SDK conditions: the config form always, and `Values` too where the request gave it. */
export const conditionsOut = (conditions: readonly lb.Condition[]): RuleCondition[] => conditions.map((c): RuleCondition => {
  switch (c.field) {
    case 'http-header': return { Field: c.field, HttpHeaderConfig: { HttpHeaderName: c.headerName, Values: c.values } };
    case 'query-string': return { Field: c.field, QueryStringConfig: { Values: c.queryPairs.map((p) => ({ ...(p.key !== undefined ? { Key: p.key } : {}), Value: p.value })) } };
    case 'host-header': return { Field: c.field, ...(c.legacy ? { Values: c.values } : {}), HostHeaderConfig: { Values: c.values } };
    case 'path-pattern': return { Field: c.field, ...(c.legacy ? { Values: c.values } : {}), PathPatternConfig: { Values: c.values } };
    case 'http-request-method': return { Field: c.field, HttpRequestMethodConfig: { Values: c.values } };
    default: return { Field: c.field, SourceIpConfig: { Values: c.values } };
  }
});

/** A listener as DescribeListeners shows it (only its default certificate). */
export function listenerOut(r: lb.ListenerRecord): Listener {
  const def = r.certificates.filter((c) => c.isDefault);
  return {
    ListenerArn: r.arn, LoadBalancerArn: r.loadBalancerArn, Port: r.port, Protocol: r.protocol,
    ...(def.length ? { Certificates: def.map((c) => ({ CertificateArn: c.certificateArn })) } : {}),
    ...(r.sslPolicy ? { SslPolicy: r.sslPolicy } : {}), ...(r.alpnPolicy ? { AlpnPolicy: [r.alpnPolicy] } : {}),
    DefaultActions: actionsOut(r.defaultActions),
  };
}

/** A rule as DescribeRules shows it. */
export function ruleOut(r: lb.RuleRecord): Rule {
  return {
    RuleArn: r.arn, Priority: String(r.priority), Conditions: conditionsOut(r.conditions), Actions: actionsOut(r.actions), IsDefault: r.priority === 'default',
  };
}

/** SDK targets → the domain's. */
export const targetsIn = (targets: readonly TargetDescription[] | undefined): lb.TargetInput[] =>
  (targets ?? []).map((t) => ({ id: t.Id ?? '', ...(t.Port !== undefined ? { port: t.Port } : {}), ...(t.AvailabilityZone !== undefined ? { availabilityZone: t.AvailabilityZone } : {}) }));
