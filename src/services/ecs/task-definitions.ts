/**
 * The ECS task definition operations: RegisterTaskDefinition, DescribeTaskDefinition,
 * ListTaskDefinitions, ListTaskDefinitionFamilies, DeregisterTaskDefinition and
 * DeleteTaskDefinitions. Revisions are numbered per family from the FamilyRecord's
 * lastRevision, which outlives every revision, so a number is never handed out twice.
 */
import type {
  DeleteTaskDefinitionsResponse, DeregisterTaskDefinitionResponse, DescribeTaskDefinitionResponse, Failure, ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsResponse, RegisterTaskDefinitionResponse, SortOrder, TaskDefinition,
} from '@aws-sdk/client-ecs';
import { paginate, type RequestContext } from '../../aws/index.ts';
import {
  EcsErrors, FAMILY_PATTERN, arns, findTaskDefinition, keys, parseTaskDefinitionRef,
  type EcsDeps, type FamilyRecord, type Scope, type TaskDefinitionRecord, type TaskDefinitionRef,
} from '../../ecs/index.ts';
import { listDocs, transact } from '../../state/index.ts';
import { nextTaskDefinitionArn, passRole, tagConditions, taskDefinitionArnOf } from './authorization.ts';
import { checkInt, checkItems, need, present, scopeOf, type EcsOperationTable } from './common.ts';
import { validateTaskDefinition } from './task-definition-validate.ts';

/** Turns a stored revision into the API's TaskDefinition (epoch ms → Date; tags are returned separately). */
export function toApiTaskDefinition(record: TaskDefinitionRecord): TaskDefinition {
  const { tags: _tags, registeredAt, deregisteredAt, deleteRequestedAt, ...rest } = record;
  const out: TaskDefinition = { ...rest, registeredAt: new Date(registeredAt) };
  if (deregisteredAt !== undefined) out.deregisteredAt = new Date(deregisteredAt);
  if (deleteRequestedAt !== undefined) out.deleteRequestedAt = new Date(deleteRequestedAt);
  return out;
}

/** A reference that must name one revision (Deregister, Delete). */
function revisionRef(scope: Scope, ref: string): Required<TaskDefinitionRef> | undefined {
  const parsed = parseTaskDefinitionRef(scope, ref);
  if (parsed && parsed.revision === undefined) {
    throw EcsErrors.client(`A revision must be specified in taskDefinition (family:revision or the full ARN): ${ref}`);
  }
  return parsed as Required<TaskDefinitionRef> | undefined;
}

const NOT_FOUND = 'The specified task definition does not exist.';
const pad = (n: number) => String(n).padStart(10, '0');
const invert = (s: string) => [...s].map((ch) => String.fromCharCode(0xffff - ch.charCodeAt(0))).join('');

/** A key that increases along the listing order, for paging: (family, revision) ASC or DESC. */
function orderKey(td: TaskDefinitionRecord, sort: SortOrder): string {
  return sort === 'ASC' ? `${td.family}\u0000${pad(td.revision)}` : `${invert(td.family)}\uffff${pad(9_999_999_999 - td.revision)}`;
}

/** The task definition operations, each authorized on the revision it names. */
export function taskDefinitionOperations(deps: EcsDeps): EcsOperationTable {
  const allInScope = async (scope: Scope) => (await listDocs<TaskDefinitionRecord>(deps.store, keys.taskDefinitions(scope))).map((d) => d.value);
  const revisionNamed = async (i: { taskDefinition?: string }, ctx: RequestContext) => [await taskDefinitionArnOf(deps.store, ctx, i.taskDefinition)];

  return {
    RegisterTaskDefinition: {
      authorization: {
        resources: async (i, ctx) => [await nextTaskDefinitionArn(deps.store, ctx, i.family)],
        conditions: (i) => tagConditions(i.tags),
      },
      async handler(input, ctx): Promise<RegisterTaskDefinitionResponse> {
        const { definition, tags } = validateTaskDefinition(input);
        // ECS checks that the caller may hand the task its roles.
        await passRole(ctx, definition.taskRoleArn);
        await passRole(ctx, definition.executionRoleArn);
        const scope = scopeOf(ctx);
        const registeredAt = deps.clock.now();
        const record = await transact(deps.store, async (tx) => {
          const family = await tx.get<FamilyRecord>(keys.family(scope, definition.family));
          const revision = (family?.lastRevision ?? 0) + 1;
          const td: TaskDefinitionRecord = {
            taskDefinitionArn: arns.taskDefinition(scope, definition.family, revision),
            ...definition,
            revision,
            status: 'ACTIVE',
            registeredAt,
            registeredBy: ctx.principal.arn,
            tags,
          };
          tx.put<FamilyRecord>(keys.family(scope, definition.family), { family: definition.family, lastRevision: revision });
          tx.put(keys.taskDefinition(scope, definition.family, revision), td);
          return td;
        });
        const out: RegisterTaskDefinitionResponse = { taskDefinition: toApiTaskDefinition(record) };
        if (tags.length) out.tags = tags;
        return out;
      },
    },

    DescribeTaskDefinition: {
      authorization: { resources: revisionNamed },
      async handler(input, ctx): Promise<DescribeTaskDefinitionResponse> {
        const ref = present(input.taskDefinition, 'taskDefinition');
        const td = await transact(deps.store, (tx) => findTaskDefinition(tx, scopeOf(ctx), ref));
        if (!td) throw EcsErrors.client('Unable to describe task definition.');
        const out: DescribeTaskDefinitionResponse = { taskDefinition: toApiTaskDefinition(td) };
        if (input.include?.includes('TAGS')) out.tags = td.tags;
        return out;
      },
    },

    ListTaskDefinitions: {
      async handler(input, ctx): Promise<ListTaskDefinitionsResponse> {
        const family = input.familyPrefix || undefined;
        const status = input.status ?? 'ACTIVE';
        const sort = input.sort ?? 'ASC';
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 100 });
        const scope = scopeOf(ctx);
        // familyPrefix is documented as "the full family name": it selects one family.
        let all: TaskDefinitionRecord[] = [];
        if (family === undefined) all = await allInScope(scope);
        else if (FAMILY_PATTERN.test(family)) all = (await listDocs<TaskDefinitionRecord>(deps.store, keys.familyRevisions(scope, family))).map((d) => d.value);
        const items = all
          .filter((td) => td.status === status)
          .map((td) => ({ arn: td.taskDefinitionArn, key: orderKey(td, sort) }))
          .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
        const page = paginate(items, (i) => i.key, input.nextToken, maxResults, EcsErrors.invalidParameter);
        const out: ListTaskDefinitionsResponse = { taskDefinitionArns: page.items.map((i) => i.arn) };
        if (page.nextToken) out.nextToken = page.nextToken;
        return out;
      },
    },

    ListTaskDefinitionFamilies: {
      async handler(input, ctx): Promise<ListTaskDefinitionFamiliesResponse> {
        const prefix = input.familyPrefix ?? '';
        const status = input.status ?? 'ALL';
        const maxResults = checkInt(input.maxResults, 'maxResults', { min: 1, max: 100 });
        const active = new Map<string, boolean>();
        for (const td of await allInScope(scopeOf(ctx))) {
          if (td.family.startsWith(prefix)) active.set(td.family, (active.get(td.family) ?? false) || td.status === 'ACTIVE');
        }
        const families = [...active]
          .filter(([, isActive]) => status === 'ALL' || (status === 'ACTIVE') === isActive)
          .map(([family]) => family)
          .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        const page = paginate(families, (name) => name, input.nextToken, maxResults, EcsErrors.invalidParameter);
        const out: ListTaskDefinitionFamiliesResponse = { families: page.items };
        if (page.nextToken) out.nextToken = page.nextToken;
        return out;
      },
    },

    DeregisterTaskDefinition: {
      authorization: { resources: revisionNamed },
      async handler(input, ctx): Promise<DeregisterTaskDefinitionResponse> {
        const ref = present(input.taskDefinition, 'taskDefinition');
        const scope = scopeOf(ctx);
        const named = revisionRef(scope, ref);
        if (!named) throw EcsErrors.client(NOT_FOUND);
        const now = deps.clock.now();
        const td = await transact(deps.store, async (tx) => {
          const key = keys.taskDefinition(scope, named.family, named.revision);
          const current = await tx.get<TaskDefinitionRecord>(key);
          if (!current) throw EcsErrors.client(NOT_FOUND);
          if (current.status !== 'ACTIVE') return current;
          const inactive: TaskDefinitionRecord = { ...current, status: 'INACTIVE', deregisteredAt: now };
          tx.put(key, inactive);
          return inactive;
        });
        return { taskDefinition: toApiTaskDefinition(td) };
      },
    },

    DeleteTaskDefinitions: {
      authorization: { resources: (i, ctx) => Promise.all((i.taskDefinitions ?? []).map((ref) => taskDefinitionArnOf(deps.store, ctx, ref))) },
      async handler(input, ctx): Promise<DeleteTaskDefinitionsResponse> {
        const refs = checkItems(need(input.taskDefinitions, 'taskDefinitions'), 'taskDefinitions', { nonEmpty: true, max: 10 })!;
        const scope = scopeOf(ctx);
        const now = deps.clock.now();
        const { deleted, failures } = await transact(deps.store, async (tx) => {
          const deleted: TaskDefinitionRecord[] = [];
          const failures: Failure[] = [];
          for (const ref of refs) {
            let named: Required<TaskDefinitionRef> | undefined;
            try {
              named = revisionRef(scope, ref);
            } catch (err) {
              failures.push({ arn: ref, reason: (err as Error).message });
              continue;
            }
            if (!named) {
              failures.push({ arn: ref, reason: NOT_FOUND });
              continue;
            }
            const key = keys.taskDefinition(scope, named.family, named.revision);
            const current = await tx.get<TaskDefinitionRecord>(key);
            if (!current) {
              failures.push({ arn: arns.taskDefinition(scope, named.family, named.revision), reason: NOT_FOUND });
            } else if (current.status === 'ACTIVE') {
              failures.push({ arn: current.taskDefinitionArn, reason: 'The specified task definition is ACTIVE. Deregister it before deleting it.' });
            } else {
              // ECS keeps it visible as DELETE_IN_PROGRESS until nothing uses it; Wharf removes it at once.
              deleted.push({ ...current, status: 'DELETE_IN_PROGRESS', deleteRequestedAt: current.deleteRequestedAt ?? now });
              tx.delete(key);
            }
          }
          return { deleted, failures };
        });
        return { taskDefinitions: deleted.map(toApiTaskDefinition), failures };
      },
    },
  };
}
