import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { Attribute, ListAttributesResponse, PutAttributesResponse } from '@aws-sdk/client-ecs';
import type { Store } from '../../state/index.ts';
import { attributeOperations } from './attributes.ts';
import { clusterOperations } from './clusters.ts';
import { arns, type ContainerInstanceRecord } from '../../ecs/index.ts';
import {
  ctx, ecsTestbed, expectRejected, instanceRecord, mustNotBeNull, notInEnum, scope, seedInstance, storedInstance, type Actions,
} from './testing.ts';

const AGENT_ATTRIBUTES = [
  { name: 'ecs.os-type', value: 'linux' },
  { name: 'ecs.capability.task-eni' },
  { name: 'com.amazonaws.ecs.capability.docker-remote-api.1.44' },
];

let store: Store;
let api: Actions;

beforeEach(async () => {
  const bed = ecsTestbed();
  store = bed.store;
  api = bed.api(attributeOperations);
  await bed.api(clusterOperations).CreateCluster({ clusterName: 'web' }, ctx);
  await bed.api(clusterOperations).CreateCluster({}, ctx);
  await seedInstance(store, instance('web', 'aaa'));
  await seedInstance(store, instance('web', 'bbb'));
});
afterEach(() => store.close());

const call = async <T>(action: string, input: Record<string, unknown>) => (await api[action](input, ctx)) as T;
const put = (attributes: Record<string, unknown>[], cluster = 'web') => call<PutAttributesResponse>('PutAttributes', { cluster, attributes });

/** Asserts the action fails with `code` and a message matching `message`, and that the store did not change. */
const rejects = (action: string, input: Record<string, unknown>, code: string, message: RegExp) =>
  expectRejected(store, () => api[action](input, ctx), code, message);

const instance = (cluster: string, id: string, over: Partial<ContainerInstanceRecord> = {}) =>
  instanceRecord(cluster, id, { attributes: [...AGENT_ATTRIBUTES], ...over });
const stored = (id: string, cluster = 'web') => storedInstance(store, cluster, id);
const custom = (id: number) => ({ name: `custom${id}`, value: `v${id}`, targetType: 'container-instance', targetId: 'aaa' });

describe('PutAttributes', () => {
  test('adds attributes by instance ARN or by id with targetType, and echoes them', async () => {
    const arn = arns.containerInstance(scope, 'web', 'aaa');
    const r = await put([
      { name: 'stack', value: 'production', targetId: arn },
      { name: 'gpu/model_v1.2', targetType: 'container-instance', targetId: 'bbb' },
    ]);
    assert.deepEqual(r.attributes, [
      { name: 'stack', value: 'production', targetId: arn },
      { name: 'gpu/model_v1.2', targetType: 'container-instance', targetId: 'bbb' },
    ]);
    const a = await stored('aaa');
    assert.deepEqual(a.attributes, [...AGENT_ATTRIBUTES, { name: 'stack', value: 'production' }]);
    assert.equal(a.version, 2);
    assert.deepEqual((await stored('bbb')).attributes.at(-1), { name: 'gpu/model_v1.2' });
  });

  test('overwrites the value of an attribute of the same name', async () => {
    await put([{ name: 'stack', value: 'dev', targetType: 'container-instance', targetId: 'aaa' }]);
    await put([{ name: 'stack', value: 'prod', targetType: 'container-instance', targetId: 'aaa' }]);
    assert.deepEqual((await stored('aaa')).attributes.filter((x) => x.name === 'stack'), [{ name: 'stack', value: 'prod' }]);
  });

  test('values may hold the characters ECS allows', async () => {
    await put([{ name: 'owner', value: 'ops@example.com: team/a\\b 1.2_3-4', targetType: 'container-instance', targetId: 'aaa' }]);
    assert.equal((await stored('aaa')).attributes.at(-1)!.value, 'ops@example.com: team/a\\b 1.2_3-4');
  });

  const t = { targetType: 'container-instance', targetId: 'aaa' };
  const invalid: [string, Record<string, unknown>[], RegExp][] = [
    ['a missing name', [{ value: 'x', ...t }], mustNotBeNull('attributes[0].name')],
    ['a name with a space', [{ name: 'my attr', ...t }], /^attributes\[0\]\.name is invalid: it may contain letters, numbers, hyphens/],
    ['a name with an at sign', [{ name: 'a@b', ...t }], /^attributes\[0\]\.name is invalid/],
    ['a 129-character name', [{ name: 'n'.repeat(129), ...t }], /^attributes\[0\]\.name must be at most 128 characters/],
    ['an empty value', [{ name: 'a', value: '', ...t }], /^attributes\[0\]\.value must be at least 1 characters/],
    ['a 129-character value', [{ name: 'a', value: 'v'.repeat(129), ...t }], /^attributes\[0\]\.value must be at most 128 characters/],
    ['a value with a forbidden character', [{ name: 'a', value: 'x#y', ...t }], /^attributes\[0\]\.value is invalid: it may contain letters/],
    ['a value starting with a space', [{ name: 'a', value: ' x', ...t }], /^attributes\[0\]\.value can't start or end with a space/],
    ['a value ending with a space', [{ name: 'a', value: 'x ', ...t }], /^attributes\[0\]\.value can't start or end with a space/],
    ['an unknown target type', [{ name: 'a', targetType: 'task', targetId: 'aaa' }], notInEnum('attributes[0].targetType', 'task')],
    ['a missing target id', [{ name: 'a', targetType: 'container-instance' }], /^attributes\[0\]\.targetId can not be null or empty/],
    ['a short id without a target type', [{ name: 'a', targetId: 'aaa' }], /^attributes\[0\]\.targetType is required when attributes\[0\]\.targetId is a short id/],
    ['more than 10 attributes in one call', Array.from({ length: 11 }, (_, i) => custom(i)), /^attributes can have at most 10 members/],
    ['no attributes', [], /^attributes can not be empty/],
  ];
  for (const [what, attributes, message] of invalid) {
    test(`rejects ${what}`, () => rejects('PutAttributes', { cluster: 'web', attributes }, 'InvalidParameterException', message));
  }

  test('allows 10 custom attributes per instance; agent attributes do not count', async () => {
    await put(Array.from({ length: 9 }, (_, i) => custom(i)));
    await put([custom(9)]);
    await put([{ ...custom(3), value: 'changed' }]);
    const attrs = (await stored('aaa')).attributes;
    assert.equal(attrs.length, AGENT_ATTRIBUTES.length + 10);
    await rejects('PutAttributes', { cluster: 'web', attributes: [custom(10)] }, 'AttributeLimitExceededException', /up to 10 custom attributes/);
  });

  test('the limit applies to the whole call, which then changes nothing', async () => {
    await put(Array.from({ length: 9 }, (_, i) => custom(i)));
    await rejects(
      'PutAttributes',
      { cluster: 'web', attributes: [{ ...custom(20), targetId: 'bbb' }, custom(20), custom(21)] },
      'AttributeLimitExceededException',
      /aaa would have 11/,
    );
    assert.equal((await stored('bbb')).attributes.length, AGENT_ATTRIBUTES.length);
  });

  test('an unknown target is TargetNotFoundException and nothing is written', async () => {
    await rejects('PutAttributes', { cluster: 'web', attributes: [custom(1), { ...custom(2), targetId: 'zzz' }] }, 'TargetNotFoundException', /Could not find zzz/);
    await rejects('PutAttributes', { cluster: 'web', attributes: [{ name: 'a', targetId: arns.containerInstance(scope, 'default', 'aaa') }] }, 'TargetNotFoundException', /Could not find/);
    await rejects('PutAttributes', { cluster: 'web', attributes: [{ name: 'a', targetId: 'arn:aws:ecs:us-east-1:123456789012:task/web/aaa' }] }, 'TargetNotFoundException', /Could not find/);
    await rejects('PutAttributes', { attributes: [custom(1)] }, 'TargetNotFoundException', /in cluster default/);
  });

  test('an unknown cluster is ClusterNotFoundException', () =>
    rejects('PutAttributes', { cluster: 'nope', attributes: [custom(1)] }, 'ClusterNotFoundException', /Cluster not found/));
});

describe('ListAttributes', () => {
  beforeEach(async () => {
    await put([
      { name: 'stack', value: 'prod', targetType: 'container-instance', targetId: 'aaa' },
      { name: 'stack', value: 'dev', targetType: 'container-instance', targetId: 'bbb' },
      { name: 'zone', value: 'a', targetType: 'container-instance', targetId: 'bbb' },
    ]);
    await seedInstance(store, instance('web', 'ccc', { status: 'INACTIVE', attributes: [{ name: 'stack', value: 'prod' }] }));
  });
  const list = (input: Record<string, unknown>) => call<ListAttributesResponse>('ListAttributes', { cluster: 'web', targetType: 'container-instance', ...input });
  const brief = (attrs: Attribute[] | undefined) => attrs!.map((a) => `${a.targetId!.split('/').pop()}:${a.name}=${a.value ?? ''}`);

  test('lists every attribute of the cluster, agent ones included, with its target', async () => {
    const r = await list({});
    assert.equal(r.attributes!.length, 2 * AGENT_ATTRIBUTES.length + 3);
    assert.deepEqual(r.attributes!.find((a) => a.name === 'zone'), {
      name: 'zone', value: 'a', targetType: 'container-instance', targetId: arns.containerInstance(scope, 'web', 'bbb'),
    });
  });

  test('filters by name, and by name and value', async () => {
    assert.deepEqual(brief((await list({ attributeName: 'stack' })).attributes), ['aaa:stack=prod', 'bbb:stack=dev']);
    assert.deepEqual(brief((await list({ attributeName: 'stack', attributeValue: 'dev' })).attributes), ['bbb:stack=dev']);
    assert.deepEqual(brief((await list({ attributeName: 'ecs.capability.task-eni' })).attributes), ['aaa:ecs.capability.task-eni=', 'bbb:ecs.capability.task-eni=']);
  });

  test('pages through the attributes', async () => {
    const all = brief((await list({})).attributes);
    const seen: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await list({ maxResults: 2, nextToken });
      assert.ok(page.attributes!.length <= 2);
      seen.push(...brief(page.attributes));
      nextToken = page.nextToken;
    } while (nextToken);
    assert.deepEqual(seen, all);
  });

  test('validates its input', async () => {
    await rejects('ListAttributes', { cluster: 'web' }, 'InvalidParameterException', mustNotBeNull('targetType'));
    await rejects('ListAttributes', { cluster: 'web', targetType: 'task' }, 'InvalidParameterException', notInEnum('targetType', 'task'));
    await rejects('ListAttributes', { cluster: 'web', targetType: 'container-instance', attributeValue: 'x' }, 'InvalidParameterException', /^attributeName must be specified when attributeValue is specified/);
    await rejects('ListAttributes', { cluster: 'web', targetType: 'container-instance', maxResults: 0 }, 'InvalidParameterException', /^maxResults must be greater than or equal to 1/);
    await rejects('ListAttributes', { cluster: 'nope', targetType: 'container-instance' }, 'ClusterNotFoundException', /Cluster not found/);
  });
});

describe('DeleteAttributes', () => {
  beforeEach(() => put([custom(1), custom(2), { ...custom(1), targetId: 'bbb' }]));

  test('removes the named attributes from their targets and echoes them', async () => {
    const arn = arns.containerInstance(scope, 'web', 'aaa');
    const r = await call<PutAttributesResponse>('DeleteAttributes', { cluster: 'web', attributes: [{ name: 'custom1', targetId: arn }] });
    assert.deepEqual(r.attributes, [{ name: 'custom1', targetId: arn }]);
    assert.deepEqual((await stored('aaa')).attributes.map((a) => a.name).filter((n) => n!.startsWith('custom')), ['custom2']);
    assert.deepEqual((await stored('bbb')).attributes.map((a) => a.name).filter((n) => n!.startsWith('custom')), ['custom1']);
  });

  test('deleting an attribute the target does not have changes nothing', async () => {
    const before = await store.revision();
    await call('DeleteAttributes', { cluster: 'web', attributes: [{ name: 'absent', targetType: 'container-instance', targetId: 'aaa' }] });
    assert.equal(await store.revision(), before);
  });

  test('validates its input and targets', async () => {
    await rejects('DeleteAttributes', { cluster: 'web' }, 'InvalidParameterException', mustNotBeNull('attributes'));
    await rejects('DeleteAttributes', { cluster: 'web', attributes: [{ name: 'custom1', targetId: 'aaa' }] }, 'InvalidParameterException', /targetType is required/);
    await rejects('DeleteAttributes', { cluster: 'web', attributes: [custom(1), { ...custom(2), targetId: 'zzz' }] }, 'TargetNotFoundException', /Could not find zzz/);
    await rejects('DeleteAttributes', { cluster: 'web', attributes: Array.from({ length: 11 }, (_, i) => custom(i)) }, 'InvalidParameterException', /at most 10 members/);
  });
});
