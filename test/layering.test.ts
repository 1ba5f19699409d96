/**
 * The one-way imports of DESIGN.md, checked on every run (a lint rule by another name: it fails
 * the suite, not a review):
 *
 * - which part may import which (`allowed`), and every folder of src/ is a part in that table;
 * - a file importing another part imports that part's `index.ts`, its only door (an API
 *   adapter `services/<api>` is a part of its own, with `services/<api>/index.ts` as its door);
 *   test files and test harnesses may also import another part's harnesses (`testing.ts`,
 *   `*.testing.ts`);
 * - no `services/<a>` file imports `services/<b>`;
 * - no production file imports a test harness;
 * - no import cycles between files.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

const src = new URL('../src', import.meta.url).pathname;

/** Part → the parts it may import (itself always allowed). */
const allowed: Record<string, string[]> = {
  common: [],
  scheduler: [],
  state: [],
  aws: ['common'],
  registry: ['state', 'common', 'aws'],
  network: ['aws', 'state', 'common'],
  secrets: ['aws', 'state', 'common'],
  acm: ['aws', 'state', 'common'],
  parameters: ['aws', 'state', 'common'],
  events: ['aws', 'state', 'common'],
  efs: ['aws', 'network', 'state', 'common'],
  lb: ['aws', 'network', 'state', 'common'],
  discovery: ['aws', 'network', 'state', 'common'],
  codedeploy: ['aws', 'state', 'common'],
  queues: ['aws', 'state', 'common'],
  scaling: ['aws', 'events', 'metrics', 'state', 'common'],
  logs: ['aws', 'state', 'common'],
  metrics: ['aws', 'state', 'common'],
  ecs: ['aws', 'network', 'state', 'scheduler', 'common'],
  instances: ['aws', 'network', 'state', 'common'],
  autoscaling: ['aws', 'network', 'state', 'common'],
  identity: ['aws', 'state', 'common'],
  link: ['ecs', 'network', 'aws', 'identity', 'state', 'common'],
  services: ['aws', 'acm', 'codedeploy', 'queues', 'discovery', 'ecs', 'network', 'secrets', 'parameters', 'events', 'efs', 'lb', 'logs', 'metrics', 'identity', 'registry', 'state', 'scheduler', 'common', 'scaling', 'instances', 'autoscaling'],
  controllers: ['codedeploy', 'discovery', 'ecs', 'network', 'events', 'registry', 'metrics', 'identity', 'state', 'scheduler', 'common', 'scaling', 'instances', 'autoscaling'],
  agent: ['common'],
  // The web console runs in the browser and speaks to Wharf only through the AWS APIs.
  console: [],
  dataplane: ['discovery', 'lb', 'acm', 'network', 'metrics', 'state', 'common'],
  cli: ['services', 'controllers', 'dataplane', 'link', 'acm', 'codedeploy', 'queues', 'discovery', 'ecs', 'network', 'secrets', 'parameters', 'events', 'efs', 'lb', 'logs', 'metrics', 'identity', 'registry', 'aws', 'state', 'scheduler', 'agent', 'common', 'scaling', 'instances', 'autoscaling'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.tsx?$/.test(path) ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;

function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1]));
}

const partOf = (file: string) => relative(src, file).split('/')[0];
/** The unit a file belongs to for the door rule: its part, or `services/<api>` for an API adapter. */
const unitOf = (file: string) => {
  const [part, adapter] = relative(src, file).split('/');
  return part === 'services' ? `services/${adapter}` : part;
};
const doorOf = (unit: string) => join(src, unit, 'index.ts');
const isTest = (file: string) => file.endsWith('.test.ts');
const isHarness = (file: string) => basename(file) === 'testing.ts' || file.endsWith('.testing.ts');
const all = files(src);
const graph = new Map(all.map((f) => [f, localImports(f)]));
const edges = [...graph].flatMap(([file, imports]) => imports.map((target) => ({ file, target })));
const show = ({ file, target }: { file: string; target: string }) => `${relative(src, file)} → ${relative(src, target)}`;

describe('layering', () => {
  it('every folder of src/ is a part with a place in the table', () => {
    const parts = readdirSync(src).filter((name) => statSync(join(src, name)).isDirectory());
    assert.deepEqual(parts.filter((p) => !(p in allowed)), []);
  });

  it('every import points the way DESIGN.md allows', () => {
    const wrong = edges.filter(({ file, target }) => {
      const from = partOf(file);
      const to = partOf(target);
      return to !== from && !(allowed[from] ?? []).includes(to);
    });
    assert.deepEqual(wrong.map(show), []);
  });

  it("a file importing another part imports that part's index.ts (tests and harnesses may import its harnesses too)", () => {
    const wrong = edges.filter(({ file, target }) => {
      const to = unitOf(target);
      if (to === unitOf(file) || target === doorOf(to)) return false;
      return !((isTest(file) || isHarness(file)) && isHarness(target));
    });
    assert.deepEqual(wrong.map(show), []);
  });

  it('no services/<a> file imports services/<b>', () => {
    const wrong = edges.filter(({ file, target }) =>
      partOf(file) === 'services' && partOf(target) === 'services' && unitOf(file) !== unitOf(target));
    assert.deepEqual(wrong.map(show), []);
  });

  it('no production file imports a test harness', () => {
    const wrong = edges.filter(({ file, target }) => !isTest(file) && !isHarness(file) && isHarness(target));
    assert.deepEqual(wrong.map(show), []);
  });

  it('no file imports itself through a cycle', () => {
    const state = new Map<string, 'visiting' | 'done'>();
    const cycles: string[] = [];
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'visiting') {
        cycles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(src, f)).join(' → '));
        return;
      }
      state.set(file, 'visiting');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    assert.deepEqual(cycles, []);
  });
});
