/**
 * The load balancers' data plane wired to this control plane: the records' view, the proxies
 * (on every replica), the health checker (started by the leader), which IP targets may be sent
 * to (tasks' interfaces), and where an instance target is reached — the address its host serves the registered port on: the binding of the task that
 * holds that host port, or the host's `wharf.vpc-address`, or loopback (one machine).
 */
import { certificateForServing } from '../acm/index.ts';
import { VPC_ADDRESS_ATTRIBUTE, type Clock, type Sealer } from '../common/index.ts';
import { HealthChecker, LbView, LoadBalancers, type InstanceAddresses, type IpTargets } from '../dataplane/index.ts';
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

/** The data plane of one control plane. */
export interface LbDataPlane {
  loadBalancers: LoadBalancers;
  /** Starts the health checker on the leader's store; returns its stop. */
  startHealthChecks(leaderStore: Store): () => void;
  close(): Promise<void>;
}

/** Starts serving every load balancer's listeners. */
export async function startLbDataPlane(
  store: Store, informers: EcsInformers, network: NetworkInformers, clock: Clock, sealer: Sealer, log: (message: string) => void,
): Promise<LbDataPlane> {
  const view = new LbView(store, (error) => log(`load balancer records: ${String(error)}`));
  const instances = instanceAddresses(informers);
  await network.start();
  const ips = taskInterfaceAddresses(network);
  const certificate = (arn: string) => certificateForServing({ store, sealer, clock }, arn);
  const loadBalancers = new LoadBalancers({ view, clock, instances, ips, log, certificate });
  await loadBalancers.start();
  return {
    loadBalancers,
    startHealthChecks(leaderStore) {
      const checker = new HealthChecker({ store: leaderStore, view, clock, instances, ips, log });
      checker.start();
      return () => checker.close();
    },
    async close() {
      await loadBalancers.close();
      view.close();
    },
  };
}
