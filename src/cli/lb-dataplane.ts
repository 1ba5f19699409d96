/**
 * The load balancers' data plane wired to this control plane: the records' view, the proxies
 * (on every replica), the health checker (started by the leader), the `AWS/ApplicationELB` and
 * `AWS/NetworkELB` metrics of the traffic (each replica's requests, connections and flows; the
 * leader's host counts), which IP targets may be sent
 * to (tasks' interfaces), and where an instance target is reached — the address its host serves the registered port on: the binding of the task that
 * holds that host port, or the host's `wharf.vpc-address`, or loopback (one machine).
 */
import dc from 'node:diagnostics_channel';
import type net from 'node:net';
import { certificateForServing } from '../acm/index.ts';
import { VPC_ADDRESS_ATTRIBUTE, type Clock, type Sealer } from '../common/index.ts';
import {
  GroupTargets, HealthChecker, LbMetrics, LbView, LoadBalancers, NlbMetrics, SubnetAddresses, hostAddressPort,
  type InstanceAddresses, type IpTargets, type LbDatum,
} from '../dataplane/index.ts';
import { publishMetricData } from '../metrics/index.ts';
import type { NetworkInformers } from '../network/index.ts';
import { TASK_INDEX, type EcsInformers } from '../ecs/index.ts';
import type { Store } from '../state/index.ts';

/** An instance target's address, from the ECS informers. */
export function instanceAddresses(informers: EcsInformers): InstanceAddresses {
  return (scope, instanceId, port) => {
    const prefix = `${scope.account}/${scope.region}/`;
    const instance = informers.instances.list().find((d) => d.value.ec2InstanceId === instanceId && d.key.includes(prefix))?.value;
    if (!instance) return undefined;
    for (const { value: task } of informers.tasks.byIndex(TASK_INDEX.containerInstance, instance.id)) {
      for (const c of task.containers) {
        const binding = c.networkBindings?.find((b) => b.hostPort === port);
        if (binding?.bindIP && binding.bindIP !== '0.0.0.0' && binding.bindIP !== '::') return binding.bindIP;
      }
    }
    return instance.attributes.find((a) => a.name === VPC_ADDRESS_ATTRIBUTE)?.value ?? '127.0.0.1';
  };
}

/** IP targets the data plane sends to: the addresses of tasks' interfaces (awsvpc), in the target's account and region. */
export function taskInterfaceAddresses(network: NetworkInformers): IpTargets {
  return (scope, ip) => network.interfaces.list().some((d) =>
    d.value.attachment !== undefined && d.value.privateIpAddress === ip && d.key.includes(`/${scope.account}/${scope.region}/`));
}

/** Each target group in use by load balancers of `type`, with those load balancers and its healthy and unhealthy targets. */
function hostCounts(view: LbView, targets: GroupTargets, type: 'application' | 'network') {
  return view.targetGroups.list().map((d) => d.value)
    .map((g) => ({ g, lbs: [...new Set(g.usedBy.map((u) => u.loadBalancerArn))].filter((arn) => view.loadBalancer(arn)?.type === type) }))
    .filter(({ lbs }) => lbs.length > 0)
    .map(({ g, lbs }) => {
      const ts = targets.of(g.arn);
      return { groupArn: g.arn, loadBalancerArns: lbs, healthy: ts.filter((t) => t.state === 'healthy').length, unhealthy: ts.filter((t) => t.state === 'unhealthy').length };
    });
}

/**
 * Counts the client connections of the application load balancers this replica serves, seen as
 * node accepts them (whatever the listener's proxy makes of them: HTTP/1.1, TLS, upgrades): a
 * socket accepted on a load balancer's address and the port of one of its listeners that this
 * replica serves. Returns the function that stops it.
 */
function countAlbConnections(view: LbView, loadBalancers: LoadBalancers, metrics: LbMetrics): () => void {
  const channel = dc.channel('net.server.socket');
  const onSocket = (message: unknown) => {
    const socket = (message as { socket: net.Socket }).socket;
    const address = socket.localAddress?.replace(/^::ffff:/, '');
    if (!address || socket.localPort === undefined) return;
    const lb = view.loadBalancerAt(address);
    if (lb?.type !== 'application') return;
    const listener = view.listenerOn(lb.arn, socket.localPort);
    if (!listener || !loadBalancers.serves(listener.arn)) return;
    const counted = metrics.connectionOpened(lb, socket);
    socket.once('close', () => counted.closed());
  };
  channel.subscribe(onSocket);
  return () => channel.unsubscribe(onSocket);
}

/** The data plane of one control plane. */
export interface LbDataPlane {
  loadBalancers: LoadBalancers;
  /** The load balancing records this data plane serves (the DNS server answers their names from it). */
  view: LbView;
  /** Starts the health checker on the leader's store; returns its stop. */
  startHealthChecks(leaderStore: Store): () => void;
  close(): Promise<void>;
}

/** How the data plane runs. */
export interface LbDataPlaneOptions {
  /** How often metrics are published (default 10 s). */
  metricsIntervalMs?: number;
  /** Whether load balancers' subnet addresses are given to this host (default true; needs root). */
  subnetAddresses?: boolean;
}

/** Starts serving every load balancer's listeners. */
export async function startLbDataPlane(
  store: Store, informers: EcsInformers, network: NetworkInformers, clock: Clock, sealer: Sealer, log: (message: string) => void,
  { metricsIntervalMs = 10_000, subnetAddresses = true }: LbDataPlaneOptions = {},
): Promise<LbDataPlane> {
  const view = new LbView(store, (error) => log(`load balancer records: ${String(error)}`));
  const instances = instanceAddresses(informers);
  await network.start();
  const ips = taskInterfaceAddresses(network);
  const certificate = (arn: string) => certificateForServing({ store, sealer, clock }, arn);
  // One view of each group's targets for the proxies, the health checker and the host counts.
  const targets = new GroupTargets(view, { instances, ips }, () => clock.now());
  const metrics = new LbMetrics();
  const flows = new NlbMetrics();
  const loadBalancers = new LoadBalancers({
    view, clock, targets, log, certificate, onExchange: (lb, e) => metrics.record(lb, e), flows,
    ...(subnetAddresses && { subnetAddresses: new SubnetAddresses(hostAddressPort, log) }),
  });
  const stopCounting = countAlbConnections(view, loadBalancers, metrics);
  await loadBalancers.start();
  // Host counts are the leader's to publish (one count per group, not one per replica).
  let leading = false;
  const send = (namespace: string, data: LbDatum[]) => {
    const byScope = new Map<string, LbDatum[]>();
    for (const d of data) byScope.set(`${d.scope.account}/${d.scope.region}`, [...(byScope.get(`${d.scope.account}/${d.scope.region}`) ?? []), d]);
    for (const items of byScope.values()) {
      publishMetricData({ store, clock }, items[0]!.scope, namespace, items.map(({ scope: _scope, ...d }) => d))
        .catch((error: unknown) => log(`load balancer metrics: ${String(error)}`));
    }
  };
  const publish = setInterval(() => {
    send('AWS/ApplicationELB', metrics.take(clock.now(), leading ? hostCounts(view, targets, 'application') : []));
    send('AWS/NetworkELB', flows.take(clock.now(), leading ? hostCounts(view, targets, 'network') : []));
  }, metricsIntervalMs);
  publish.unref();
  return {
    loadBalancers,
    view,
    startHealthChecks(leaderStore) {
      const checker = new HealthChecker({ store: leaderStore, view, clock, targets, log, sourceAddress: (arn) => loadBalancers.sourceAddress(arn) });
      checker.start();
      leading = true;
      return () => {
        leading = false;
        checker.close();
      };
    },
    async close() {
      clearInterval(publish);
      stopCounting();
      await loadBalancers.close();
      view.close();
    },
  };
}
