/**
 * One health check of one target, as ELBv2 makes it: HTTP(S) — a request for the check's path
 * (`GET`, no keep-alive, `User-Agent: ELB-HealthChecker/2.0`) whose status the matcher must
 * accept within the timeout — or TCP, a connection opened within the timeout. What the check
 * found is a CheckResult for health.ts to fold in.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { CheckResult } from './health.ts';

/** What a probe checks. */
export interface ProbeTarget {
  address: string;
  port: number;
  protocol: 'HTTP' | 'HTTPS' | 'TCP';
  /** HTTP(S): the path and query to request. */
  path?: string;
  /** HTTP(S): whether a status code passes. */
  matches?: (status: number) => boolean;
  timeoutMs: number;
  /** The address to send from, when not the host's (the load balancer's in the target's VPC). */
  localAddress?: string;
}

/** Checks the target once; never throws. */
export function probe(t: ProbeTarget): Promise<CheckResult> {
  return t.protocol === 'TCP' ? probeTcp(t) : probeHttp(t);
}

function probeTcp(t: ProbeTarget): Promise<CheckResult> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: t.address, port: t.port, ...(t.localAddress && { localAddress: t.localAddress }) });
    const done = (result: CheckResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, reason: 'Target.Timeout' }), t.timeoutMs);
    socket.once('connect', () => done({ ok: true }));
    socket.once('error', () => done({ ok: false, reason: 'Target.FailedHealthChecks' }));
  });
}

function probeHttp(t: ProbeTarget): Promise<CheckResult> {
  return new Promise((resolve) => {
    const client = t.protocol === 'HTTPS' ? https : http;
    let settled = false;
    const done = (result: CheckResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      resolve(result);
    };
    const req = client.request({
      host: t.address, port: t.port, path: t.path ?? '/', method: 'GET', agent: false, ...(t.localAddress && { localAddress: t.localAddress }),
      headers: { 'user-agent': 'ELB-HealthChecker/2.0', connection: 'close' },
      // Targets present whatever certificate they have: ELB does not verify it.
      ...(t.protocol === 'HTTPS' ? { rejectUnauthorized: false } : {}),
    }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      done((t.matches ?? ((s: number) => s === 200))(status) ? { ok: true } : { ok: false, reason: 'Target.ResponseCodeMismatch', statusCode: status });
    });
    const timer = setTimeout(() => done({ ok: false, reason: 'Target.Timeout' }), t.timeoutMs);
    req.once('error', () => done({ ok: false, reason: 'Target.FailedHealthChecks' }));
    req.end();
  });
}
