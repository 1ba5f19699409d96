/**
 * The one-way imports of DESIGN.md, checked on every run: which part may import which, and no
 * import cycles between files. (A lint rule by another name: it fails the suite, not a review.)
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const src = new URL('../src', import.meta.url).pathname;

/** Part → the parts it may import (itself always allowed). */
const allowed: Record<string, string[]> = {
  common: [],
  scheduler: [],
  state: [],
  api: ['common'],
  registry: ['state', 'common'],
  services: ['api', 'state', 'scheduler', 'registry', 'common'],
  controllers: ['services', 'api', 'state', 'scheduler', 'registry', 'common'],
  agent: ['common'],
  cli: ['services', 'controllers', 'api', 'state', 'scheduler', 'registry', 'agent', 'common'],
};

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm;

function localImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => resolve(dirname(file), m[1]));
}

const partOf = (file: string) => relative(src, file).split('/')[0];
const all = files(src);
const graph = new Map(all.map((f) => [f, localImports(f)]));

describe('layering', () => {
  it('every import points the way DESIGN.md allows', () => {
    const wrong: string[] = [];
    for (const [file, imports] of graph) {
      const from = partOf(file);
      for (const target of imports) {
        const to = partOf(target);
        if (to !== from && !(allowed[from] ?? []).includes(to)) wrong.push(`${relative(src, file)} → ${relative(src, target)}`);
      }
    }
    assert.deepEqual(wrong, []);
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
