/**
 * Load balancer and target group attributes: the keys AWS has for each kind, their defaults
 * and what each accepts. Pure: ModifyLoadBalancerAttributes and ModifyTargetGroupAttributes
 * merge what they are given over the record's attributes with `applyAttributes`.
 */
import { LbErrors } from './errors.ts';
import type { LoadBalancerType, Protocol } from './records.ts';

/** What a value of an attribute must be. */
type Rule = { bool: true } | { range: [number, number]; or?: string[] } | { oneOf: string[] } | { text: number };

const bool: Rule = { bool: true };
const text = (max: number): Rule => ({ text: max });
const range = (min: number, max: number, or?: string[]): Rule => ({ range: [min, max], ...(or ? { or } : {}) });
const oneOf = (...values: string[]): Rule => ({ oneOf: values });

interface AttributeSpec {
  default: string;
  rule: Rule;
}

const accessLogs: Record<string, AttributeSpec> = {
  'access_logs.s3.enabled': { default: 'false', rule: bool },
  'access_logs.s3.bucket': { default: '', rule: text(255) },
  'access_logs.s3.prefix': { default: '', rule: text(1024) },
  'deletion_protection.enabled': { default: 'false', rule: bool },
  'zonal_shift.config.enabled': { default: 'false', rule: bool },
};

/** An application load balancer's attributes. */
const APPLICATION: Record<string, AttributeSpec> = {
  ...accessLogs,
  'connection_logs.s3.enabled': { default: 'false', rule: bool },
  'connection_logs.s3.bucket': { default: '', rule: text(255) },
  'connection_logs.s3.prefix': { default: '', rule: text(1024) },
  'idle_timeout.timeout_seconds': { default: '60', rule: range(1, 4000) },
  'client_keep_alive.seconds': { default: '3600', rule: range(60, 604800) },
  'routing.http.desync_mitigation_mode': { default: 'defensive', rule: oneOf('monitor', 'defensive', 'strictest') },
  'routing.http.drop_invalid_header_fields.enabled': { default: 'false', rule: bool },
  'routing.http.preserve_host_header.enabled': { default: 'false', rule: bool },
  'routing.http.x_amzn_tls_version_and_cipher_suite.enabled': { default: 'false', rule: bool },
  'routing.http.xff_client_port.enabled': { default: 'false', rule: bool },
  'routing.http.xff_header_processing.mode': { default: 'append', rule: oneOf('append', 'preserve', 'remove') },
  'routing.http2.enabled': { default: 'true', rule: bool },
  'waf.fail_open.enabled': { default: 'false', rule: bool },
  'load_balancing.cross_zone.enabled': { default: 'true', rule: oneOf('true') },
};

/** A network load balancer's attributes. */
const NETWORK: Record<string, AttributeSpec> = {
  ...accessLogs,
  'load_balancing.cross_zone.enabled': { default: 'false', rule: bool },
  'dns_record.client_routing_policy': {
    default: 'any_availability_zone', rule: oneOf('availability_zone_affinity', 'partial_availability_zone_affinity', 'any_availability_zone'),
  },
};

const healthRouting = (key: string): Record<string, AttributeSpec> => ({
  [`target_group_health.${key}.minimum_healthy_targets.count`]: { default: '1', rule: range(1, 1000000, ['off']) },
  [`target_group_health.${key}.minimum_healthy_targets.percentage`]: { default: 'off', rule: range(1, 100, ['off']) },
});

const groupCommon: Record<string, AttributeSpec> = {
  'deregistration_delay.timeout_seconds': { default: '300', rule: range(0, 3600) },
  'stickiness.enabled': { default: 'false', rule: bool },
  'load_balancing.cross_zone.enabled': { default: 'use_load_balancer_configuration', rule: oneOf('true', 'false', 'use_load_balancer_configuration') },
  ...healthRouting('dns_failover'),
  ...healthRouting('unhealthy_state_routing'),
};

/** The attributes of a target group of an application load balancer (HTTP/HTTPS). */
const HTTP_GROUP: Record<string, AttributeSpec> = {
  ...groupCommon,
  'stickiness.type': { default: 'lb_cookie', rule: oneOf('lb_cookie', 'app_cookie') },
  'stickiness.lb_cookie.duration_seconds': { default: '86400', rule: range(1, 604800) },
  'stickiness.app_cookie.cookie_name': { default: '', rule: text(255) },
  'stickiness.app_cookie.duration_seconds': { default: '86400', rule: range(1, 604800) },
  'slow_start.duration_seconds': { default: '0', rule: range(30, 900, ['0']) },
  'load_balancing.algorithm.type': { default: 'round_robin', rule: oneOf('round_robin', 'least_outstanding_requests', 'weighted_random') },
  'load_balancing.algorithm.anomaly_mitigation': { default: 'off', rule: oneOf('on', 'off') },
};

/** The attributes of a target group of a network load balancer (TCP, UDP, TCP_UDP, TLS). */
const NETWORK_GROUP = (targetType: 'instance' | 'ip', protocol: Protocol): Record<string, AttributeSpec> => ({
  ...groupCommon,
  'stickiness.type': { default: 'source_ip', rule: oneOf('source_ip') },
  'deregistration_delay.connection_termination.enabled': { default: 'false', rule: bool },
  'preserve_client_ip.enabled': { default: String(targetType === 'instance' || protocol === 'UDP' || protocol === 'TCP_UDP'), rule: bool },
  'proxy_protocol_v2.enabled': { default: 'false', rule: bool },
  'target_health_state.unhealthy.connection_termination.enabled': { default: 'true', rule: bool },
  'target_health_state.unhealthy.draining_interval_seconds': { default: '0', rule: range(0, 360000) },
});

/** Whether a protocol is an application load balancer's. */
export const isHttp = (protocol: Protocol): boolean => protocol === 'HTTP' || protocol === 'HTTPS';

const loadBalancerSpecs = (type: LoadBalancerType) => (type === 'application' ? APPLICATION : NETWORK);
const targetGroupSpecs = (targetType: 'instance' | 'ip', protocol: Protocol) => (isHttp(protocol) ? HTTP_GROUP : NETWORK_GROUP(targetType, protocol));
const defaults = (specs: Record<string, AttributeSpec>) => Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, s.default]));

/** A new load balancer's attributes: every key of its type, at its default. */
export const loadBalancerDefaults = (type: LoadBalancerType): Record<string, string> => defaults(loadBalancerSpecs(type));

/** A new target group's attributes. */
export const targetGroupDefaults = (targetType: 'instance' | 'ip', protocol: Protocol): Record<string, string> => defaults(targetGroupSpecs(targetType, protocol));

function check(kind: string, key: string, value: string, spec: AttributeSpec | undefined): void {
  if (!spec) throw LbErrors.validation(`${kind} attribute key '${key}' is not recognized`);
  const rule = spec.rule;
  const bad = () => LbErrors.invalidConfiguration(`${kind} attribute value '${value}' is not valid for key '${key}'`);
  if ('bool' in rule && value !== 'true' && value !== 'false') throw bad();
  if ('oneOf' in rule && !rule.oneOf.includes(value)) throw bad();
  if ('text' in rule && value.length > rule.text) throw bad();
  if ('range' in rule && !rule.or?.includes(value)) {
    const n = /^\d+$/.test(value) ? Number(value) : NaN;
    if (!(n >= rule.range[0] && n <= rule.range[1])) throw bad();
  }
}

/** Cross-attribute rules: logs need a bucket (stickiness with app cookies needs a cookie name). */
function checkTogether(kind: string, merged: Record<string, string>): void {
  for (const logs of ['access_logs', 'connection_logs']) {
    if (merged[`${logs}.s3.enabled`] === 'true' && !merged[`${logs}.s3.bucket`]) {
      throw LbErrors.invalidConfiguration(`The value of '${logs}.s3.bucket' cannot be empty when '${logs}.s3.enabled' is 'true'`);
    }
  }
  if (kind === 'Target group' && merged['stickiness.enabled'] === 'true' && merged['stickiness.type'] === 'app_cookie' && !merged['stickiness.app_cookie.cookie_name']) {
    throw LbErrors.invalidConfiguration("The value of 'stickiness.app_cookie.cookie_name' cannot be empty when 'stickiness.type' is 'app_cookie'");
  }
}

function apply(kind: string, specs: Record<string, AttributeSpec>, current: Record<string, string>, changes: { key: string; value: string }[]) {
  if (changes.length === 0) throw LbErrors.validation('At least one attribute must be specified');
  const merged = { ...current };
  for (const { key, value } of changes) {
    check(kind, key, value, specs[key]);
    merged[key] = value;
  }
  checkTogether(kind, merged);
  return merged;
}

/** A load balancer's attributes with `changes` applied; each key and value checked against its type's. */
export const applyLoadBalancerAttributes = (type: LoadBalancerType, current: Record<string, string>, changes: { key: string; value: string }[]) =>
  apply('Load balancer', loadBalancerSpecs(type), current, changes);

/** A target group's attributes with `changes` applied. */
export const applyTargetGroupAttributes = (
  targetType: 'instance' | 'ip', protocol: Protocol, current: Record<string, string>, changes: { key: string; value: string }[],
) => apply('Target group', targetGroupSpecs(targetType, protocol), current, changes);
