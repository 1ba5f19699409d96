import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluateQuery, parseQuery, type QuerySubject } from './index.ts';
import { instance } from './testing.ts';

const holds = (text: string, subject: QuerySubject) => evaluateQuery(parseQuery(text), subject);

/** Asserts which of the named subjects satisfy `text`. */
function selects(text: string, subjects: Record<string, QuerySubject>, expected: string[]) {
  const got = Object.entries(subjects).filter(([, s]) => holds(text, s)).map(([name]) => name);
  assert.deepEqual(got, expected, text);
}

const m5 = instance({ 'ecs.instance-type': 'm5.large', 'ecs.availability-zone': 'us-east-1a', 'ecs.capability.task-eni': undefined, stack: 'prod', cores: '16' },
  { ec2InstanceId: 'i-0123', agentConnected: true, agentVersion: '1.80.0', runningTasksCount: 3, taskGroups: ['service:web', 'family:batch'] });
const t3 = instance({ 'ecs.instance-type': 't3.micro', 'ecs.availability-zone': 'us-east-1b', team: 'data science', cores: '2' },
  { ec2InstanceId: 'i-0456', agentConnected: false, agentVersion: '1.14.5', runningTasksCount: 0 });
const bare = instance({}, { ec2InstanceId: '' });
const all = { m5, t3, bare };

describe('evaluateQuery: attribute comparisons', () => {
  test('== / equals and != / not_equals compare strings exactly', () => {
    selects('attribute:ecs.instance-type == m5.large', all, ['m5']);
    selects('attribute:ecs.instance-type equals M5.large', all, []);
    selects('attribute:ecs.instance-type != m5.large', all, ['t3']);
    selects('attribute:ecs.instance-type not_equals t3.micro', all, ['m5']);
    selects('attribute:cores == 16.0', all, []);
  });

  test('every operator but !exists is false for a missing attribute (ECS: != does not select instances without it)', () => {
    for (const op of ['== prod', '!= prod', '> a', '>= a', '< z', '<= z', 'in [prod]', '!in [prod]', '=~ .*', '!~ x']) {
      assert.equal(holds(`attribute:stack ${op}`, t3), false, op);
    }
    assert.equal(holds('attribute:stack !exists', t3), true);
    assert.equal(holds('not(attribute:stack == prod)', t3), true);
  });

  test('an attribute set without a value exists but has no value to compare', () => {
    assert.equal(holds('attribute:ecs.capability.task-eni exists', m5), true);
    assert.equal(holds('attribute:ecs.capability.task-eni !exists', m5), false);
    for (const op of ['== true', '!= true', 'in [true]', '!in [true]', '=~ .*', '> a']) {
      assert.equal(holds(`attribute:ecs.capability.task-eni ${op}`, m5), false, op);
    }
  });

  test('exists / !exists / not_exists', () => {
    selects('attribute:stack exists', all, ['m5']);
    selects('attribute:stack !exists', all, ['t3', 'bare']);
    selects('attribute:stack not_exists', all, ['t3', 'bare']);
  });

  test('in / not_in', () => {
    selects('attribute:ecs.availability-zone in [us-east-1a, us-east-1c]', all, ['m5']);
    selects('attribute:ecs.availability-zone !in [us-east-1a, us-east-1c]', all, ['t3']);
    selects('attribute:ecs.availability-zone not_in [us-east-1a, us-east-1b]', all, []);
    selects("attribute:team in ['data science', ops]", all, ['t3']);
  });

  test('ordering compares numbers as numbers and other values as strings', () => {
    selects('attribute:cores > 9', all, ['m5']);
    selects('attribute:cores >= 2', all, ['m5', 't3']);
    selects('attribute:cores < 10', all, ['t3']);
    selects('attribute:cores <= 2.0', all, ['t3']);
    selects('attribute:cores greater_than 1e1', all, ['m5']);
    selects('attribute:ecs.instance-type > n', all, ['t3']);
    selects('attribute:ecs.instance-type less_than_equal m5.large', all, ['m5']);
    selects('attribute:ecs.instance-type greater_than_equal m5.large', all, ['m5', 't3']);
    selects('attribute:ecs.instance-type less_than m', all, []);
  });

  test('=~ / matches and !~ / not_matches match the whole value with a regular expression', () => {
    selects('attribute:ecs.instance-type =~ t3.*', all, ['t3']);
    selects('attribute:ecs.instance-type matches m5', all, []);
    selects('attribute:ecs.instance-type =~ .*\\.large', all, ['m5']);
    selects('attribute:ecs.instance-type =~ (m5|t3)\\..*', all, ['m5', 't3']);
    selects('attribute:ecs.instance-type =~ [mt][35].(large|micro)', all, ['m5', 't3']);
    selects('attribute:ecs.instance-type !~ t3.*', all, ['m5']);
    selects('attribute:ecs.instance-type not_matches .*', all, []);
    selects("attribute:team =~ 'data .*'", all, ['t3']);
    selects('attribute:ecs.instance-type =~ (?i)M5.*', all, ['m5']);
  });

  test('names are case-sensitive', () => {
    selects('attribute:Stack exists', all, []);
  });
});

describe('evaluateQuery: task:group', () => {
  test('== holds when any task on the instance is in the group', () => {
    selects('task:group == service:web', all, ['m5']);
    selects('task:group == family:batch', all, ['m5']);
    selects('task:group == database', all, []);
  });

  test('not(task:group == g) is anti-affinity: no task of g on the instance', () => {
    selects('not(task:group == service:web)', all, ['t3', 'bare']);
  });

  test('other operators hold when any group satisfies them, and never on an instance without tasks', () => {
    selects('task:group != service:web', all, ['m5']); // family:batch differs
    selects('task:group in [database, family:batch]', all, ['m5']);
    selects('task:group !in [service:web]', all, ['m5']);
    selects('task:group =~ service:.*', all, ['m5']);
    selects('task:group !~ service:.*', all, ['m5']);
    selects('task:group exists', all, ['m5']);
    selects('task:group !exists', all, ['t3', 'bare']);
  });
});

describe('evaluateQuery: instance fields', () => {
  test('ec2InstanceId', () => {
    selects('ec2InstanceId == i-0123', all, ['m5']);
    selects('ec2InstanceId != i-0123', all, ['t3']);
    selects("ec2InstanceId in ['i-0456', 'i-0789']", all, ['t3']);
    selects('ec2InstanceId !in [i-0456]', all, ['m5']);
    selects('ec2InstanceId =~ i-0[0-4].*', all, ['m5', 't3']);
    selects('ec2InstanceId !~ i-01.*', all, ['t3']);
  });

  test('agentConnected', () => {
    selects('agentConnected == true', all, ['m5']);
    selects('agentConnected == FALSE', all, ['t3']);
    selects('agentConnected != true', all, ['t3']);
    selects('agentConnected in [true, false]', all, ['m5', 't3']);
    selects('agentConnected not_in [true]', all, ['t3']);
    selects('agentConnected =~ t.*', all, ['m5']);
    selects('agentConnected !~ t.*', all, ['t3']);
  });

  test('agentVersion compares versions part by part', () => {
    selects('agentVersion < 1.14.5', all, []);
    selects('agentVersion <= 1.14.5', all, ['t3']);
    selects('agentVersion > 1.9', all, ['m5', 't3']); // 14 > 9 and 80 > 9, not string order
    selects('agentVersion == 1.80', all, ['m5']); // 1.80 is 1.80.0
    selects('agentVersion != 1.80.0', all, ['t3']);
    selects('agentVersion >= 1.80.0', all, ['m5']);
    assert.equal(holds('agentVersion > 1.80.0', instance({}, { agentVersion: '1.80.1-dev' })), true);
    assert.equal(holds('agentVersion != 1.0', instance({}, { agentVersion: 'unknown' })), false);
  });

  test('runningTasksCount compares numbers', () => {
    selects('runningTasksCount == 0', all, ['t3']);
    selects('runningTasksCount != 0', all, ['m5']);
    selects('runningTasksCount > 2', all, ['m5']);
    selects('runningTasksCount >= 3', all, ['m5']);
    selects('runningTasksCount < 10', all, ['m5', 't3']);
    selects('runningTasksCount <= 0', all, ['t3']);
  });

  test('registeredAt compares at the precision of the date written', () => {
    const at = (iso: string) => instance({}, { registeredAt: Date.parse(iso) });
    const dates = {
      feb12: at('2018-02-12T23:59:59.999Z'),
      feb13: at('2018-02-13T10:00:00Z'),
      feb14: at('2018-02-14T00:00:00Z'),
      asDate: instance({}, { registeredAt: new Date('2018-02-13T00:00:00Z') }),
    };
    selects('registeredAt < 2018-02-13', dates, ['feb12']);
    selects('registeredAt <= 2018-02-13', dates, ['feb12', 'feb13', 'asDate']);
    selects('registeredAt == 2018-02-13', dates, ['feb13', 'asDate']);
    selects('registeredAt != 2018-02-13', dates, ['feb12', 'feb14']);
    selects('registeredAt > 2018-02-13', dates, ['feb14']);
    selects('registeredAt >= 2018-02-13T10:00:00Z', dates, ['feb13', 'feb14']);
    selects('registeredAt == 2018-02-13T10:00:00', dates, ['feb13']);
    selects('registeredAt == 2018-02-13T12:00:00+02:00', dates, ['feb13']);
    selects('registeredAt < 2018-02-13T05:00:00-05:00', dates, ['feb12', 'asDate']);
  });

  test('a field the subject lacks satisfies nothing', () => {
    const none = instance({}, { ec2InstanceId: '' });
    for (const q of ['agentConnected == false', 'agentConnected != true', 'agentVersion < 99', 'registeredAt < 2100-01-01',
      'runningTasksCount == 0', 'ec2InstanceId != i-1', 'ec2InstanceId !in [i-1]', 'ec2InstanceId !~ x']) {
      assert.equal(holds(q, none), false, q);
    }
  });
});

describe('evaluateQuery: compound expressions', () => {
  test('and binds tighter than or; parentheses override', () => {
    selects('attribute:stack == prod or attribute:ecs.instance-type == t3.micro and agentConnected == true', all, ['m5']);
    selects('(attribute:stack == prod or attribute:ecs.instance-type == t3.micro) and agentConnected == false', all, ['t3']);
    selects('(attribute:stack == prod or attribute:ecs.instance-type == t3.micro) and agentConnected == true', all, ['m5']);
    selects('attribute:stack exists || agentConnected == false', all, ['m5', 't3']);
    selects('attribute:stack exists && agentConnected == true', all, ['m5']);
  });

  test('not and ! negate', () => {
    selects('not attribute:stack exists', all, ['t3', 'bare']);
    selects('!(attribute:stack exists)', all, ['t3', 'bare']);
    selects('!attribute:stack exists and agentConnected == false', all, ['t3']);
    selects('!!attribute:stack exists', all, ['m5']);
  });

  test('a parsed expression is reusable across instances (patterns compile once)', () => {
    const expr = parseQuery('attribute:ecs.instance-type =~ t3.* or agentVersion >= 1.80');
    assert.deepEqual([m5, t3, bare, m5, t3].map((s) => evaluateQuery(expr, s)), [true, true, false, true, true]);
  });
});
