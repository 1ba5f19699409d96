/**
 * How ELBv2 knows an instance target: an instance id is one of the account's when a container
 * instance of any of its clusters in the region has it as its EC2 instance id (what Wharf gives
 * each host that registers).
 */
import { keys as ecsKeys, type ContainerInstanceRecord } from '../ecs/index.ts';
import type { InstanceDirectory } from '../lb/index.ts';
import { listDocs, type Store } from '../state/index.ts';

/** The instance directory over the ECS records in `store`. */
export function containerInstanceDirectory(store: Store): InstanceDirectory {
  return async (scope, ids) => {
    // Every cluster's instances of the scope: the per-cluster prefix without its cluster.
    const prefix = ecsKeys.instances(scope, '').slice(0, -1);
    const known = new Set<string>();
    for (const doc of await listDocs<ContainerInstanceRecord>(store, prefix)) {
      if (ids.includes(doc.value.ec2InstanceId) && doc.value.status !== 'INACTIVE') known.add(doc.value.ec2InstanceId);
    }
    return known;
  };
}
