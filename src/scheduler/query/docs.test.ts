/**
 * Every example expression in the ECS documentation (Developer Guide: "Cluster query language"
 * and "Task placement constraints": filtering by attribute, example constraints), parsed,
 * printed and evaluated against a small sample cluster.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateQuery, parseQuery, printQuery } from './index.ts';
import { instance } from './testing.ts';

const cluster = {
  small: instance({ 'ecs.instance-type': 't2.small', 'ecs.availability-zone': 'us-east-1a', 'ecs.os-type': 'linux', stack: 'prod' }, {
    ec2InstanceId: 'i-abcd1234', agentConnected: true, agentVersion: '1.14.4', registeredAt: Date.parse('2018-02-01T08:00:00Z'),
    runningTasksCount: 1, taskGroups: ['service:production'],
  }),
  medium: instance({ 'ecs.instance-type': 't2.medium', 'ecs.availability-zone': 'us-east-1b', 'ecs.os-type': 'linux', stack: 'dev' }, {
    ec2InstanceId: 'i-wxyx7890', agentConnected: true, agentVersion: '1.14.5', registeredAt: Date.parse('2018-02-13T08:00:00Z'),
    runningTasksCount: 0, taskGroups: [],
  }),
  gpuC: instance({ 'ecs.instance-type': 'g2.2xlarge', 'ecs.availability-zone': 'us-east-1c', 'ecs.os-type': 'linux' }, {
    ec2InstanceId: 'i-0c0c0c0c', agentConnected: false, agentVersion: '1.20.0', registeredAt: Date.parse('2019-05-01T00:00:00Z'),
    runningTasksCount: 2, taskGroups: ['databases', 'service:daemon-service'],
  }),
  gpuD: instance({ 'ecs.instance-type': 'g2.2xlarge', 'ecs.availability-zone': 'us-east-1d', 'ecs.os-type': 'linux', stack: 'prod', retiring: 'true' }, {
    ec2InstanceId: 'i-0d0d0d0d', agentConnected: true, agentVersion: '1.9.0', registeredAt: Date.parse('2017-12-24T00:00:00Z'),
    runningTasksCount: 1, taskGroups: ['database'],
  }),
};

/** [expression, the sample instances it selects]. */
const EXAMPLES: [string, (keyof typeof cluster)[]][] = [
  // Cluster query language: example expressions.
  ['attribute:ecs.instance-type == t2.small', ['small']],
  ['attribute:ecs.availability-zone in [us-east-1a, us-east-1b]', ['small', 'medium']],
  ['attribute:ecs.instance-type =~ g2.* and attribute:ecs.availability-zone != us-east-1d', ['gpuC']],
  ['task:group == service:production', ['small']],
  ['not(task:group == database)', ['small', 'medium', 'gpuC']],
  ['runningTasksCount == 1', ['small', 'gpuD']],
  ['agentVersion < 1.14.5', ['small', 'gpuD']],
  ['registeredAt < 2018-02-13', ['small', 'gpuD']],
  ["ec2InstanceId in ['i-abcd1234', 'i-wxyx7890']", ['small', 'medium']],
  // Task placement constraints: filtering container instances by attribute.
  ['attribute:ecs.instance-type == g2.2xlarge', ['gpuC', 'gpuD']],
  ['attribute:stack == prod', ['small', 'gpuD']],
  ['attribute:stack != prod', ['medium']],
  ['attribute:ecs.instance-type in [t2.small, t2.medium]', ['small', 'medium']],
  ['attribute:ecs.instance-type =~ t2.* and attribute:ecs.availability-zone == us-east-1a', ['small']],
  // Task placement constraints: example memberOf constraints.
  ['attribute:ecs.instance-type =~ t2.*', ['small', 'medium']],
  ['task:group == databases', ['gpuC']],
  ['task:group == service:daemon-service', ['gpuC']],
];

describe('ECS documentation examples', () => {
  for (const [text, expected] of EXAMPLES) {
    test(text, () => {
      const expr = parseQuery(text);
      const selected = Object.entries(cluster).filter(([, s]) => evaluateQuery(expr, s)).map(([name]) => name);
      assert.deepEqual(selected, expected);
      assert.deepEqual(parseQuery(printQuery(expr)), expr, 'prints and parses back unchanged');
    });
  }

  test('the compound expression template: (expression1 or expression2) and expression3', () => {
    const expr = parseQuery('(attribute:stack == prod or attribute:stack == dev) and attribute:ecs.instance-type =~ t2.*');
    assert.deepEqual(Object.entries(cluster).filter(([, s]) => evaluateQuery(expr, s)).map(([n]) => n), ['small', 'medium']);
    assert.equal(printQuery(expr), '(attribute:stack == prod or attribute:stack == dev) and attribute:ecs.instance-type =~ t2.*');
  });

  test("attribute:retiring != true leaves out instances without the attribute (aws/containers-roadmap#486)", () => {
    const ids = (text: string) => Object.entries(cluster).filter(([, s]) => evaluateQuery(parseQuery(text), s)).map(([n]) => n);
    assert.deepEqual(ids('attribute:retiring != true'), []);
    assert.deepEqual(ids('attribute:retiring == true'), ['gpuD']);
    assert.deepEqual(ids('not(attribute:retiring == true)'), ['small', 'medium', 'gpuC']);
    assert.deepEqual(ids('attribute:retiring !exists or attribute:retiring != true'), ['small', 'medium', 'gpuC']);
  });
});
