/**
 * Task definition references: what a `taskDefinition` member names (a family, `family:revision`
 * or an ARN), and the revision it resolves to. RunTask, StartTask, CreateService, the service
 * controller and the task definition actions all read references this one way.
 */
import type { Tx } from '../state/index.ts';
import { EcsErrors } from './errors.ts';
import { keys, parseArn, type Scope, type TaskDefinitionRecord } from './records.ts';

/** Container, volume and family names: 1–255 letters, numbers, hyphens and underscores. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]{1,255}$/;

/** A task definition family name: 1–255 letters, numbers, hyphens and underscores. */
export const FAMILY_PATTERN = NAME_PATTERN;

/** A `taskDefinition` member taken apart: a family, and a revision when one was named. */
export interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

/**
 * Parses `family`, `family:revision` or a task definition ARN. Undefined when it can't name a
 * task definition in this scope (another account or region, or not a family name); throws
 * ClientException for a malformed ARN or revision.
 */
export function parseTaskDefinitionRef(scope: Scope, ref: string): TaskDefinitionRef | undefined {
  let body = ref;
  if (ref.startsWith('arn:')) {
    const arn = parseArn(ref);
    if (!arn || arn.resourceType !== 'task-definition' || arn.resource.length !== 1) throw EcsErrors.client(`Invalid arn syntax for 'taskDefinition': ${ref}`);
    if (arn.account !== scope.account || arn.region !== scope.region) return undefined;
    body = arn.resource[0];
  }
  const parts = body.split(':');
  if (parts.length > 2 || !FAMILY_PATTERN.test(parts[0])) return undefined;
  if (parts.length === 1) return { family: parts[0] };
  const revision = /^\d{1,10}$/.test(parts[1]) ? Number(parts[1]) : 0;
  if (revision < 1) throw EcsErrors.client(`Invalid revision number. Number: ${parts[1]}`);
  return { family: parts[0], revision };
}

/** The revision a reference names (any status), or for a bare family its latest ACTIVE revision. */
export async function findTaskDefinition(tx: Tx, scope: Scope, ref: string): Promise<TaskDefinitionRecord | undefined> {
  const parsed = parseTaskDefinitionRef(scope, ref);
  if (!parsed) return undefined;
  if (parsed.revision !== undefined) return tx.get<TaskDefinitionRecord>(keys.taskDefinition(scope, parsed.family, parsed.revision));
  const revisions = await tx.list<TaskDefinitionRecord>(keys.familyRevisions(scope, parsed.family));
  return revisions.filter((td) => td.status === 'ACTIVE').reduce<TaskDefinitionRecord | undefined>((a, b) => (a && a.revision > b.revision ? a : b), undefined);
}

/**
 * The task definition a RunTask/StartTask/CreateService `taskDefinition` names: a family
 * (its latest ACTIVE revision), `family:revision` or an ARN. A named revision is returned
 * whatever its status, for the caller to judge. ClientException when there is none.
 */
export async function resolveTaskDefinition(tx: Tx, scope: Scope, ref: string): Promise<TaskDefinitionRecord> {
  const td = await findTaskDefinition(tx, scope, ref);
  if (!td) throw EcsErrors.client('TaskDefinition not found.');
  return td;
}
