import { Informer, type KeyValue, type Store } from '../state/index.ts';
import { keys, type ContainerInstanceRecord } from '../ecs/index.ts';

/** The part of an instance record `ready` depends on. */
type Readiness = Pick<ContainerInstanceRecord, 'agentId' | 'status' | 'agentConnected'>;

function decodeReadiness(kv: KeyValue): Readiness | undefined {
  const { agentId, status, agentConnected } = JSON.parse(kv.value) as Partial<ContainerInstanceRecord>;
  return typeof agentId === 'string' && typeof status === 'string' ? { agentId, status, agentConnected: agentConnected === true } : undefined;
}

/**
 * Resolves once the agent has an ACTIVE, connected container instance (what `ready` promises).
 * An informer lists the instances at a revision and follows from the next, so an instance
 * registered before, during or after the listing is seen, on any backend; it holds only the
 * three fields this needs, and is closed as soon as the instance is found.
 */
export async function waitForInstance(store: Store, agentId: string): Promise<void> {
  const instances = new Informer<Readiness>({ store, prefix: keys.allInstances, decode: decodeReadiness });
  try {
    await new Promise<void>((resolve) => {
      // A subscriber hears of every instance already held (as an add) and of every change after.
      instances.subscribe((change) => {
        if (change.type === 'delete') return;
        const i = change.value;
        if (i.agentId === agentId && i.status === 'ACTIVE' && i.agentConnected) resolve();
      });
      void instances.start();
    });
  } finally {
    instances.close();
  }
}
