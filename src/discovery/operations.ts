/**
 * Cloud Map's operations: every namespace creation, update and deletion, service update, and
 * instance registration and deregistration returns an operation id that GetOperation and
 * ListOperations report. Wharf applies the change in the same transaction that records the
 * operation, so operations are SUCCESS from the start, with the dates and targets AWS shows.
 */
import type { Clock } from '../common/index.ts';
import { listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { DiscoveryErrors } from './errors.ts';
import { filterPredicate, type DiscoveryFilter } from './filters.ts';
import { keys, operationId, type IdSource, type OperationRecord, type OperationType, type Scope } from './records.ts';

/** What the discovery domain runs on: the store, the clock and a random id source. */
export interface DiscoveryEnv {
  store: Store;
  clock: Clock;
  ids: IdSource;
}

/** Records a completed operation in `tx` and returns its id. */
export function stageOperation(tx: Tx, env: DiscoveryEnv, scope: Scope, type: OperationType, targets: OperationRecord['targets']): string {
  const now = env.clock.now();
  const id = operationId(env.ids);
  tx.put<OperationRecord>(keys.operation(scope, id), { id, type, status: 'SUCCESS', targets, createdAt: now, updatedAt: now });
  return id;
}

/** GetOperation. */
export async function getOperation(env: DiscoveryEnv, scope: Scope, id: string): Promise<OperationRecord> {
  const op = await transact(env.store, (tx) => tx.get<OperationRecord>(keys.operation(scope, id)));
  if (!op) throw DiscoveryErrors.operationNotFound(id);
  return op;
}

/** ListOperations' filters. */
const OPERATION_FILTERS = {
  NAMESPACE_ID: { conditions: ['EQ'] as const, valuesOf: (o: OperationRecord) => (o.targets.NAMESPACE ? [o.targets.NAMESPACE] : []) },
  SERVICE_ID: { conditions: ['EQ'] as const, valuesOf: (o: OperationRecord) => (o.targets.SERVICE ? [o.targets.SERVICE] : []) },
  STATUS: { conditions: ['EQ', 'IN'] as const, valuesOf: (o: OperationRecord) => [o.status] },
  TYPE: { conditions: ['EQ', 'IN'] as const, valuesOf: (o: OperationRecord) => [o.type] },
  UPDATE_DATE: { conditions: ['BETWEEN'] as const, valuesOf: (o: OperationRecord) => [o.updatedAt] },
};

/** ListOperations: the scope's operations matching `filters`, newest first. */
export async function listOperations(env: DiscoveryEnv, scope: Scope, filters?: readonly DiscoveryFilter[]): Promise<OperationRecord[]> {
  const matches = filterPredicate(filters, OPERATION_FILTERS, 'Filters');
  const all = (await listDocs<OperationRecord>(env.store, keys.operations(scope))).map((d) => d.value).filter(matches);
  return all.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
}
