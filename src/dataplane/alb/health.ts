/**
 * A target's health as a load balancer's health checks decide it, pure: each check's result folds
 * into consecutive passes and failures, and the thresholds move the target between initial,
 * healthy and unhealthy with ELBv2's reason codes and descriptions. The checker (I/O) probes; this
 * decides what a probe means.
 *
 *   initial ──HealthyThreshold passes──▶ healthy ◀──HealthyThreshold passes── unhealthy
 *      └──UnhealthyThreshold failures──▶ unhealthy ◀──UnhealthyThreshold failures──┘
 */

/** What one health check found. */
export type CheckResult =
  | { ok: true }
  | { ok: false; reason: 'Target.ResponseCodeMismatch'; statusCode: number }
  | { ok: false; reason: 'Target.Timeout' | 'Target.FailedHealthChecks' };

/** A target's health as DescribeTargetHealth reports it, with the counts that move it. */
export interface TargetHealthState {
  state: 'initial' | 'healthy' | 'unhealthy';
  reason?: string;
  description?: string;
  passes: number;
  failures: number;
}

/** The thresholds of a target group's health check. */
export interface Thresholds {
  healthyThresholdCount: number;
  unhealthyThresholdCount: number;
}

/** A target just registered: checks have not begun. */
export const registered = (): TargetHealthState => ({
  state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress', passes: 0, failures: 0,
});

const initialChecking = { reason: 'Elb.InitialHealthChecking', description: 'Initial health checks in progress' };

function failureOf(result: Exclude<CheckResult, { ok: true }>): { reason: string; description: string } {
  switch (result.reason) {
    case 'Target.ResponseCodeMismatch':
      return { reason: result.reason, description: `Health checks failed with these codes: [${result.statusCode}]` };
    case 'Target.Timeout':
      return { reason: result.reason, description: 'Request timed out' };
    default:
      return { reason: result.reason, description: 'Health checks failed' };
  }
}

/** The health after one more check. */
export function observe(health: TargetHealthState, result: CheckResult, t: Thresholds): TargetHealthState {
  const passes = result.ok ? health.passes + 1 : 0;
  const failures = result.ok ? 0 : health.failures + 1;
  if (result.ok) {
    if (health.state === 'healthy' || passes >= t.healthyThresholdCount) return { state: 'healthy', passes, failures };
    if (health.state === 'initial') return { state: 'initial', ...initialChecking, passes, failures };
    return { ...health, passes, failures };
  }
  const failure = failureOf(result);
  if (health.state === 'unhealthy' || failures >= t.unhealthyThresholdCount) return { state: 'unhealthy', ...failure, passes, failures };
  if (health.state === 'initial') return { state: 'initial', ...initialChecking, passes, failures };
  return { state: 'healthy', passes, failures };
}

/**
 * A health check matcher (`200`, `200,202`, `200-299`) as a test of a status code; undefined
 * when the text is not one.
 */
export function statusMatcher(httpCode: string): ((status: number) => boolean) | undefined {
  const parts = httpCode.split(',').map((p) => p.trim());
  const ranges: [number, number][] = [];
  for (const p of parts) {
    const m = /^(\d{3})(?:-(\d{3}))?$/.exec(p);
    if (!m) return undefined;
    const low = Number(m[1]);
    const high = m[2] === undefined ? low : Number(m[2]);
    if (high < low) return undefined;
    ranges.push([low, high]);
  }
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}
