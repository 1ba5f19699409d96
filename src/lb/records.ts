/**
 * Load balancing as stored: load balancers, listeners, rules (a listener's default rule among
 * them), target groups, target registrations, target health and the loopback addresses load
 * balancers listen on, one record each, plus the guard keys that keep names, listener ports,
 * rule priorities and addresses unique. The ELBv2 adapter (`services/elbv2`) turns records into
 * API shapes; the data plane (proxies and health checkers) reads them and writes health. Records
 * are not API shapes: timestamps are epoch ms, names are camelCase.
 */
import { formatArn } from '../aws/index.ts';

/** Every load balancing resource belongs to one account and one region. */
export interface Scope {
  account: string;
  region: string;
}

/** A tag on a load balancer, target group, listener or rule. */
export interface LbTag {
  key: string;
  value: string;
}

/** `application` (HTTP/HTTPS, rules) or `network` (TCP/UDP/TLS, forward only). */
export type LoadBalancerType = 'application' | 'network';

/** The listener and target group protocols. */
export type Protocol = 'HTTP' | 'HTTPS' | 'TCP' | 'TLS' | 'UDP' | 'TCP_UDP';

/** One zone a load balancer is in: the subnet it has there and its interface in that subnet. */
export interface LoadBalancerZone {
  zoneName: string;
  zoneId: string;
  subnetId: string;
  /** The requester-managed interface ELB made in the subnet (`ELB app/<name>/<id>`). */
  networkInterfaceId: string;
  /** That interface's address in the subnet: where tasks in the VPC could reach the load balancer. */
  privateIpv4Address: string;
}

/**
 * A load balancer. `address` is the loopback address the data plane listens on for every
 * listener of it (one per load balancer, never shared: see `keys.address`).
 */
export interface LoadBalancerRecord {
  /** The 16 hex characters ending its ARN; its records are keyed by it. */
  id: string;
  arn: string;
  name: string;
  type: LoadBalancerType;
  scheme: 'internet-facing' | 'internal';
  ipAddressType: 'ipv4' | 'dualstack';
  vpcId: string;
  zones: LoadBalancerZone[];
  securityGroups: string[];
  dnsName: string;
  canonicalHostedZoneId: string;
  /** `active` once made: there is nothing to provision beyond the records. */
  state: 'provisioning' | 'active' | 'failed';
  /** The loopback address (127.255.x.y) the data plane binds this load balancer's listeners to. */
  address: string;
  /** Every attribute, defaults filled in (`idle_timeout.timeout_seconds` → `60`). */
  attributes: Record<string, string>;
  tags: LbTag[];
  createdAt: number;
}

/** How a target group checks its targets: what the health checker does. */
export interface HealthCheck {
  enabled: boolean;
  protocol: 'HTTP' | 'HTTPS' | 'TCP';
  /** A port number, or `traffic-port` (the target's own port). */
  port: string;
  /** HTTP(S) checks only. */
  path?: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
  /** HTTP(S) checks: the codes counted healthy (`200`, `200-299,302`); gRPC groups: `grpcCode`. */
  matcher?: { httpCode?: string; grpcCode?: string };
}

/** A target group: where forward actions send requests, and how its targets are checked. */
export interface TargetGroupRecord {
  id: string;
  arn: string;
  name: string;
  targetType: 'instance' | 'ip';
  protocol: Protocol;
  /** HTTP/HTTPS groups: `HTTP1`, `HTTP2` or `GRPC`. */
  protocolVersion?: string;
  port: number;
  vpcId: string;
  ipAddressType: 'ipv4' | 'ipv6';
  healthCheck: HealthCheck;
  attributes: Record<string, string>;
  /**
   * Every listener or rule whose actions forward here, with its load balancer. Kept on the
   * group (not derived by a scan) so that a forward being added and the group being deleted
   * conflict in the store; a group is of one load balancer at most.
   */
  usedBy: { arn: string; loadBalancerArn: string }[];
  tags: LbTag[];
  createdAt: number;
}

/** A forward action's target groups, weighted, with optional stickiness across them. */
export interface ForwardAction {
  type: 'forward';
  order: number;
  targetGroups: { targetGroupArn: string; weight: number }[];
  stickiness: { enabled: boolean; durationSeconds?: number };
}

/** A redirect: each component `#{protocol}`, `#{host}`, `#{port}`, `#{path}`, `#{query}` or a literal. */
export interface RedirectAction {
  type: 'redirect';
  order: number;
  protocol: string;
  port: string;
  host: string;
  path: string;
  query: string;
  statusCode: 'HTTP_301' | 'HTTP_302';
}

/** A response the load balancer makes itself. */
export interface FixedResponseAction {
  type: 'fixed-response';
  order: number;
  statusCode: string;
  contentType?: string;
  messageBody?: string;
}

/** What a listener or rule does with a request it matched, in `order`. */
export type Action = ForwardAction | RedirectAction | FixedResponseAction;

/**
 * A rule condition. `values` holds what matches (host names, path patterns, methods, header
 * values, CIDRs; `key=value` pairs for query strings: see `queryPairs`). `legacy` says the request gave
 * the old `Values` form, which DescribeRules shows back beside the config form.
 */
export type Condition =
  | { field: 'host-header' | 'path-pattern' | 'http-request-method' | 'source-ip'; values: string[]; legacy: boolean }
  | { field: 'http-header'; headerName: string; values: string[]; legacy: false }
  | { field: 'query-string'; queryPairs: { key?: string; value: string }[]; legacy: false };

/** A listener: a port of a load balancer, its protocol, TLS settings and default actions. */
export interface ListenerRecord {
  id: string;
  arn: string;
  loadBalancerArn: string;
  loadBalancerId: string;
  port: number;
  protocol: Protocol;
  /** HTTPS/TLS: the default certificate first, then the ones AddListenerCertificates added. */
  certificates: { certificateArn: string; isDefault: boolean }[];
  sslPolicy?: string;
  alpnPolicy?: string;
  defaultActions: Action[];
  /** The id of its default rule (its own ARN, shown by DescribeRules with Priority `default`). */
  defaultRuleId: string;
  tags: LbTag[];
  createdAt: number;
}

/** A rule of an application load balancer's listener; the default rule has priority `default` and no conditions. */
export interface RuleRecord {
  id: string;
  arn: string;
  listenerArn: string;
  listenerId: string;
  loadBalancerArn: string;
  /** 1–50000, lowest evaluated first; `default` for the listener's default rule (evaluated last). */
  priority: number | 'default';
  conditions: Condition[];
  actions: Action[];
  tags: LbTag[];
  createdAt: number;
}

/** A target registered with a target group: an instance id or an IP address, and the port traffic goes to. */
export interface TargetRegistrationRecord {
  targetGroupArn: string;
  id: string;
  port: number;
  /** An IP target's zone (`all` for one outside the VPC); absent for instances (theirs is the host's). */
  availabilityZone?: string;
  registeredAt: number;
  /** Set by DeregisterTargets while the group's deregistration delay runs: the target is `draining` until then, gone after. */
  drainingUntil?: number;
}

/** The states DescribeTargetHealth shows. */
export type TargetHealthState = 'initial' | 'healthy' | 'unhealthy' | 'unused' | 'draining' | 'unavailable';

/** Reason codes of non-healthy states. */
export type TargetHealthReason =
  | 'Elb.RegistrationInProgress' | 'Elb.InitialHealthChecking' | 'Target.ResponseCodeMismatch' | 'Target.Timeout'
  | 'Target.FailedHealthChecks' | 'Target.NotRegistered' | 'Target.NotInUse' | 'Target.DeregistrationInProgress'
  | 'Target.InvalidState' | 'Target.IpUnusable' | 'Target.HealthCheckDisabled' | 'Elb.InternalError';

/**
 * What the health checker last found of one registered target, written by the data plane (the
 * control plane never writes it, and deletes it with the registration). Absent: `initial`.
 */
export interface TargetHealthRecord {
  targetGroupArn: string;
  id: string;
  port: number;
  state: 'initial' | 'healthy' | 'unhealthy' | 'unavailable';
  reason?: TargetHealthReason;
  /** AWS's wording, e.g. `Health checks failed with these codes: [502]`. */
  description?: string;
  /** Consecutive results, for the thresholds. */
  consecutiveSuccesses?: number;
  consecutiveFailures?: number;
  checkedAt: number;
}

const scoped = (kind: string) => ({
  all: `lb/${kind}/`,
  of: (s: Scope) => `lb/${kind}/${s.account}/${s.region}/`,
});

/** A target's key within its group: `<id>:<port>` (an IP's colons are kept; the port is after the last). */
export const targetKey = (id: string, port: number) => `${encodeURIComponent(id)}:${port}`;

/** Where each record lives. Kind first, so one prefix ranges a kind across accounts and regions (what the data plane watches). */
export const keys = {
  allLoadBalancers: scoped('load-balancers').all,
  loadBalancers: scoped('load-balancers').of,
  loadBalancer: (s: Scope, id: string) => `${scoped('load-balancers').of(s)}${id}`,
  allTargetGroups: scoped('target-groups').all,
  targetGroups: scoped('target-groups').of,
  targetGroup: (s: Scope, id: string) => `${scoped('target-groups').of(s)}${id}`,
  allListeners: scoped('listeners').all,
  /** A load balancer's listeners. */
  listeners: (s: Scope, loadBalancerId: string) => `${scoped('listeners').of(s)}${loadBalancerId}/`,
  listener: (s: Scope, loadBalancerId: string, id: string) => `${scoped('listeners').of(s)}${loadBalancerId}/${id}`,
  allRules: scoped('rules').all,
  /** A listener's rules, its default rule among them. */
  rules: (s: Scope, listenerId: string) => `${scoped('rules').of(s)}${listenerId}/`,
  rule: (s: Scope, listenerId: string, id: string) => `${scoped('rules').of(s)}${listenerId}/${id}`,
  allTargets: scoped('targets').all,
  /** A target group's registrations. */
  targets: (s: Scope, targetGroupId: string) => `${scoped('targets').of(s)}${targetGroupId}/`,
  target: (s: Scope, targetGroupId: string, id: string, port: number) => `${scoped('targets').of(s)}${targetGroupId}/${targetKey(id, port)}`,
  allTargetHealth: scoped('target-health').all,
  /** The data plane's health records of a target group's targets. */
  targetHealths: (s: Scope, targetGroupId: string) => `${scoped('target-health').of(s)}${targetGroupId}/`,
  targetHealth: (s: Scope, targetGroupId: string, id: string, port: number) => `${scoped('target-health').of(s)}${targetGroupId}/${targetKey(id, port)}`,
  /** A load balancer's or target group's name, holding its id: guarded absent, so a name is taken once. */
  name: (s: Scope, kind: 'loadbalancer' | 'targetgroup', name: string) => `lb/names/${s.account}/${s.region}/${kind}/${name.toLowerCase()}`,
  /** The listener on a port of a load balancer: guarded absent (DuplicateListener). */
  listenerPort: (s: Scope, loadBalancerId: string, port: number) => `lb/listener-ports/${s.account}/${s.region}/${loadBalancerId}/${port}`,
  /** The rule holding a priority of a listener: guarded absent (PriorityInUse). */
  priority: (s: Scope, listenerId: string, priority: number) => `lb/rule-priorities/${s.account}/${s.region}/${listenerId}/${priority}`,
  /** Every loopback address given to a load balancer, machine-wide (not per account): the guard that no two share one. */
  addresses: 'lb/addresses/',
  address: (ip: string) => `lb/addresses/${ip}`,
};

/** The 16 lowercase hex characters that end ELBv2 ARNs. */
export const lbId = (hex32: string): string => hex32.slice(0, 16);

const short = (type: LoadBalancerType) => (type === 'application' ? 'app' : 'net');

/** `arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>`. */
export const loadBalancerArn = (s: Scope, type: LoadBalancerType, name: string, id: string): string =>
  formatArn('elasticloadbalancing', s.region, s.account, `loadbalancer/${short(type)}/${name}/${id}`);

/** `…:targetgroup/<name>/<id>`. */
export const targetGroupArn = (s: Scope, name: string, id: string): string => formatArn('elasticloadbalancing', s.region, s.account, `targetgroup/${name}/${id}`);

/** `…:listener/app/<lb name>/<lb id>/<id>`. */
export const listenerArn = (lb: LoadBalancerRecord, id: string): string => lb.arn.replace(':loadbalancer/', ':listener/') + `/${id}`;

/** `…:listener-rule/app/<lb name>/<lb id>/<listener id>/<id>`. */
export const ruleArn = (listener: ListenerRecord, id: string): string => listener.arn.replace(':listener/', ':listener-rule/') + `/${id}`;

/** What an ELBv2 ARN names, read from it (its records are found by these ids). */
export type ParsedLbArn =
  | { kind: 'loadbalancer'; scope: Scope; type: LoadBalancerType; name: string; id: string }
  | { kind: 'targetgroup'; scope: Scope; name: string; id: string }
  | { kind: 'listener'; scope: Scope; loadBalancerId: string; id: string }
  | { kind: 'listener-rule'; scope: Scope; loadBalancerId: string; listenerId: string; id: string };

const ARN = /^arn:aws[a-z-]*:elasticloadbalancing:([a-z0-9-]+):(\d{12}):(loadbalancer|targetgroup|listener|listener-rule)\/(.+)$/;

/** Parses an ELBv2 ARN; undefined for anything else. */
export function parseLbArn(arn: string): ParsedLbArn | undefined {
  const m = ARN.exec(arn);
  if (!m) return undefined;
  const scope = { region: m[1]!, account: m[2]! };
  const parts = m[4]!.split('/');
  const hex = (v: string | undefined) => v !== undefined && /^[0-9a-f]{16}$/.test(v);
  switch (m[3]) {
    case 'loadbalancer':
      if (parts.length !== 3 || (parts[0] !== 'app' && parts[0] !== 'net') || !hex(parts[2])) return undefined;
      return { kind: 'loadbalancer', scope, type: parts[0] === 'app' ? 'application' : 'network', name: parts[1]!, id: parts[2]! };
    case 'targetgroup':
      if (parts.length !== 2 || !hex(parts[1])) return undefined;
      return { kind: 'targetgroup', scope, name: parts[0]!, id: parts[1]! };
    case 'listener':
      if (parts.length !== 4 || !hex(parts[2]) || !hex(parts[3])) return undefined;
      return { kind: 'listener', scope, loadBalancerId: parts[2]!, id: parts[3]! };
    default:
      if (parts.length !== 5 || !hex(parts[2]) || !hex(parts[3]) || !hex(parts[4])) return undefined;
      return { kind: 'listener-rule', scope, loadBalancerId: parts[2]!, listenerId: parts[3]!, id: parts[4]! };
  }
}
