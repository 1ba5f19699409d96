/**
 * The ALB's pure parts: rule conditions against requests (AWS's documented examples), health
 * thresholds with their reason codes, status matchers, weighted target groups, and target picks
 * (fail open, round robin, least outstanding requests, slow start), with a property test that
 * draining and initial targets never take a request.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { Condition } from '../../lb/index.ts';
import { compileConditions, type RequestView } from './conditions.ts';
import { observe, registered, statusMatcher, type CheckResult } from './health.ts';
import { TargetPicker, pickWeighted, routable, type RoutableTarget } from './balance.ts';

function request(url: string, o: { host?: string; method?: string; headers?: Record<string, string[]>; sourceIp?: string } = {}): RequestView {
  const u = new URL(url, 'http://x');
  return {
    host: o.host ?? 'www.example.com', path: u.pathname, method: o.method ?? 'GET',
    header: (name) => o.headers?.[name] ?? [], query: [...u.searchParams.entries()], sourceIp: o.sourceIp ?? '10.0.0.5',
  };
}

describe('ALB rule conditions', () => {
  const path = (...values: string[]): Condition => ({ field: 'path-pattern', values, legacy: false });

  it('wildcards: * any run, ? one character, the whole path', () => {
    const p = compileConditions([path('/img/*')]);
    assert.ok(p(request('/img/a/b.png')));
    assert.ok(!p(request('/images/a')));
    assert.ok(compileConditions([path('/a?c')])(request('/abc')));
    assert.ok(!compileConditions([path('/a?c')])(request('/abbc')));
    assert.ok(!compileConditions([path('/a.b')])(request('/axb')), 'a dot is a dot');
  });

  it('host-header ignores case, path-pattern does not', () => {
    const host = compileConditions([{ field: 'host-header', values: ['*.example.com'], legacy: false }]);
    assert.ok(host(request('/', { host: 'API.Example.COM' })));
    assert.ok(!host(request('/', { host: 'example.org' })));
    const api = compileConditions([path('/API/*')]);
    assert.ok(api(request('/API/users?x=1')));
    assert.ok(!api(request('/api/users')));
  });

  it('every condition must hold; any value of one suffices', () => {
    const both = compileConditions([path('/orders/*', '/carts/*'), { field: 'http-request-method', values: ['POST', 'PUT'], legacy: false }]);
    assert.ok(both(request('/carts/1', { method: 'PUT' })));
    assert.ok(!both(request('/carts/1', { method: 'GET' })));
    assert.ok(!both(request('/users/1', { method: 'POST' })));
    assert.ok(!compileConditions([{ field: 'http-request-method', values: ['GET'], legacy: false }])(request('/', { method: 'get' })), 'method is exact');
    assert.ok(compileConditions([])(request('/anything')), 'no condition: the default rule');
  });

  it('http-header by name without case, values with wildcards; query-string pairs, key optional; source-ip CIDRs', () => {
    const header = compileConditions([{ field: 'http-header', headerName: 'User-Agent', values: ['*Mobile*'], legacy: false }]);
    assert.ok(header(request('/', { headers: { 'user-agent': ['Mozilla (iPhone; mobile)'] } })));
    assert.ok(!header(request('/', { headers: { 'user-agent': ['curl/8'] } })));
    const query = compileConditions([{ field: 'query-string', queryPairs: [{ key: 'version', value: 'v1' }, { value: '*example*' }], legacy: false }]);
    assert.ok(query(request('/?version=V1')));
    assert.ok(query(request('/?q=an%20example%20here')));
    assert.ok(!query(request('/?version=v2')));
    const source = compileConditions([{ field: 'source-ip', values: ['192.0.2.0/24', '198.51.100.10/32'], legacy: false }]);
    assert.ok(source(request('/', { sourceIp: '192.0.2.77' })));
    assert.ok(source(request('/', { sourceIp: '::ffff:198.51.100.10' })));
    assert.ok(!source(request('/', { sourceIp: '198.51.100.11' })));
  });
});

describe('ALB target health', () => {
  const t = { healthyThresholdCount: 2, unhealthyThresholdCount: 3 };
  const pass: CheckResult = { ok: true };
  const code: CheckResult = { ok: false, reason: 'Target.ResponseCodeMismatch', statusCode: 502 };
  const run = (results: CheckResult[]) => results.reduce((h, r) => observe(h, r, t), registered());

  it('initial until the healthy threshold, then healthy; unhealthy after the unhealthy threshold, with the reason', () => {
    assert.deepEqual(registered(), { state: 'initial', reason: 'Elb.RegistrationInProgress', description: 'Target registration is in progress', passes: 0, failures: 0 });
    assert.equal(run([pass]).reason, 'Elb.InitialHealthChecking');
    assert.equal(run([pass, pass]).state, 'healthy');
    assert.equal(run([pass, pass, code, code]).state, 'healthy', 'two failures are below the threshold');
    const down = run([pass, pass, code, code, code]);
    assert.deepEqual([down.state, down.reason, down.description], ['unhealthy', 'Target.ResponseCodeMismatch', 'Health checks failed with these codes: [502]']);
    assert.equal(run([pass, pass, code, code, code, pass]).state, 'unhealthy');
    assert.equal(run([pass, pass, code, code, code, pass, pass]).state, 'healthy');
    assert.equal(run([code, code, code]).state, 'unhealthy', 'a new target failing its checks');
    assert.equal(run([{ ok: false, reason: 'Target.Timeout' }, code, code]).description, 'Health checks failed with these codes: [502]', 'the latest failure says why');
  });

  it('matchers: single codes, lists and ranges; anything else refused', () => {
    const m = statusMatcher('200,202-204,302')!;
    assert.deepEqual([200, 201, 203, 204, 205, 302].map(m), [true, false, true, true, false, true]);
    assert.equal(statusMatcher('2xx'), undefined);
    assert.equal(statusMatcher('300-200'), undefined);
  });
});

describe('ALB target picks', () => {
  const target = (key: string, state: RoutableTarget['state'], healthySince?: number): RoutableTarget => ({ key, address: '10.0.0.1', port: Number(key.slice(1)) || 80, state, healthySince });

  it('healthy targets only; none healthy: every unhealthy one (fail open); initial and draining never', () => {
    assert.deepEqual(routable([target('a', 'healthy'), target('b', 'unhealthy'), target('c', 'draining')]).map((x) => x.key), ['a']);
    assert.deepEqual(routable([target('b', 'unhealthy'), target('c', 'draining'), target('d', 'initial'), target('e', 'unhealthy')]).map((x) => x.key), ['b', 'e']);
    assert.deepEqual(routable([target('d', 'initial')]), []);
  });

  it('weighted target groups split by weight; weight 0 never', () => {
    let seed = 1;
    const rng = () => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const counts = { blue: 0, green: 0, off: 0 };
    const groups = [{ name: 'blue' as const, weight: 80 }, { name: 'green' as const, weight: 20 }, { name: 'off' as const, weight: 0 }];
    for (let i = 0; i < 10_000; i++) counts[pickWeighted(groups, rng)!.name]++;
    assert.equal(counts.off, 0);
    assert.ok(Math.abs(counts.blue / 10_000 - 0.8) < 0.02, `80/20: ${JSON.stringify(counts)}`);
    assert.equal(pickWeighted([{ weight: 0 }], rng), undefined);
  });

  it('round robin goes round; least outstanding picks the least busy', () => {
    const picker = new TargetPicker(() => 0.5);
    const ts = [target('a', 'healthy'), target('b', 'healthy'), target('c', 'healthy')];
    const picked = Array.from({ length: 6 }, () => picker.pick(ts, 'round_robin', 0)!.key);
    assert.deepEqual(new Set(picked.slice(0, 3)), new Set(['a', 'b', 'c']));
    assert.deepEqual(picked.slice(3), picked.slice(0, 3));
    const endA = picker.begin(ts[0]!);
    picker.begin(ts[0]!);
    picker.begin(ts[1]!);
    assert.equal(picker.pick(ts, 'least_outstanding_requests', 0)!.key, 'c');
    endA();
    endA();
    assert.equal(picker.inFlight(ts[0]!), 1, 'an end counted once');
  });

  it('slow start: a new target takes a share that grows with its ramp', () => {
    let x = 0;
    const rng = () => (x = (x + 0.37) % 1);
    const picker = new TargetPicker(rng);
    const ts = [target('old', 'healthy', 0), target('new', 'healthy', 100_000)];
    const share = (now: number) => {
      let n = 0;
      for (let i = 0; i < 2000; i++) if (picker.pick(ts, 'round_robin', now, 60_000)!.key === 'new') n++;
      return n / 2000;
    };
    assert.ok(share(100_000 + 6_000) < share(100_000 + 45_000), 'more later in the ramp');
    assert.ok(Math.abs(share(200_000) - 0.5) < 0.05, 'an equal share once the ramp is over');
  });

  it('property: a pick is always a routable target', () => {
    const states = fc.constantFrom<RoutableTarget['state']>('initial', 'healthy', 'unhealthy', 'draining', 'unavailable');
    fc.assert(fc.property(fc.array(states, { maxLength: 8 }), fc.constantFrom('round_robin' as const, 'least_outstanding_requests' as const, 'weighted_random' as const), (ss, algorithm) => {
      const ts = ss.map((s, i) => target(`t${i}`, s));
      const candidates = routable(ts);
      const pick = new TargetPicker(Math.random).pick(candidates, algorithm, 0);
      if (candidates.length === 0) return pick === undefined;
      return pick !== undefined && (pick.state === 'healthy' || (pick.state === 'unhealthy' && !ts.some((t) => t.state === 'healthy')));
    }));
  });
});
