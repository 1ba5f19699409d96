import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerDefinition } from '@aws-sdk/client-ecs';
import { buildDependencyGraph, startOrder, startReadiness, stopReady, type DependencyGraph, type DependencyProgress } from './depends-on.ts';

const graphOf = (defs: ContainerDefinition[]): DependencyGraph => {
  const built = buildDependencyGraph(defs);
  if ('error' in built) throw new Error(built.error);
  return built.graph;
};

const NOT_STARTED: DependencyProgress = { started: false, stopped: false, hasHealthCheck: false };
const RUNNING: DependencyProgress = { started: true, stopped: false, hasHealthCheck: false };
const exited = (exitCode: number): DependencyProgress => ({ started: true, stopped: true, exitCode, hasHealthCheck: false });
const NEVER_RAN: DependencyProgress = { started: false, stopped: true, hasHealthCheck: false };
const progress = (entries: Record<string, DependencyProgress>) => new Map(Object.entries(entries));

describe('dependency graph', () => {
  it('turns links and dependsOn into edges, links meaning START', () => {
    const g = graphOf([
      { name: 'db' },
      { name: 'init' },
      { name: 'app', links: ['db:database'], dependsOn: [{ containerName: 'init', condition: 'SUCCESS' }] },
    ]);
    assert.deepEqual(g.get('app'), [{ on: 'db', condition: 'START' }, { on: 'init', condition: 'SUCCESS' }]);
    assert.deepEqual(g.get('db'), []);
    assert.deepEqual(startOrder(g), ['db', 'init', 'app']);
  });

  it('an explicit condition on a linked container wins over the link', () => {
    const g = graphOf([{ name: 'db', healthCheck: { command: ['CMD', 'true'] } }, { name: 'app', links: ['db'], dependsOn: [{ containerName: 'db', condition: 'HEALTHY' }] }]);
    assert.deepEqual(g.get('app'), [{ on: 'db', condition: 'HEALTHY' }]);
  });

  it('rejects unknown containers, unknown conditions, self-dependencies and cycles', () => {
    const err = (defs: ContainerDefinition[]) => {
      const built = buildDependencyGraph(defs);
      return 'error' in built ? built.error : undefined;
    };
    assert.match(err([{ name: 'a', dependsOn: [{ containerName: 'x', condition: 'START' }] }]) ?? '', /depends on x, which is not in the task/);
    assert.match(err([{ name: 'a', links: ['x:y'] }]) ?? '', /links to x/);
    assert.match(err([{ name: 'a' }, { name: 'b', dependsOn: [{ containerName: 'a', condition: 'SOON' as 'START' }] }]) ?? '', /unknown dependency condition SOON/);
    assert.match(err([{ name: 'a', dependsOn: [{ containerName: 'a', condition: 'START' }] }]) ?? '', /depends on itself/);
    assert.match(err([
      { name: 'a', dependsOn: [{ containerName: 'c', condition: 'START' }] },
      { name: 'b', dependsOn: [{ containerName: 'a', condition: 'START' }] },
      { name: 'c', dependsOn: [{ containerName: 'b', condition: 'START' }] },
    ]) ?? '', /cycle: a -> c -> b -> a/);
  });
});

describe('start readiness', () => {
  const dep = (condition: 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY', healthCheck = false) =>
    graphOf([{ name: 'dep', ...(healthCheck && { healthCheck: { command: ['CMD', 'true'] } }) }, { name: 'app', dependsOn: [{ containerName: 'dep', condition }] }]);

  it('a container without dependencies is ready at once', () => {
    assert.deepEqual(startReadiness(dep('START'), 'dep', progress({ dep: NOT_STARTED, app: NOT_STARTED })), { kind: 'ready' });
  });

  it('START: waits until the dependency has started; met even if it ran and exited', () => {
    const g = dep('START');
    assert.deepEqual(startReadiness(g, 'app', progress({ dep: NOT_STARTED })), { kind: 'waiting', on: ['dep'] });
    assert.deepEqual(startReadiness(g, 'app', progress({ dep: RUNNING })), { kind: 'ready' });
    assert.deepEqual(startReadiness(g, 'app', progress({ dep: exited(1) })), { kind: 'ready' });
    assert.equal(startReadiness(g, 'app', progress({ dep: NEVER_RAN })).kind, 'blocked');
  });

  it('COMPLETE: waits for the exit, any code', () => {
    const g = dep('COMPLETE');
    assert.equal(startReadiness(g, 'app', progress({ dep: RUNNING })).kind, 'waiting');
    assert.equal(startReadiness(g, 'app', progress({ dep: exited(0) })).kind, 'ready');
    assert.equal(startReadiness(g, 'app', progress({ dep: exited(2) })).kind, 'ready');
    assert.equal(startReadiness(g, 'app', progress({ dep: NEVER_RAN })).kind, 'blocked');
  });

  it('SUCCESS: needs exit code 0; a failure blocks for good', () => {
    const g = dep('SUCCESS');
    assert.equal(startReadiness(g, 'app', progress({ dep: RUNNING })).kind, 'waiting');
    assert.equal(startReadiness(g, 'app', progress({ dep: exited(0) })).kind, 'ready');
    const r = startReadiness(g, 'app', progress({ dep: exited(3) }));
    assert.deepEqual(r, { kind: 'blocked', reason: 'SUCCESS condition on dep can no longer be met: it exited with code 3' });
  });

  it('HEALTHY: needs a health check that passes', () => {
    const g = dep('HEALTHY', true);
    const withHealth = (p: Partial<DependencyProgress>) => progress({ dep: { ...RUNNING, hasHealthCheck: true, ...p } });
    assert.equal(startReadiness(g, 'app', withHealth({ health: 'starting' })).kind, 'waiting');
    assert.equal(startReadiness(g, 'app', withHealth({ health: 'healthy' })).kind, 'ready');
    assert.equal(startReadiness(g, 'app', withHealth({ health: 'unhealthy' })).kind, 'blocked');
    assert.equal(startReadiness(g, 'app', withHealth({ stopped: true })).kind, 'blocked');
    assert.match((startReadiness(dep('HEALTHY'), 'app', progress({ dep: RUNNING })) as { reason: string }).reason, /no health check/);
  });

  it('waits on every unmet dependency at once', () => {
    const g = graphOf([{ name: 'a' }, { name: 'b' }, { name: 'c', links: ['a'], dependsOn: [{ containerName: 'b', condition: 'COMPLETE' }] }]);
    assert.deepEqual(startReadiness(g, 'c', progress({ a: NOT_STARTED, b: RUNNING })), { kind: 'waiting', on: ['a', 'b'] });
  });
});

describe('stop order', () => {
  const g = graphOf([
    { name: 'db' },
    { name: 'init' },
    { name: 'app', dependsOn: [{ containerName: 'db', condition: 'START' }, { containerName: 'init', condition: 'COMPLETE' }] },
  ]);

  it('stops dependents before what they depend on', () => {
    assert.equal(stopReady(g, 'app', progress({ db: RUNNING, app: RUNNING, init: exited(0) })), true);
    assert.equal(stopReady(g, 'db', progress({ db: RUNNING, app: RUNNING, init: exited(0) })), false);
    assert.equal(stopReady(g, 'db', progress({ db: RUNNING, app: exited(143), init: exited(0) })), true);
  });

  it('COMPLETE dependencies do not hold up shutdown', () => {
    assert.equal(stopReady(g, 'init', progress({ db: RUNNING, app: RUNNING, init: RUNNING })), true);
  });
});
