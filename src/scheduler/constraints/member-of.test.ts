import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlacementSnapshot } from '../snapshot.ts';
import { instance, need, res } from '../testing.ts';
import type { PlaceRequest } from '../types.ts';
import { memberOf } from './member-of.ts';

const UNSATISFIED = 'MemberOf placement constraint unsatisfied.';

describe('memberOf', () => {
  const instances = [
    instance('t2', res(1, 1), { attributes: { 'ecs.instance-type': 't2.micro', 'ecs.availability-zone': 'us-east-1a' }, groups: { databases: 1 } }),
    instance('g2', res(1, 1), { attributes: { 'ecs.instance-type': 'g2.2xlarge', 'ecs.availability-zone': 'us-east-1b' } }),
  ];
  const check = (expression: string, group = 'family:web') => {
    const request: PlaceRequest = { count: 1, demand: need(0, 0), group, constraints: [{ type: 'memberOf', expression }] };
    const snapshot = new PlacementSnapshot(instances, request);
    const filter = memberOf.filter(request.constraints![0], request);
    return { snapshot, filter, results: instances.map((_, i) => filter(i, snapshot)) };
  };

  it('keeps the instances the expression selects and rules out the others with ECS\'s reason', () => {
    assert.deepEqual(check('attribute:ecs.instance-type =~ t2.*').results, [undefined, UNSATISFIED]);
    assert.deepEqual(check('attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone == us-east-1b').results, [UNSATISFIED, undefined]);
    assert.deepEqual(check('ec2InstanceId == i-g2').results, [UNSATISFIED, undefined]);
    assert.deepEqual(check('task:group == databases').results, [undefined, UNSATISFIED]);
  });

  it('reads valueless attributes and task groups as ECS does: present, but with no value to compare', () => {
    const bare = [instance('eni', res(1, 1), { attributes: { 'ecs.capability.task-eni': undefined } }), instance('none', res(1, 1), { groups: { old: 0 } })];
    const run = (expression: string) => {
      const request: PlaceRequest = { count: 1, demand: need(0, 0), group: 'g', constraints: [{ type: 'memberOf', expression }] };
      const snapshot = new PlacementSnapshot(bare, request);
      const filter = memberOf.filter(request.constraints![0], request);
      return bare.map((_, i) => filter(i, snapshot) === undefined);
    };
    assert.deepEqual(run('attribute:ecs.capability.task-eni exists'), [true, false]);
    assert.deepEqual(run('attribute:ecs.capability.task-eni !exists'), [false, true]);
    assert.deepEqual(run('task:group exists'), [false, false], 'a group with no tasks left does not count');
  });

  it('sees a task the request has placed as part of the instance\'s groups', () => {
    const { snapshot, filter } = check('not(task:group == batch)', 'batch');
    assert.equal(filter(1, snapshot), undefined);
    snapshot.charge(1);
    assert.equal(filter(1, snapshot), UNSATISFIED);
  });

  it('requires an expression that parses, and says where it does not', () => {
    assert.equal(memberOf.validate({ type: 'memberOf', expression: 'attribute:stack == prod' }, 'c'), undefined);
    assert.equal(memberOf.validate({ type: 'memberOf' }, 'c'), 'c.expression is required for a memberOf constraint.');
    assert.match(memberOf.validate({ type: 'memberOf', expression: 'attribute:stack ==' }, 'c') ?? '', /^c\.expression: Invalid expression at position \d+/);
  });
});
