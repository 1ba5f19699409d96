/**
 * The load balancers' data plane on one replica: every listener of every active load balancer
 * served on the load balancer's own address — HTTP listeners by an ALB listener proxy routing by
 * the listener's rules, TCP, TLS, UDP and TCP_UDP listeners by the NLB proxies — kept in step with the
 * records (a listener created, changed or deleted is started, restarted or stopped), and each
 * request or flow sent to a healthy target of the group its rule forwards to — the same target
 * again for a client with sticky-session cookies (or, on an NLB with `source_ip` stickiness, from
 * the same address) while that target is routable.
 *
 *   LbView (informers) ──change──▶ reconcile: listeners wanted vs running ──▶ start / stop proxies
 *   request ──▶ rules by priority ──▶ action ──forward──▶ weighted group (or AWSALBTG's) ──▶ routable target (or AWSALB's / AWSALBAPP's) ──▶ pick
 */
import { randomBytes } from 'node:crypto';
import type { ServingCertificate } from '../acm/index.ts';
import type { Clock } from '../common/index.ts';
import type { Action, ListenerRecord, LoadBalancerRecord, TargetGroupRecord } from '../lb/index.ts';
import { TargetPicker, pickWeighted, routable, type Algorithm, type RoutableTarget } from './alb/balance.ts';
import { compileConditions, type RequestPredicate, type RequestView } from './alb/conditions.ts';
import { ListenerProxy, type ExchangeRecord, type RouteDecision } from './alb/proxy.ts';
import { errorResponse, fixedResponse, redirectResponse } from './alb/responses.ts';
import {
  CookieSeal, appCookies, appEntries, bySourceIp, groupCookies, readCookies, setsCookie, stuckGroup, stuckTarget, targetCookies, type AppEntry,
} from './alb/stickiness.ts';
import type { LbView } from './lb-view.ts';
import { listenerTls, type ListenerTls } from './listener-tls.ts';
import type { FlowObserver } from './nlb-metrics.ts';
import { TcpListenerProxy, type FlowEndpoint, type TcpFlowRecord, type TcpRoute } from './nlb/tcp.ts';
import { TcpUdpListenerProxy } from './nlb/tcp-udp.ts';
import { tlsListenerProxy } from './nlb/tls.ts';
import { UdpListenerProxy, type UdpFlowRecord } from './nlb/udp.ts';
import type { SubnetAddresses } from './subnet-addresses.ts';
import type { GroupTargets } from './targets.ts';

/** What the data plane is given. */
export interface LoadBalancersOptions {
  view: LbView;
  clock: Clock;
  /** Each group's targets as the data plane reaches them (shared with the health checker). */
  targets: GroupTargets;
  rng?: () => number;
  log: (message: string) => void;
  /** A listener certificate with its key, for HTTPS listeners (ACM's); undefined when it does not exist. */
  certificate?(arn: string): Promise<ServingCertificate | undefined>;
  /** The load balancers' subnet addresses on this host (absent: loopback addresses only). */
  subnetAddresses?: SubnetAddresses;
  /** Every finished HTTP exchange, with its load balancer (metrics). */
  onExchange?(loadBalancer: LoadBalancerRecord, record: ExchangeRecord): void;
  /** Every NLB flow begun and ended (metrics). */
  flows?: FlowObserver;
  /** The 32-byte key sealing sticky-session cookies (a random one per process when absent). */
  stickinessKey?: Buffer;
}

interface Running {
  bind: string;
  close(): Promise<void>;
}

type AnyProxy = { listen(address: string, port: number): Promise<number>; close(): Promise<void> };

/** A listener's rules compiled: predicates and actions in evaluation order, the default last. */
interface Routes {
  generation: number;
  rules: { matches: RequestPredicate; actions: Action[] }[];
}

/** Random bytes drawn 4 KiB at a time: one trace id per request must not cost a call into the CSPRNG each. */
const entropy = { pool: Buffer.alloc(0), at: 0 };
function random12(): string {
  if (entropy.at + 12 > entropy.pool.length) {
    entropy.pool = randomBytes(4096);
    entropy.at = 0;
  }
  entropy.at += 12;
  return entropy.pool.toString('hex', entropy.at - 12, entropy.at);
}

/** A trace id as ALB writes it: `Root=1-<epoch seconds, 8 hex>-<24 hex>`. */
const traceId = (now: number) => `Root=1-${Math.floor(now / 1000).toString(16).padStart(8, '0')}-${random12()}`;

/** The data plane of every load balancer, on this replica. */
export class LoadBalancers {
  private readonly running = new Map<string, Running>();
  private readonly routes = new Map<string, Routes>();
  private readonly pickers = new Map<string, TargetPicker>();
  private readonly rng: () => number;
  private readonly seal: CookieSeal;
  private unsubscribe?: () => void;
  private pass: Promise<void> = Promise.resolve();
  private again = false;
  private busy = false;
  private closed = false;

  constructor(private readonly o: LoadBalancersOptions) {
    this.rng = o.rng ?? Math.random;
    this.seal = new CookieSeal(o.stickinessKey);
  }

  /** Follows the records and serves their listeners. */
  async start(): Promise<void> {
    await this.o.view.start();
    this.unsubscribe = this.o.view.onChange(() => this.reconcileSoon());
    this.reconcileSoon();
    await this.pass;
  }

  /** Stops every listener. */
  async close(): Promise<void> {
    this.closed = true;
    this.unsubscribe?.();
    await this.pass.catch(() => undefined);
    await Promise.all([...this.running.values()].map((r) => r.close()));
    this.running.clear();
    await this.o.subnetAddresses?.release();
  }

  /**
   * The address a load balancer sends to IP targets from: its address in a subnet, when this
   * host holds one (so that security groups naming the load balancer's admit it), else the host's.
   */
  sourceAddress(loadBalancerArn: string): string | undefined {
    const held = this.o.subnetAddresses;
    return held && this.o.view.loadBalancer(loadBalancerArn)?.zones.find((z) => held.holds(z.privateIpv4Address))?.privateIpv4Address;
  }

  /** Whether this replica serves the listener now (it listens on the listener's port). */
  serves(listenerArn: string): boolean {
    return this.running.has(listenerArn);
  }

  /** Resolves once the listeners reflect the records as they are now. */
  async settled(): Promise<void> {
    do await this.pass; while (this.busy || this.again);
  }

  private reconcileSoon(): void {
    if (this.closed) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.pass = this.reconcile()
      .catch((error: unknown) => this.o.log(`load balancers: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        this.busy = false;
        if (this.again) {
          this.again = false;
          this.reconcileSoon();
        }
      });
  }

  /**
   * Starts the listeners the records want and stops the others; a listener whose addresses, port
   * or protocol changed is restarted. A listener listens on its load balancer's loopback address
   * and on each of its subnet addresses this host holds.
   */
  private async reconcile(): Promise<void> {
    const active = this.o.view.loadBalancers.list().map((d) => d.value).filter((lb) => lb.state === 'active');
    await this.o.subnetAddresses?.sync(new Set(active.flatMap((lb) => lb.zones.map((z) => z.privateIpv4Address))));
    const wanted = new Map<string, { listener: ListenerRecord; lb: LoadBalancerRecord; addresses: string[]; bind: string }>();
    for (const { value: listener } of this.o.view.listeners.list()) {
      const lb = this.o.view.loadBalancer(listener.loadBalancerArn);
      if (!lb || lb.state !== 'active') continue;
      const addresses = [lb.address, ...lb.zones.map((z) => z.privateIpv4Address).filter((a) => this.o.subnetAddresses?.holds(a))];
      const certificates = listener.certificates.map((c) => c.certificateArn).join(',');
      const http2 = lb.attributes['routing.http2.enabled'] ?? '';
      const bind = `${addresses.join(',')}:${listener.port}/${listener.protocol}/${certificates}/${listener.sslPolicy ?? ''}/${listener.alpnPolicy ?? ''}/${http2}`;
      wanted.set(listener.arn, { listener, lb, addresses, bind });
    }
    for (const [arn, r] of this.running) {
      if (wanted.get(arn)?.bind === r.bind) continue;
      this.running.delete(arn);
      await r.close();
    }
    for (const [arn, w] of wanted) {
      if (this.running.has(arn) || this.closed) continue;
      const proxies: AnyProxy[] = [];
      for (const address of w.addresses) {
        const proxy = await this.proxyFor(w.listener, w.lb);
        if (!proxy) break;
        try {
          await proxy.listen(address, w.listener.port);
          proxies.push(proxy);
        } catch (error) {
          this.o.log(`load balancer ${w.lb.name}: cannot listen on ${address}:${w.listener.port} (${error instanceof Error ? error.message : String(error)})`);
        }
      }
      if (proxies.length > 0) this.running.set(arn, { bind: w.bind, close: async () => void (await Promise.all(proxies.map((p) => p.close()))) });
    }
  }

  private async proxyFor(listener: ListenerRecord, lb: LoadBalancerRecord): Promise<AnyProxy | undefined> {
    const arn = listener.arn;
    switch (listener.protocol) {
      case 'HTTP':
      case 'HTTPS': {
        const protocol = listener.protocol === 'HTTPS' ? 'https' : 'http';
        const secure = protocol === 'https' ? await this.tlsOptions(listener, lb) : undefined;
        if (protocol === 'https' && !secure) return undefined;
        return new ListenerProxy({
          protocol, port: listener.port, tls: secure,
          // HTTP/2 to clients of an HTTPS listener unless the load balancer's routing.http2.enabled says no (read when the listener starts).
          http2: lb.attributes['routing.http2.enabled'] !== 'false',
          route: (view) => this.routeHttp(arn, view, protocol),
          idleTimeoutMs: () => Number(this.o.view.loadBalancer(lb.arn)?.attributes['idle_timeout.timeout_seconds'] ?? 60) * 1000,
          traceId: () => traceId(this.o.clock.now()),
          onExchange: (record) => this.o.onExchange?.(lb, record),
        });
      }
      case 'TCP':
        return new TcpListenerProxy({ route: (source) => this.routeFlow(arn, source), ...this.tcpFlows(lb, 'TCP') });
      case 'UDP':
        return new UdpListenerProxy({ route: (source) => this.routeFlow(arn, source), ...this.udpFlows(lb) });
      case 'TCP_UDP':
        return new TcpUdpListenerProxy(
          { route: (source) => this.routeFlow(arn, source), ...this.tcpFlows(lb, 'TCP') }, { route: (source) => this.routeFlow(arn, source), ...this.udpFlows(lb) },
        );
      case 'TLS': {
        const secure = await this.tlsOptions(listener, lb);
        if (!secure) return undefined;
        return tlsListenerProxy({
          tls: secure, alpnPolicy: listener.alpnPolicy,
          route: (source) => this.routeFlow(arn, source),
          targetSpeaksTls: (route) => route.targetGroupArn !== undefined && this.o.view.group(route.targetGroupArn)?.protocol === 'TLS',
          ...this.tcpFlows(lb, 'TLS'),
          onClientTlsError: () => this.o.flows?.clientTlsError(lb),
        });
      }
      default:
        this.o.log(`load balancer ${lb.name}: ${listener.protocol} listeners are not served; port ${listener.port} stays closed`);
        return undefined;
    }
  }

  /** The hooks by which a TCP or TLS listener's flows are observed. */
  private tcpFlows(lb: LoadBalancerRecord, protocol: 'TCP' | 'TLS') {
    return {
      onFlowStart: () => this.o.flows?.flowStarted(lb, protocol),
      onConnection: (r: TcpFlowRecord) => this.o.flows?.flowEnded(lb, protocol, { bytes: r.bytesIn + r.bytesOut, started: r.end !== 'no-target', end: r.end }),
    };
  }

  /** The hooks by which a UDP listener's flows are observed. */
  private udpFlows(lb: LoadBalancerRecord) {
    return {
      onFlowStart: () => this.o.flows?.flowStarted(lb, 'UDP'),
      onFlow: (r: UdpFlowRecord) => this.o.flows?.flowEnded(lb, 'UDP', { bytes: r.bytesIn + r.bytesOut, started: true, end: r.end }),
    };
  }

  /** A secure listener's TLS (certificates by SNI, its policy's versions), shared by HTTPS and TLS listeners. */
  private tlsOptions(listener: ListenerRecord, lb: LoadBalancerRecord): Promise<ListenerTls | undefined> {
    return listenerTls(listener, this.o.certificate, (why) => this.o.log(`load balancer ${lb.name}: ${why}`));
  }

  /** The listener's rules, compiled once per change of the records. */
  private routesOf(listenerArn: string): Routes | undefined {
    const cached = this.routes.get(listenerArn);
    if (cached && cached.generation === this.o.view.generation) return cached;
    const listener = this.o.view.listener(listenerArn);
    if (!listener) return undefined;
    const rules = [
      ...this.o.view.rulesOf(listenerArn).map((r) => ({ matches: compileConditions(r.conditions), actions: sorted(r.actions) })),
      { matches: () => true, actions: sorted(listener.defaultActions) },
    ];
    const routes = { generation: this.o.view.generation, rules };
    this.routes.set(listenerArn, routes);
    return routes;
  }

  private routeHttp(listenerArn: string, view: RequestView, protocol: 'http' | 'https'): RouteDecision {
    const routes = this.routesOf(listenerArn);
    const rule = routes?.rules.find((r) => r.matches(view));
    const action = rule?.actions[0];
    if (!action) return { kind: 'respond', response: errorResponse(503) };
    if (action.type === 'fixed-response') return { kind: 'respond', response: fixedResponse(action), action: 'fixed-response' };
    if (action.type === 'redirect') {
      const listener = this.o.view.listener(listenerArn);
      return { kind: 'respond', action: 'redirect', response: redirectResponse(action, { protocol, host: view.host, port: listener?.port ?? 80, path: view.path, query: queryOf(view) }) };
    }
    let group: TargetGroupRecord | undefined;
    let jar: Map<string, string> | undefined;
    const groupSticky = action.stickiness.enabled && action.targetGroups.length > 1;
    if (groupSticky) {
      jar = readCookies(view.header('cookie'));
      const stuck = stuckGroup(this.seal, jar, action.targetGroups, this.o.clock.now());
      if (stuck && routable(this.o.targets.of(stuck)).length > 0) group = this.o.view.group(stuck);
    }
    group ??= this.chooseGroup(action.targetGroups);
    if (!group) return { kind: 'respond', response: errorResponse(503) };
    // IP targets (tasks' interfaces) are sent to from the load balancer's address in the VPC.
    const lbArn = group.targetType === 'ip' ? this.o.view.listener(listenerArn)?.loadBalancerArn : undefined;
    const localAddress = lbArn && this.sourceAddress(lbArn);
    const source = localAddress ? { localAddress } : {};
    const stickiness = group.attributes['stickiness.enabled'] === 'true' ? group.attributes['stickiness.type'] : undefined;
    if (!groupSticky && stickiness !== 'lb_cookie' && stickiness !== 'app_cookie') {
      const pick = this.pickIn(group);
      if (!pick) return { kind: 'respond', response: errorResponse(503) };
      return { kind: 'forward', address: pick.address, port: pick.port, targetGroupArn: pick.group, done: pick.done, ...source };
    }
    const sticky = this.stickyForward(group, stickiness, jar ?? readCookies(view.header('cookie')), groupSticky ? (action.stickiness.durationSeconds ?? 3600) * 1000 : undefined);
    return sticky.kind === 'forward' ? { ...sticky, ...source } : sticky;
  }

  /**
   * A forward to `group` that honours and renews its sticky cookies: the target a valid cookie
   * names while it is routable, else a new pick (and a new cookie); with group stickiness, the
   * group's cookie renewed for `groupMs`.
   */
  private stickyForward(group: TargetGroupRecord, stickiness: string | undefined, jar: Map<string, string>, groupMs: number | undefined): RouteDecision {
    const now = this.o.clock.now();
    const candidates = routable(this.o.targets.of(group.arn));
    const at = (key: string | undefined) => (key === undefined ? undefined : candidates.find((t) => t.key === key));
    let stuck: RoutableTarget | undefined;
    let appName = '';
    let entries: AppEntry[] = [];
    if (stickiness === 'lb_cookie') stuck = at(stuckTarget(this.seal, jar, group.arn, now));
    if (stickiness === 'app_cookie') {
      appName = group.attributes['stickiness.app_cookie.cookie_name'] ?? '';
      entries = appEntries(this.seal, jar, now);
      // Both cookies come back while the session lasts: the application's and the load balancer's.
      if (jar.has(appName)) stuck = at(entries.find((e) => e.group === group.arn)?.target);
    }
    const pick = this.pickIn(group, stuck);
    if (!pick) return { kind: 'respond', response: errorResponse(503) };
    const cookies: string[] = groupMs === undefined ? [] : groupCookies(this.seal, group.arn, now, groupMs);
    if (stickiness === 'lb_cookie') {
      const durationMs = Number(group.attributes['stickiness.lb_cookie.duration_seconds'] ?? 86400) * 1000;
      cookies.push(...targetCookies(this.seal, group.arn, pick.key, now, durationMs));
    }
    const appMs = Number(group.attributes['stickiness.app_cookie.duration_seconds'] ?? 86400) * 1000;
    // A client whose application session outlived its target is stuck anew to the one it moved to.
    const restick = stickiness === 'app_cookie' && !stuck && jar.has(appName);
    return {
      kind: 'forward', address: pick.address, port: pick.port, targetGroupArn: pick.group, done: pick.done,
      cookies: (targetSetCookie) => {
        if (stickiness !== 'app_cookie' || !(restick || setsCookie(targetSetCookie, appName, now))) return cookies;
        return [...cookies, ...appCookies(this.seal, { group: group.arn, target: pick.key, until: now + appMs }, entries, now)];
      },
    };
  }

  /** An NLB flow's target: the listener's default forward; with `source_ip` stickiness, the client's own target. */
  private routeFlow(listenerArn: string, source: FlowEndpoint): TcpRoute | undefined {
    const listener = this.o.view.listener(listenerArn);
    const action = listener && sorted(listener.defaultActions)[0];
    if (!action || action.type !== 'forward') return undefined;
    const group = this.chooseGroup(action.targetGroups);
    if (!group) return undefined;
    const sticky = group.attributes['stickiness.enabled'] === 'true' ? bySourceIp(routable(this.o.targets.of(group.arn)), source.address) : undefined;
    const pick = this.pickIn(group, sticky);
    if (!pick) return undefined;
    return { address: pick.address, port: pick.port, targetGroupArn: pick.group, proxyProtocolV2: group.attributes['proxy_protocol_v2.enabled'] === 'true', done: pick.done };
  }

  /** One of the weighted groups. */
  private chooseGroup(groups: { targetGroupArn: string; weight: number }[]): TargetGroupRecord | undefined {
    const chosen = groups.length === 1 ? groups[0] : pickWeighted(groups, this.rng);
    return chosen && this.o.view.group(chosen.targetGroupArn);
  }

  /** A target of `group`: `stuck` when given (a routable target a client sticks to), else by the group's algorithm and slow start. */
  private pickIn(group: TargetGroupRecord, stuck?: RoutableTarget) {
    let picker = this.pickers.get(group.arn);
    if (!picker) this.pickers.set(group.arn, (picker = new TargetPicker(this.rng)));
    let target = stuck;
    if (!target) {
      const algorithm = (group.attributes['load_balancing.algorithm.type'] ?? 'round_robin') as Algorithm;
      const slowStartMs = Number(group.attributes['slow_start.duration_seconds'] ?? 0) * 1000;
      target = picker.pick(routable(this.o.targets.of(group.arn)), algorithm, this.o.clock.now(), slowStartMs);
    }
    if (!target) return undefined;
    return { group: group.arn, key: target.key, address: target.address, port: target.port, done: picker.begin(target) };
  }
}

const sorted = (actions: Action[]) => [...actions].sort((a, b) => a.order - b.order);

function queryOf(view: RequestView): string {
  return view.query.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}
