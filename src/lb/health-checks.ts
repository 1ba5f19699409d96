/**
 * A target group's health check: AWS's defaults per protocol (an ALB's HTTP group: HTTP on the
 * traffic port, `/`, every 30 s, 5 s timeout, 5 healthy / 2 unhealthy, code 200; an NLB's TCP
 * group: TCP, 30 s, 10 s, 5 / 2), what each setting accepts, and matching a response code against
 * a matcher (`200-299,302`), which the health checker and the proxy share. Pure.
 */
import { isHttp } from './attributes.ts';
import { LbErrors } from './errors.ts';
import type { HealthCheck, Protocol } from './records.ts';

/** The health check settings a request gives (CreateTargetGroup, ModifyTargetGroup). */
export interface HealthCheckInput {
  enabled?: boolean;
  protocol?: string;
  port?: string;
  path?: string;
  intervalSeconds?: number;
  timeoutSeconds?: number;
  healthyThresholdCount?: number;
  unhealthyThresholdCount?: number;
  matcher?: { httpCode?: string; grpcCode?: string };
}

const CODES = /^\d{1,3}(-\d{1,3})?(,\d{1,3}(-\d{1,3})?)*$/;

/** Whether `code` is one of a matcher's codes and ranges. */
export function matchesCode(matcher: string, code: number): boolean {
  return matcher.split(',').some((part) => {
    const [lo, hi = lo] = part.split('-').map(Number);
    return code >= lo! && code <= hi!;
  });
}

function checkCodes(codes: string, min: number, max: number, member: string): void {
  if (!CODES.test(codes)) throw LbErrors.validation(`${member} '${codes}' must be a code, a list of codes or a range of codes`);
  for (const part of codes.split(',')) {
    const [lo, hi = lo] = part.split('-').map(Number);
    if (lo! < min || hi! > max || lo! > hi!) throw LbErrors.validation(`${member} '${codes}' must be within ${min}-${max}`);
  }
}

/** The defaults of a target group's health check, before the request's settings. */
function defaultsFor(protocol: Protocol, protocolVersion: string | undefined, checkProtocol: HealthCheck['protocol']): HealthCheck {
  const grpc = protocolVersion === 'GRPC';
  const http = checkProtocol !== 'TCP';
  return {
    enabled: true, protocol: checkProtocol, port: 'traffic-port', intervalSeconds: 30,
    timeoutSeconds: isHttp(protocol) ? 5 : checkProtocol === 'HTTP' ? 6 : 10,
    healthyThresholdCount: 5, unhealthyThresholdCount: 2,
    ...(http ? { path: grpc ? '/AWS.ALB/healthcheck' : '/', matcher: grpc ? { grpcCode: '12' } : { httpCode: isHttp(protocol) ? '200' : '200-399' } } : {}),
  };
}

/**
 * The health check of a group of `protocol`: `current` (or the protocol's defaults) with the
 * request's settings over it, each checked, and checked together (timeout under interval).
 */
export function healthCheckFor(protocol: Protocol, protocolVersion: string | undefined, input: HealthCheckInput, current?: HealthCheck): HealthCheck {
  const requested = input.protocol;
  if (requested !== undefined && !['HTTP', 'HTTPS', 'TCP'].includes(requested)) throw LbErrors.validation(`Health check protocol '${requested}' is not supported`);
  if (requested === 'TCP' && isHttp(protocol)) throw LbErrors.validation(`Health check protocol 'TCP' is not supported for target groups with the '${protocol}' protocol`);
  const checkProtocol = (requested ?? current?.protocol ?? (isHttp(protocol) ? protocol : 'TCP')) as HealthCheck['protocol'];
  const base = current && current.protocol === checkProtocol ? current : defaultsFor(protocol, protocolVersion, checkProtocol);
  if (checkProtocol === 'TCP' && (input.path !== undefined || input.matcher !== undefined)) {
    throw LbErrors.validation('Health check path and matcher are not supported for TCP health checks');
  }
  const hc: HealthCheck = {
    ...base,
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(input.port !== undefined ? { port: input.port } : {}),
    ...(input.path !== undefined ? { path: input.path } : {}),
    ...(input.intervalSeconds !== undefined ? { intervalSeconds: input.intervalSeconds } : {}),
    ...(input.timeoutSeconds !== undefined ? { timeoutSeconds: input.timeoutSeconds } : {}),
    ...(input.healthyThresholdCount !== undefined ? { healthyThresholdCount: input.healthyThresholdCount } : {}),
    ...(input.unhealthyThresholdCount !== undefined ? { unhealthyThresholdCount: input.unhealthyThresholdCount } : {}),
    ...(input.matcher !== undefined ? { matcher: input.matcher } : {}),
  };
  if (hc.port !== 'traffic-port' && !(/^\d+$/.test(hc.port) && Number(hc.port) >= 1 && Number(hc.port) <= 65535)) {
    throw LbErrors.validation(`Health check port '${hc.port}' must be 'traffic-port' or a port between 1 and 65535`);
  }
  if (hc.path !== undefined && (!hc.path.startsWith('/') || hc.path.length > 1024)) throw LbErrors.validation(`Health check path '${hc.path}' must begin with a '/' and be at most 1024 characters`);
  if (hc.intervalSeconds < 5 || hc.intervalSeconds > 300) throw LbErrors.validation('Health check interval must be between 5 and 300 seconds');
  if (hc.timeoutSeconds < 2 || hc.timeoutSeconds > 120) throw LbErrors.validation('Health check timeout must be between 2 and 120 seconds');
  if (hc.timeoutSeconds >= hc.intervalSeconds) {
    throw LbErrors.validation(`Health check timeout '${hc.timeoutSeconds}' must be smaller than the interval '${hc.intervalSeconds}'`);
  }
  for (const [n, name] of [[hc.healthyThresholdCount, 'Healthy'], [hc.unhealthyThresholdCount, 'Unhealthy']] as const) {
    if (n < 2 || n > 10) throw LbErrors.validation(`${name} threshold count must be between 2 and 10`);
  }
  if (hc.matcher?.httpCode !== undefined) {
    if (protocolVersion === 'GRPC') throw LbErrors.validation('A gRPC target group needs a GrpcCode matcher, not HttpCode');
    checkCodes(hc.matcher.httpCode, 200, isHttp(protocol) ? 499 : 599, 'Health check matcher HttpCode');
  }
  if (hc.matcher?.grpcCode !== undefined) {
    if (protocolVersion !== 'GRPC') throw LbErrors.validation('A GrpcCode matcher is only for target groups of protocol version GRPC');
    checkCodes(hc.matcher.grpcCode, 0, 99, 'Health check matcher GrpcCode');
  }
  return hc;
}
