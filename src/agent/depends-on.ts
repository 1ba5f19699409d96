/**
 * The container dependency graph of one task: when a container may start (its `dependsOn`
 * conditions and `links`), and when it may stop (shutdown runs in reverse). Pure: it reads a
 * snapshot of the containers' progress and answers; the task owner acts on the answer.
 *
 * Conditions, as ECS defines them:
 *   START    the dependency has started (links imply this)
 *   COMPLETE the dependency has run and exited, with any exit code
 *   SUCCESS  the dependency has run and exited with code 0
 *   HEALTHY  the dependency's health check passes (it must have one)
 * A condition that can no longer be met (a SUCCESS dependency exited 1, a dependency that was
 * never started and never will be) blocks the container for good.
 */
import type { ContainerDefinition } from '@aws-sdk/client-ecs';

/** The ECS dependency conditions. */
export type DependencyCondition = 'START' | 'COMPLETE' | 'SUCCESS' | 'HEALTHY';

/** One edge: `from` waits for `on` to meet `condition`. */
export interface DependencyEdge {
  on: string;
  condition: DependencyCondition;
}

/** Edges per container name, for every container of the task. */
export type DependencyGraph = ReadonlyMap<string, readonly DependencyEdge[]>;

/** What the graph needs to know of one container right now. */
export interface DependencyProgress {
  /** Has been started (is running, or ran and exited). */
  started: boolean;
  /** Is not running and will not run again (exited, failed, or given up). */
  stopped: boolean;
  exitCode?: number;
  health?: 'starting' | 'healthy' | 'unhealthy';
  hasHealthCheck: boolean;
}

/** Whether a container may start now. */
export type Readiness =
  | { kind: 'ready' }
  | { kind: 'waiting'; on: string[] }
  | { kind: 'blocked'; reason: string };

const CONDITIONS: readonly string[] = ['START', 'COMPLETE', 'SUCCESS', 'HEALTHY'];

/**
 * Builds the graph from container definitions, or says why it cannot be built (a dependency
 * on a container the task does not have, an unknown condition, a cycle).
 */
export function buildDependencyGraph(containers: readonly ContainerDefinition[]): { graph: DependencyGraph } | { error: string } {
  const names = new Set(containers.map((c) => c.name ?? ''));
  const graph = new Map<string, DependencyEdge[]>();
  for (const c of containers) {
    const name = c.name ?? '';
    const edges = new Map<string, DependencyEdge>();
    for (const link of c.links ?? []) {
      const on = link.split(':')[0] ?? '';
      if (!names.has(on)) return { error: `container ${name} links to ${on}, which is not in the task` };
      if (!edges.has(on)) edges.set(on, { on, condition: 'START' });
    }
    for (const d of c.dependsOn ?? []) {
      const on = d.containerName ?? '';
      if (!names.has(on)) return { error: `container ${name} depends on ${on}, which is not in the task` };
      if (on === name) return { error: `container ${name} depends on itself` };
      const condition = d.condition ?? '';
      if (!CONDITIONS.includes(condition)) return { error: `container ${name} has an unknown dependency condition ${condition}` };
      edges.set(on, { on, condition: condition as DependencyCondition });
    }
    graph.set(name, [...edges.values()]);
  }
  const cycle = findCycle(graph);
  if (cycle) return { error: `container dependencies form a cycle: ${cycle.join(' -> ')}` };
  return { graph };
}

/** Whether `name` may start, given every container's progress. */
export function startReadiness(graph: DependencyGraph, name: string, progress: ReadonlyMap<string, DependencyProgress>): Readiness {
  const waiting: string[] = [];
  for (const edge of graph.get(name) ?? []) {
    const p = progress.get(edge.on);
    if (!p) return { kind: 'blocked', reason: `dependency ${edge.on} is not in the task` };
    const verdict = edgeVerdict(edge, p);
    if (verdict === 'waiting') waiting.push(edge.on);
    else if (verdict !== 'met') return { kind: 'blocked', reason: `${edge.condition} condition on ${edge.on} can no longer be met: ${verdict}` };
  }
  return waiting.length ? { kind: 'waiting', on: waiting } : { kind: 'ready' };
}

function edgeVerdict(edge: DependencyEdge, p: DependencyProgress): 'met' | 'waiting' | string {
  switch (edge.condition) {
    case 'START':
      if (p.started) return 'met';
      return p.stopped ? 'it never started' : 'waiting';
    case 'COMPLETE':
      if (p.stopped) return p.started ? 'met' : 'it never started';
      return 'waiting';
    case 'SUCCESS':
      if (!p.stopped) return 'waiting';
      if (!p.started) return 'it never started';
      return p.exitCode === 0 ? 'met' : `it exited with code ${p.exitCode ?? 'unknown'}`;
    case 'HEALTHY':
      if (!p.hasHealthCheck) return 'it has no health check';
      if (p.stopped) return 'it stopped';
      if (p.health === 'healthy') return 'met';
      if (p.health === 'unhealthy') return 'it is unhealthy';
      return 'waiting';
  }
}

/**
 * Whether `name` may be stopped: shutdown is startup reversed, so every container that
 * depends on it being up (START or HEALTHY, and links) must have stopped first.
 */
export function stopReady(graph: DependencyGraph, name: string, progress: ReadonlyMap<string, DependencyProgress>): boolean {
  for (const [dependent, edges] of graph) {
    if (!edges.some((e) => e.on === name && (e.condition === 'START' || e.condition === 'HEALTHY'))) continue;
    const p = progress.get(dependent);
    if (p && !p.stopped) return false;
  }
  return true;
}

/** A start order that respects every edge (dependencies first), ties in definition order. */
export function startOrder(graph: DependencyGraph): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < graph.size) {
    const next = [...graph.keys()].find((n) => !placed.has(n) && (graph.get(n) ?? []).every((e) => placed.has(e.on)));
    if (next === undefined) throw new Error('startOrder: the graph has a cycle');
    order.push(next);
    placed.add(next);
  }
  return order;
}

function findCycle(graph: DependencyGraph): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string[] | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'visiting') return [...path.slice(path.indexOf(n)), n];
    state.set(n, 'visiting');
    path.push(n);
    for (const e of graph.get(n) ?? []) {
      const c = visit(e.on);
      if (c) return c;
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of graph.keys()) {
    const c = visit(n);
    if (c) return c;
  }
  return undefined;
}
