import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type {
  DeleteTaskDefinitionsResponse, DeregisterTaskDefinitionResponse, DescribeTaskDefinitionResponse, ListTaskDefinitionFamiliesResponse,
  ListTaskDefinitionsResponse, RegisterTaskDefinitionResponse,
} from '@aws-sdk/client-ecs';
import type { ManualClock } from '../../common/index.ts';
import { getDoc, listDocs, transact, type Store } from '../../state/index.ts';
import { arns, keys, resolveTaskDefinition, type FamilyRecord, type TaskDefinitionRecord } from '../../ecs/index.ts';
import { taskDefinitionOperations } from './task-definitions.ts';
import { ctx, ecsTestbed, expectAwsError, mustNotBeNull, notInEnum, scope, type Actions } from './testing.ts';

const arn = (family: string, revision: number) => arns.taskDefinition(scope, family, revision);

let store: Store;
let clock: ManualClock;
let api: Actions;

beforeEach(() => {
  const bed = ecsTestbed();
  ({ store, clock } = bed);
  api = bed.api(taskDefinitionOperations);
});
afterEach(() => store.close());

type Json = Record<string, unknown>;
const call = async <T>(action: string, input: Json) => (await api[action](input, ctx)) as T;
const body = (family: string, over: Json = {}): Json => ({ family, containerDefinitions: [{ name: 'app', image: 'nginx', memory: 128 }], ...over });
const register = (family: string, over: Json = {}) => call<RegisterTaskDefinitionResponse>('RegisterTaskDefinition', body(family, over));
const describeTd = (taskDefinition: string, include?: string[]) => call<DescribeTaskDefinitionResponse>('DescribeTaskDefinition', { taskDefinition, include });
const deregister = (taskDefinition: string) => call<DeregisterTaskDefinitionResponse>('DeregisterTaskDefinition', { taskDefinition });
const deleteTds = (taskDefinitions: string[]) => call<DeleteTaskDefinitionsResponse>('DeleteTaskDefinitions', { taskDefinitions });
const list = (input: Json = {}) => call<ListTaskDefinitionsResponse>('ListTaskDefinitions', input);
const families = (input: Json = {}) => call<ListTaskDefinitionFamiliesResponse>('ListTaskDefinitionFamilies', input);

/** Asserts `promise` rejects with an AwsError of `code` whose message matches `message`. */
const rejects = expectAwsError;

const lastRevision = async (family: string) => (await getDoc<FamilyRecord>(store, keys.family(scope, family)))?.value.lastRevision;

/** Pages through ListTaskDefinitions with `maxResults`, returning every ARN and the number of calls. */
async function listAll(input: Json, maxResults: number): Promise<{ arns: string[]; calls: number }> {
  const all: string[] = [];
  let nextToken: string | undefined;
  let calls = 0;
  do {
    const page = await list({ ...input, maxResults, nextToken });
    calls++;
    assert.ok(page.taskDefinitionArns!.length <= maxResults);
    all.push(...page.taskDefinitionArns!);
    nextToken = page.nextToken;
  } while (nextToken);
  return { arns: all, calls };
}

describe('RegisterTaskDefinition', () => {
  test('registers revision 1 as ACTIVE with what ECS adds', async () => {
    const out = await register('web');
    const td = out.taskDefinition!;
    assert.equal(td.taskDefinitionArn, 'arn:aws:ecs:us-east-1:123456789012:task-definition/web:1');
    assert.equal(td.family, 'web');
    assert.equal(td.revision, 1);
    assert.equal(td.status, 'ACTIVE');
    assert.deepEqual(td.registeredAt, new Date(clock.now()));
    assert.equal(td.registeredBy, 'arn:aws:iam::123456789012:root');
    assert.deepEqual(td.compatibilities, ['EXTERNAL', 'EC2']);
    assert.deepEqual(td.requiresAttributes, []);
    assert.equal(td.networkMode, 'bridge');
    assert.equal(td.containerDefinitions![0].essential, true);
    assert.equal(out.tags, undefined, 'no tags member when none were given');
    assert.equal((td as Json).tags, undefined, 'tags are not part of the TaskDefinition shape');
  });

  test('each registration in a family gets the next revision; families count separately', async () => {
    assert.equal((await register('web')).taskDefinition!.revision, 1);
    assert.equal((await register('web')).taskDefinition!.revision, 2);
    assert.equal((await register('api')).taskDefinition!.revision, 1);
    assert.equal((await register('web')).taskDefinition!.revision, 3);
    assert.equal(await lastRevision('web'), 3);
  });

  test('concurrent registrations never share a revision', async () => {
    const revisions = (await Promise.all(Array.from({ length: 8 }, () => register('web')))).map((r) => r.taskDefinition!.revision!);
    assert.deepEqual([...revisions].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('returns the tags it was given, and stores them', async () => {
    const out = await register('web', { tags: [{ key: 'team', value: 'payments' }] });
    assert.deepEqual(out.tags, [{ key: 'team', value: 'payments' }]);
    assert.deepEqual((await describeTd('web:1', ['TAGS'])).tags, [{ key: 'team', value: 'payments' }]);
  });

  test('a failed registration changes nothing', async () => {
    await register('web');
    const before = await store.revision();
    await rejects(register('web', { containerDefinitions: [{ name: 'app', memory: 128 }] }), 'ClientException', /^Container\.image should not be null or empty\.$/);
    await rejects(register('web', { tags: [{ key: 'aws:x', value: '' }] }), 'InvalidParameterException', /tags\[0\]\.key/);
    await rejects(register('new', { cpu: 'lots' }), 'ClientException', /^Invalid 'cpu' setting for task\.$/);
    assert.equal(await store.revision(), before, 'no write reached the store');
    assert.equal(await lastRevision('web'), 1);
    assert.equal(await lastRevision('new'), undefined);
    assert.equal((await register('web')).taskDefinition!.revision, 2);
  });

  test('revisions are never reused after deregister and delete', async () => {
    await register('web');
    await register('web');
    await deregister('web:2');
    await deregister('web:1');
    const deleted = await deleteTds(['web:1', 'web:2']);
    assert.equal(deleted.taskDefinitions!.length, 2);
    assert.equal(await lastRevision('web'), 2, 'the family remembers its last revision');
    assert.equal((await register('web')).taskDefinition!.revision, 3);
  });
});

describe('DescribeTaskDefinition', () => {
  beforeEach(async () => {
    await register('web', { tags: [{ key: 'v', value: '1' }] });
    clock.advance(1000);
    await register('web', { tags: [{ key: 'v', value: '2' }] });
    await register('web-worker');
  });

  test('a family names its latest ACTIVE revision', async () => {
    assert.equal((await describeTd('web')).taskDefinition!.revision, 2);
    await deregister('web:2');
    assert.equal((await describeTd('web')).taskDefinition!.revision, 1);
  });

  test('family:revision and the ARN name one revision', async () => {
    const byRev = (await describeTd('web:1')).taskDefinition!;
    const byArn = (await describeTd(arn('web', 1))).taskDefinition!;
    assert.deepEqual(byRev, byArn);
    assert.equal(byRev.revision, 1);
    assert.deepEqual(byRev.registeredAt, new Date(Date.UTC(2026, 0, 1)));
  });

  test('tags only with include TAGS', async () => {
    assert.equal((await describeTd('web:2')).tags, undefined);
    assert.deepEqual((await describeTd('web:2', ['TAGS'])).tags, [{ key: 'v', value: '2' }]);
    await rejects(describeTd('web:2', ['LABELS']), 'InvalidParameterException', notInEnum('include', '[LABELS]'));
  });

  test('a deregistered revision is still describable by revision', async () => {
    await deregister('web:1');
    const td = (await describeTd('web:1')).taskDefinition!;
    assert.equal(td.status, 'INACTIVE');
    assert.deepEqual(td.deregisteredAt, new Date(clock.now()));
  });

  test('unknown ones are ClientException "Unable to describe task definition."', async () => {
    for (const ref of ['nope', 'web:9', arn('nope', 1), 'arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1', 'arn:aws:ecs:us-east-1:999999999999:task-definition/web:1']) {
      await rejects(describeTd(ref), 'ClientException', /^Unable to describe task definition\.$/);
    }
    await deregister('web-worker:1');
    await rejects(describeTd('web-worker'), 'ClientException', /^Unable to describe task definition\.$/);
  });

  test('a malformed revision or ARN is a ClientException naming it', async () => {
    await rejects(describeTd('web:abc'), 'ClientException', /^Invalid revision number\. Number: abc$/);
    await rejects(describeTd('web:0'), 'ClientException', /Invalid revision number\. Number: 0/);
    await rejects(describeTd('arn:aws:ecs:us-east-1:123456789012:cluster/web'), 'ClientException', /Invalid arn syntax for 'taskDefinition'/);
    await rejects(call('DescribeTaskDefinition', {}), 'InvalidParameterException', mustNotBeNull('taskDefinition'));
  });
});

describe('ListTaskDefinitions', () => {
  beforeEach(async () => {
    for (const family of ['web', 'api', 'web-worker']) {
      for (let i = 0; i < 3; i++) await register(family);
    }
    await deregister('api:2');
  });

  test('lists ACTIVE revisions by family then revision, ascending by default', async () => {
    const out = await list();
    assert.deepEqual(out.taskDefinitionArns, [
      arn('api', 1), arn('api', 3), arn('web', 1), arn('web', 2), arn('web', 3), arn('web-worker', 1), arn('web-worker', 2), arn('web-worker', 3),
    ]);
    assert.equal(out.nextToken, undefined);
  });

  test('DESC reverses family and revision order', async () => {
    assert.deepEqual((await list({ sort: 'DESC' })).taskDefinitionArns, [
      arn('web-worker', 3), arn('web-worker', 2), arn('web-worker', 1), arn('web', 3), arn('web', 2), arn('web', 1), arn('api', 3), arn('api', 1),
    ]);
  });

  test('status INACTIVE lists deregistered revisions only', async () => {
    assert.deepEqual((await list({ status: 'INACTIVE' })).taskDefinitionArns, [arn('api', 2)]);
    assert.deepEqual((await list({ status: 'DELETE_IN_PROGRESS' })).taskDefinitionArns, []);
  });

  test('familyPrefix is the full family name', async () => {
    assert.deepEqual((await list({ familyPrefix: 'web' })).taskDefinitionArns, [arn('web', 1), arn('web', 2), arn('web', 3)]);
    assert.deepEqual((await list({ familyPrefix: 'we' })).taskDefinitionArns, []);
    assert.deepEqual((await list({ familyPrefix: 'web/../api' })).taskDefinitionArns, []);
  });

  test('pages with maxResults and nextToken cover everything once, in order, both ways', async () => {
    for (const sort of ['ASC', 'DESC']) {
      const whole = (await list({ sort })).taskDefinitionArns!;
      const paged = await listAll({ sort }, 3);
      assert.deepEqual(paged.arns, whole, sort);
      assert.equal(paged.calls, 3);
    }
    const one = await list({ maxResults: 1 });
    assert.equal(one.taskDefinitionArns!.length, 1);
    assert.ok(one.nextToken);
  });

  test('a page stays stable when the item before it goes away', async () => {
    const first = await list({ maxResults: 2, sort: 'DESC' });
    assert.deepEqual(first.taskDefinitionArns, [arn('web-worker', 3), arn('web-worker', 2)]);
    await deregister('web-worker:2');
    const second = await list({ maxResults: 2, sort: 'DESC', nextToken: first.nextToken });
    assert.deepEqual(second.taskDefinitionArns, [arn('web-worker', 1), arn('web', 3)]);
  });

  test('bad parameters are InvalidParameterException', async () => {
    await rejects(list({ maxResults: 0 }), 'InvalidParameterException', /maxResults must be greater than or equal to 1/);
    await rejects(list({ maxResults: 101 }), 'InvalidParameterException', /maxResults must be less than or equal to 100/);
    await rejects(list({ status: 'GONE' }), 'InvalidParameterException', notInEnum('status', 'GONE'));
    await rejects(list({ sort: 'UP' }), 'InvalidParameterException', notInEnum('sort', 'UP'));
    await rejects(list({ nextToken: 'garbage!' }), 'InvalidParameterException', /Invalid nextToken/);
  });
});

describe('ListTaskDefinitionFamilies', () => {
  beforeEach(async () => {
    for (const family of ['web', 'api', 'web-worker', 'batch']) await register(family);
    await register('api');
    await deregister('batch:1');
    await deregister('api:1');
  });

  test('ALL by default; a family is ACTIVE while any revision is', async () => {
    assert.deepEqual((await families()).families, ['api', 'batch', 'web', 'web-worker']);
    assert.deepEqual((await families({ status: 'ACTIVE' })).families, ['api', 'web', 'web-worker']);
    assert.deepEqual((await families({ status: 'INACTIVE' })).families, ['batch']);
  });

  test('familyPrefix is a prefix', async () => {
    assert.deepEqual((await families({ familyPrefix: 'web' })).families, ['web', 'web-worker']);
    assert.deepEqual((await families({ familyPrefix: 'x' })).families, []);
  });

  test('pages with maxResults', async () => {
    const first = await families({ maxResults: 3 });
    assert.deepEqual(first.families, ['api', 'batch', 'web']);
    const second = await families({ maxResults: 3, nextToken: first.nextToken });
    assert.deepEqual(second.families, ['web-worker']);
    assert.equal(second.nextToken, undefined);
    await rejects(families({ maxResults: 200 }), 'InvalidParameterException', /maxResults/);
    await rejects(families({ status: 'DELETE_IN_PROGRESS' }), 'InvalidParameterException', notInEnum('status', 'DELETE_IN_PROGRESS'));
  });

  test('a family whose revisions are all deleted is no longer listed', async () => {
    await deleteTds(['batch:1']);
    assert.deepEqual((await families()).families, ['api', 'web', 'web-worker']);
  });
});

describe('DeregisterTaskDefinition', () => {
  test('marks the revision INACTIVE with deregisteredAt, once', async () => {
    await register('web');
    clock.advance(5000);
    const td = (await deregister('web:1')).taskDefinition!;
    assert.equal(td.status, 'INACTIVE');
    assert.deepEqual(td.deregisteredAt, new Date(clock.now()));
    clock.advance(5000);
    const again = (await deregister(arn('web', 1))).taskDefinition!;
    assert.deepEqual(again.deregisteredAt, td.deregisteredAt, 'deregistering again keeps the first time');
    assert.deepEqual((await list()).taskDefinitionArns, []);
  });

  test('needs a revision, and one that exists', async () => {
    await register('web');
    await rejects(deregister('web'), 'ClientException', /revision must be specified in taskDefinition/);
    await rejects(deregister('web:2'), 'ClientException', /^The specified task definition does not exist\.$/);
    await rejects(deregister('arn:aws:ecs:us-east-1:999999999999:task-definition/web:1'), 'ClientException', /does not exist/);
    assert.equal((await describeTd('web:1')).taskDefinition!.status, 'ACTIVE');
  });
});

describe('DeleteTaskDefinitions', () => {
  beforeEach(async () => {
    await register('web');
    await register('web');
    await deregister('web:1');
  });

  test('deletes INACTIVE revisions, reporting them as DELETE_IN_PROGRESS', async () => {
    clock.advance(60_000);
    const out = await deleteTds(['web:1']);
    assert.deepEqual(out.failures, []);
    assert.equal(out.taskDefinitions!.length, 1);
    const td = out.taskDefinitions![0];
    assert.equal(td.taskDefinitionArn, arn('web', 1));
    assert.equal(td.status, 'DELETE_IN_PROGRESS');
    assert.deepEqual(td.deleteRequestedAt, new Date(clock.now()));
    assert.equal(await getDoc(store, keys.taskDefinition(scope, 'web', 1)), undefined, 'the record is gone');
    await rejects(describeTd('web:1'), 'ClientException', /Unable to describe task definition/);
    assert.deepEqual((await list({ status: 'INACTIVE' })).taskDefinitionArns, []);
  });

  test('reports a failure per revision it can not delete, and deletes the rest', async () => {
    const out = await deleteTds(['web:2', 'web:1', 'web:7', 'web', arn('web', 1)]);
    assert.deepEqual(out.taskDefinitions!.map((t) => t.taskDefinitionArn), [arn('web', 1)]);
    assert.deepEqual(out.failures, [
      { arn: arn('web', 2), reason: 'The specified task definition is ACTIVE. Deregister it before deleting it.' },
      { arn: arn('web', 7), reason: 'The specified task definition does not exist.' },
      { arn: 'web', reason: 'A revision must be specified in taskDefinition (family:revision or the full ARN): web' },
      { arn: arn('web', 1), reason: 'The specified task definition does not exist.' },
    ]);
    assert.equal((await describeTd('web:2')).taskDefinition!.status, 'ACTIVE');
  });

  test('takes 1 to 10 references', async () => {
    await rejects(deleteTds(Array.from({ length: 11 }, (_, i) => `web:${i + 1}`)), 'InvalidParameterException', /taskDefinitions can have at most 10 members/);
    await rejects(deleteTds([]), 'InvalidParameterException', /taskDefinitions can not be empty/);
    await rejects(call('DeleteTaskDefinitions', {}), 'InvalidParameterException', mustNotBeNull('taskDefinitions'));
  });
});

describe('resolveTaskDefinition', () => {
  const resolve = (ref: string) => transact(store, (tx) => resolveTaskDefinition(tx, scope, ref));

  test('family → latest ACTIVE; family:revision and ARN → that revision, whatever its status', async () => {
    await register('web');
    await register('web');
    await register('web');
    await deregister('web:3');
    assert.equal((await resolve('web')).revision, 2);
    assert.equal((await resolve('web:3')).status, 'INACTIVE');
    const byArn = await resolve(arn('web', 1));
    assert.equal(byArn.revision, 1);
    assert.equal(byArn.registeredAt, clock.now(), 'the stored record, epoch ms');
  });

  test('unknown or invalid references throw the ECS error', async () => {
    await register('web');
    await deregister('web:1');
    await rejects(resolve('web'), 'ClientException', /^TaskDefinition not found\.$/);
    await rejects(resolve('db:1'), 'ClientException', /^TaskDefinition not found\.$/);
    await rejects(resolve('web:x'), 'ClientException', /Invalid revision number/);
  });

  test('records are stored under the family key range the other actions use', async () => {
    await register('web');
    const docs = await listDocs<TaskDefinitionRecord>(store, keys.familyRevisions(scope, 'web'));
    assert.deepEqual(docs.map((d) => d.value.taskDefinitionArn), [arn('web', 1)]);
    assert.deepEqual(docs[0].value.tags, []);
  });
});
