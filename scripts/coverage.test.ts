/** docs/coverage/ says what the adapters do: regenerated in memory, it must equal what is committed. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { coveragePages } from './coverage.ts';

test('docs/coverage matches the adapters (run `npx tsx scripts/coverage.ts` to update)', () => {
  for (const [file, page] of coveragePages()) {
    assert.equal(readFileSync(new URL(`../docs/coverage/${file}.md`, import.meta.url), 'utf8'), page, `docs/coverage/${file}.md`);
  }
});
