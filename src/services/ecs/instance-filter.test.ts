import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsError } from '../../aws/index.ts';
import { filterInstances, matchesInstanceFilter, parseInstanceFilter, type FilterTarget } from './instance-filter.ts';
import { instanceRecord, taskRecord } from './testing.ts';

const m5: FilterTarget = {
  attributes: [
    { name: 'ecs.instance-type', value: 'm5.large' },
    { name: 'ecs.availability-zone', value: 'us-east-1a' },
    { name: 'ecs.capability.task-eni' },
    { name: 'stack', value: 'prod' },
  ],
  ec2InstanceId: 'i-0123',
  agentConnected: true,
  agentVersion: '1.80.0',
};
const t3: FilterTarget = {
  attributes: [
    { name: 'ecs.instance-type', value: 't3.micro' },
    { name: 'ecs.availability-zone', value: 'us-east-1b' },
    { name: 'team', value: 'data science' },
  ],
  ec2InstanceId: 'i-0456',
  agentConnected: false,
  agentVersion: '1.70.0',
};

const matches = (expr: string, target: FilterTarget) => matchesInstanceFilter(parseInstanceFilter(expr), target);

/** Asserts the filter is rejected with InvalidParameterException naming `position`. */
function rejects(expr: string, position: number, what: RegExp) {
  assert.throws(
    () => parseInstanceFilter(expr),
    (e: unknown) => {
      assert.ok(e instanceof AwsError);
      assert.equal(e.code, 'InvalidParameterException');
      assert.match(e.message, new RegExp(`^filter: invalid expression at position ${position}: `));
      assert.match(e.message, what);
      return true;
    },
  );
}

describe('instance filter: comparisons', () => {
  test('== and != compare an attribute value', () => {
    assert.equal(matches('attribute:ecs.instance-type == m5.large', m5), true);
    assert.equal(matches('attribute:ecs.instance-type == m5.large', t3), false);
    assert.equal(matches('attribute:ecs.instance-type != m5.large', t3), true);
    assert.equal(matches('attribute:ecs.instance-type != m5.large', m5), false);
    assert.equal(matches('attribute:ecs.instance-type equals m5.large', m5), true);
    assert.equal(matches('attribute:ecs.instance-type not_equals m5.large', m5), false);
  });

  test('a missing attribute satisfies no comparison, not even != (as in ECS); not(...) selects it', () => {
    assert.equal(matches('attribute:stack == prod', t3), false);
    assert.equal(matches('attribute:stack != prod', t3), false);
    assert.equal(matches('not(attribute:stack == prod)', t3), true);
  });

  test('an attribute without a value exists but equals no value', () => {
    assert.equal(matches('attribute:ecs.capability.task-eni exists', m5), true);
    assert.equal(matches('attribute:ecs.capability.task-eni == true', m5), false);
  });

  test('exists and !exists', () => {
    assert.equal(matches('attribute:stack exists', m5), true);
    assert.equal(matches('attribute:stack exists', t3), false);
    assert.equal(matches('attribute:stack !exists', t3), true);
    assert.equal(matches('attribute:stack ! exists', m5), false);
    assert.equal(matches('attribute:stack not_exists', t3), true);
  });

  test('in and !in take a list', () => {
    assert.equal(matches('attribute:ecs.availability-zone in [us-east-1a, us-east-1c]', m5), true);
    assert.equal(matches('attribute:ecs.availability-zone in [us-east-1a, us-east-1c]', t3), false);
    assert.equal(matches('attribute:ecs.availability-zone !in [us-east-1a,us-east-1c]', t3), true);
    assert.equal(matches('attribute:ecs.availability-zone not_in [us-east-1a]', m5), false);
    assert.equal(matches('attribute:stack in [prod]', t3), false);
    assert.equal(matches('attribute:stack !in [prod]', t3), false);
    assert.equal(matches('attribute:stack !in [dev]', m5), true);
  });

  test('quoted values may hold spaces', () => {
    assert.equal(matches('attribute:team == "data science"', t3), true);
    assert.equal(matches("attribute:team in ['data science', ops]", t3), true);
  });

  test('instance fields: ec2InstanceId, agentConnected, agentVersion', () => {
    assert.equal(matches('ec2InstanceId == i-0123', m5), true);
    assert.equal(matches('ec2InstanceId in [i-0456, i-0789]', m5), false);
    assert.equal(matches('agentConnected == false', t3), true);
    assert.equal(matches('agentConnected == true', t3), false);
    assert.equal(matches('agentVersion != 1.80.0', t3), true);
  });
});

describe('instance filter: compound expressions', () => {
  test('and / && bind tighter than or / ||', () => {
    const expr = 'attribute:stack == prod or attribute:ecs.instance-type == t3.micro and agentConnected == true';
    assert.equal(matches(expr, m5), true);
    assert.equal(matches(expr, t3), false);
    assert.equal(matches('attribute:stack exists && agentConnected == true', m5), true);
    assert.equal(matches('attribute:stack exists || agentConnected == true', t3), false);
  });

  test('parentheses set precedence', () => {
    const expr = '(attribute:stack == prod or attribute:ecs.instance-type == t3.micro) and agentConnected == true';
    assert.equal(matches(expr, m5), true);
    assert.equal(matches(expr, t3), false);
    assert.equal(matches('((attribute:stack exists))', m5), true);
  });

  test('not / ! negate', () => {
    assert.equal(matches('not attribute:stack exists', t3), true);
    assert.equal(matches('!(attribute:stack exists)', m5), false);
    assert.equal(matches('!(attribute:stack exists) and agentConnected == false', t3), true);
  });

  test('keywords are case-insensitive', () => {
    assert.equal(matches('attribute:stack EXISTS AND agentConnected == true', m5), true);
  });
});

describe('instance filter: syntax errors name the position', () => {
  test('empty expression', () => rejects('   ', 1, /empty expression/));
  test('missing operator', () => rejects('attribute:stack', 16, /expected an operator/));
  test('unknown operator word', () => rejects('attribute:stack is prod', 17, /expected an operator .* found 'is'/));
  test('missing value', () => rejects('attribute:stack ==', 19, /expected a value after '==', found end of expression/));
  test('unclosed parenthesis', () => rejects('(attribute:stack exists', 24, /expected 'and', 'or' or '\)' to close the '\(' at position 1/));
  test('stray closing parenthesis', () => rejects('attribute:stack exists)', 23, /expected 'and', 'or' or end of expression/));
  test('in without a list', () => rejects('attribute:stack in prod', 20, /expected '\['/));
  test('unterminated list', () => rejects('attribute:stack in [a, b', 25, /expected ',' or '\]'/));
  test('empty attribute name', () => rejects('attribute: exists', 1, /needs an attribute name/));
  test('unknown subject', () => rejects('instanceType == m5.large', 1, /unknown subject 'instanceType'/));
  test('an invalid pattern', () => rejects('attribute:n =~ "m5.(large"', 16, /invalid pattern 'm5.\(large'/));
  test('an operator the subject does not take', () => rejects('agentVersion =~ 1.*', 14, /operator '=~' is not valid for agentVersion/));
  test('over 2000 characters', () => rejects(`attribute:stack exists${' '.repeat(1979)}`, 2001, /maximum is 2000/));
  test('unterminated quote', () => rejects('attribute:team == "data', 19, /unterminated quoted value/));
  test('dangling and', () => rejects('attribute:stack exists and', 27, /expected a subject/));
  test('! followed by something else', () => rejects('attribute:stack ! prod', 19, /expected 'exists' or 'in' after '!'/));
});

describe('instance filter: the rest of the cluster query language', () => {
  test('=~ and !~ match the whole value as a pattern', () => {
    assert.equal(matches('attribute:ecs.instance-type =~ m5.*', m5), true);
    assert.equal(matches('attribute:ecs.instance-type =~ m5', m5), false);
    assert.equal(matches('attribute:ecs.instance-type !~ m5.*', t3), true);
    assert.equal(matches('ec2InstanceId =~ i-04.*', t3), true);
  });

  test('ordering operators, agentVersion and registeredAt', () => {
    assert.equal(matches('agentVersion < 1.14.5', t3), false);
    assert.equal(matches('agentVersion > 1.9', m5), true);
    assert.equal(matches('registeredAt < 2018-02-13', { ...m5, registeredAt: Date.parse('2018-02-12T23:00:00Z') }), true);
    assert.equal(matches('registeredAt >= 2018-02-13T00:00:00Z', { ...m5, registeredAt: Date.parse('2018-02-12T23:00:00Z') }), false);
  });

  test('runningTasksCount and task:group', () => {
    assert.equal(matches('runningTasksCount == 1', { ...m5, runningTasksCount: 1 }), true);
    assert.equal(matches('task:group == service:web', { ...m5, taskGroups: ['service:web'] }), true);
    assert.equal(matches('not(task:group == service:web)', t3), true);
  });
});

describe('filterInstances', () => {
  const i1 = instanceRecord('web', 'i1');
  const i2 = instanceRecord('web', 'i2');
  const tasks = [
    taskRecord('web', 't1', { containerInstanceId: 'i1', lastStatus: 'RUNNING', group: 'service:web' }),
    taskRecord('web', 't2', { containerInstanceId: 'i1', lastStatus: 'PENDING', group: 'family:batch' }),
    taskRecord('web', 't3', { containerInstanceId: 'i2', lastStatus: 'STOPPED', group: 'service:web' }),
    taskRecord('web', 't4', { containerInstanceId: undefined, lastStatus: 'PROVISIONING', group: 'service:web' }),
  ];
  const ids = (text: string) => filterInstances(parseInstanceFilter(text), [i1, i2], tasks).map((i) => i.id);

  test('counts RUNNING tasks for runningTasksCount', () => {
    assert.deepEqual(ids('runningTasksCount == 1'), ['i1']);
    assert.deepEqual(ids('runningTasksCount == 0'), ['i2']);
  });

  test('takes task:group from the tasks not yet STOPPED on each instance', () => {
    assert.deepEqual(ids('task:group == service:web'), ['i1']);
    assert.deepEqual(ids('task:group == family:batch'), ['i1']);
    assert.deepEqual(ids('not(task:group == service:web)'), ['i2']);
  });
});
