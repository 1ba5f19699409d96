/**
 * The load balancing domain on its own: conditions, actions, health checks and attributes
 * validated as ELBv2 does; the health join of registrations and the data plane's records; and,
 * on both store backends, addresses and rule priorities given once when creations race.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, type Ids } from '../common/index.ts';
import { defaultNetwork, ensureDefaultVpc } from '../network/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import {
  LbErrors, applyLoadBalancerAttributes, checkActions, checkConditions, createListener, createLoadBalancer, createRule, createTargetGroup,
  deleteLoadBalancer, describeRules, describeTargetHealth, healthCheckFor, healthOf, keys, matchesCode, putTargetHealth, registerTargets,
  type TargetGroupRecord,
} from './index.ts';

const scope = { account: '123456789012', region: 'us-east-1' };
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'none';
};
let counter = 0;
const ids: Ids = { hex32: () => `${(++counter).toString(16).padStart(16, '0')}${'f'.repeat(16)}`, uuid: () => `u-${++counter}` };

describe('rule conditions', () => {
  it('counts values and wildcards across a rule, one of each field but headers and query strings', () => {
    assert.equal(checkConditions([{ field: 'path-pattern', values: ['/api/*'] }])[0]!.legacy, true);
    assert.equal(code(() => checkConditions([{ field: 'path-pattern', pathPattern: ['/a', '/b', '/c'] }, { field: 'host-header', hostHeader: ['a', 'b', 'c'] }])), 'ValidationError');
    assert.equal(code(() => checkConditions([{ field: 'host-header', hostHeader: ['*a*', '*b*', '*c*'] }])), 'ValidationError', '6 wildcards');
    assert.equal(code(() => checkConditions([{ field: 'host-header', values: ['a'] }, { field: 'host-header', values: ['b'] }])), 'ValidationError');
    assert.equal(checkConditions([{ httpHeader: { name: 'X-A', values: ['1'] } }, { httpHeader: { name: 'X-B', values: ['2'] } }]).length, 2);
    assert.equal(code(() => checkConditions([{ field: 'source-ip', sourceIp: ['10.0.0.0/33'] }])), 'ValidationError');
    assert.equal(code(() => checkConditions([{ field: 'path-pattern', values: ['/a', '/b'] }])), 'ValidationError', 'Values holds one value');
    assert.equal(code(() => checkConditions([{ field: 'http-request-method', httpRequestMethod: ['get'] }])), 'ValidationError');
    assert.deepEqual(checkConditions([{ queryString: [{ key: 'v', value: '1' }, { value: 'x' }] }])[0], { field: 'query-string', queryPairs: [{ key: 'v', value: '1' }, { value: 'x' }], legacy: false });
  });
});

describe('actions', () => {
  const tg = `arn:aws:elasticloadbalancing:us-east-1:${scope.account}:targetgroup/a/0123456789abcdef`;
  it('one terminal action, last; forward, redirect and fixed-response as each load balancer type allows', () => {
    assert.equal(checkActions([{ type: 'forward', targetGroupArn: tg }], 'application')[0]!.order, 1);
    assert.equal(code(() => checkActions([{ type: 'redirect', redirectConfig: { statusCode: 'HTTP_301' } }], 'application')), 'InvalidLoadBalancerAction', 'a loop');
    assert.equal(code(() => checkActions([{ type: 'fixed-response', fixedResponseConfig: { statusCode: '200' } }], 'network')), 'InvalidLoadBalancerAction');
    assert.equal(code(() => checkActions([{ type: 'fixed-response', fixedResponseConfig: { statusCode: '302' } }], 'application')), 'ValidationError');
    assert.equal(code(() => checkActions([{ type: 'forward', order: 1, targetGroupArn: tg }, { type: 'forward', order: 2, targetGroupArn: tg }], 'application')), 'InvalidLoadBalancerAction');
    assert.equal(code(() => checkActions([{ type: 'forward', forwardConfig: { targetGroups: [{ targetGroupArn: tg, weight: 1000 }] } }], 'application')), 'ValidationError');
  });
});

describe('health checks and attributes', () => {
  it('AWS\'s defaults per protocol; timeout under interval; matcher ranges', () => {
    assert.deepEqual(healthCheckFor('HTTP', 'HTTP1', {}), {
      enabled: true, protocol: 'HTTP', port: 'traffic-port', intervalSeconds: 30, timeoutSeconds: 5, healthyThresholdCount: 5, unhealthyThresholdCount: 2, path: '/', matcher: { httpCode: '200' },
    });
    assert.deepEqual(healthCheckFor('TCP', undefined, { protocol: 'HTTP' }).matcher, { httpCode: '200-399' });
    assert.equal(healthCheckFor('TCP', undefined, { protocol: 'HTTP' }).timeoutSeconds, 6);
    assert.deepEqual(healthCheckFor('HTTP', 'GRPC', {}).matcher, { grpcCode: '12' });
    assert.equal(code(() => healthCheckFor('HTTP', 'HTTP1', { timeoutSeconds: 10, intervalSeconds: 10 })), 'ValidationError');
    assert.equal(code(() => healthCheckFor('HTTP', 'HTTP1', { matcher: { httpCode: '100' } })), 'ValidationError');
    assert.ok(matchesCode('200-299,302', 302) && matchesCode('200-299,302', 250) && !matchesCode('200-299,302', 301));
  });
  it('attributes: unknown keys are ValidationError, bad values InvalidConfigurationRequest', () => {
    assert.equal(code(() => applyLoadBalancerAttributes('application', {}, [{ key: 'load_balancing.cross_zone.enabled', value: 'false' }])), 'InvalidConfigurationRequest');
    assert.equal(code(() => applyLoadBalancerAttributes('network', {}, [{ key: 'idle_timeout.timeout_seconds', value: '60' }])), 'ValidationError');
    assert.equal(code(() => applyLoadBalancerAttributes('application', {}, [{ key: 'access_logs.s3.enabled', value: 'true' }])), 'InvalidConfigurationRequest');
  });
});

describe('the health join', () => {
  const group = { arn: 'tg', usedBy: [{ arn: 'l', loadBalancerArn: 'lb' }], healthCheck: { enabled: true } } as unknown as TargetGroupRecord;
  const reg = { targetGroupArn: 'tg', id: '10.0.0.1', port: 80, registeredAt: 100 };
  it('registration and health: initial until checked, the checker\'s state after, draining, unused', () => {
    assert.deepEqual(healthOf(group, reg, undefined, 200), { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress' });
    assert.deepEqual(healthOf(group, reg, { ...reg, state: 'healthy', checkedAt: 150 }, 200), { state: 'healthy' });
    assert.equal(healthOf(group, reg, { ...reg, state: 'healthy', checkedAt: 50 }, 200).state, 'initial', 'health from before this registration does not count');
    assert.deepEqual(healthOf(group, reg, { ...reg, state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [502]', checkedAt: 150 }, 200),
      { state: 'unhealthy', reason: 'Target.ResponseCodeMismatch', description: 'Health checks failed with these codes: [502]' });
    assert.equal(healthOf(group, { ...reg, drainingUntil: 300 }, undefined, 200).state, 'draining');
    assert.equal(healthOf(group, { ...reg, drainingUntil: 300 }, undefined, 300).reason, 'Target.NotRegistered');
    assert.equal(healthOf({ ...group, usedBy: [] }, reg, undefined, 200).reason, 'Target.NotInUse');
    assert.equal(healthOf({ ...group, healthCheck: { ...group.healthCheck, enabled: false } }, reg, undefined, 200).state, 'unavailable');
  });
});

for (const [backend, open] of Object.entries(storeBackends('lb'))) {
  describe(`on ${backend}`, () => {
    it('load balancers made at once get addresses of their own; deleting frees them', async () => {
      const store = await open();
      const clock = new ManualClock(1_000);
      await ensureDefaultVpc(store, scope, clock.now());
      const subnets = defaultNetwork(scope, 0).subnets.map((s) => ({ subnetId: s.subnetId }));
      const env = { store, clock, ids };
      const made = await Promise.all([0, 1, 2, 3, 4].map((n) => createLoadBalancer(env, scope, { name: `lb-${n}`, subnets, tags: [] })));
      const addresses = made.map((m) => m.address);
      assert.equal(new Set(addresses).size, 5, `distinct: ${addresses.join(' ')}`);
      assert.ok(addresses.every((a) => /^127\.255\.\d+\.\d+$/.test(a) && a !== '127.0.0.1'));
      assert.equal((await store.range(keys.addresses, {})).kvs.length, 5);
      await deleteLoadBalancer(store, scope, made[0]!.arn);
      assert.equal((await store.range(keys.addresses, {})).kvs.length, 4);
      const again = await createLoadBalancer(env, scope, { name: 'lb-again', subnets, tags: [] });
      assert.equal(again.address, made[0]!.address, 'the lowest free address again');
    });

    it('rules racing for one priority: one wins, the others PriorityInUse; health joins registrations with the data plane\'s records', async () => {
      const store = await open();
      const clock = new ManualClock(1_000);
      await ensureDefaultVpc(store, scope, clock.now());
      const { subnets, vpc } = defaultNetwork(scope, 0);
      const env = { store, clock, ids };
      const lb = await createLoadBalancer(env, scope, { name: 'race', subnets: subnets.map((s) => ({ subnetId: s.subnetId })), tags: [] });
      const group = await createTargetGroup(env, scope, { name: 'race', protocol: 'HTTP', port: 80, vpcId: vpc.vpcId, targetType: 'ip', healthCheck: {}, tags: [] });
      const forward = [{ type: 'forward', targetGroupArn: group.arn }];
      const listener = await createListener(env, scope, lb.arn, { port: 80, protocol: 'HTTP', defaultActions: forward }, async () => true);
      const results = await Promise.allSettled([1, 2, 3].map((n) => createRule(env, scope, {
        listenerArn: listener.arn, priority: 7, conditions: [{ field: 'path-pattern', values: [`/${n}`] }], actions: forward, tags: [],
      })));
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
      assert.ok(results.every((r) => r.status === 'fulfilled' || (r.reason as { code: string }).code === LbErrors.priorityInUse(7).code));
      assert.deepEqual((await describeRules(store, scope, { listenerArn: listener.arn })).map((r) => r.priority), [7, 'default']);

      await registerTargets(store, clock, scope, group.arn, [{ id: '172.31.0.20' }], async () => new Set());
      assert.equal((await describeTargetHealth(store, clock, scope, group.arn, undefined))[0]!.state, 'initial');
      clock.advance(5_000);
      assert.ok(await putTargetHealth(store, scope, group.id, { targetGroupArn: group.arn, id: '172.31.0.20', port: 80, state: 'healthy', checkedAt: clock.now() }));
      assert.equal((await describeTargetHealth(store, clock, scope, group.arn, undefined))[0]!.state, 'healthy');
      assert.equal(await putTargetHealth(store, scope, group.id, { targetGroupArn: group.arn, id: '172.31.0.99', port: 80, state: 'healthy', checkedAt: clock.now() }), false,
        'no health for a target that is not registered');
    });
  });
}
