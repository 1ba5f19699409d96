import { listDocs, type Store } from '../state/index.ts';
import { keys, type ContainerInstanceRecord } from '../ecs/index.ts';

/** Resolves once the agent has an ACTIVE, connected container instance (what `ready` promises). */
export function waitForInstance(store: Store, agentId: string): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    const check = async () => {
      const docs = await listDocs<ContainerInstanceRecord>(store, keys.allInstances);
      if (!done && docs.some((d) => d.value.agentId === agentId && d.value.status === 'ACTIVE' && d.value.agentConnected)) {
        done = true;
        unwatch();
        resolve();
      }
    };
    const unwatch = store.watch(keys.allInstances, () => void check());
    void check();
  });
}
