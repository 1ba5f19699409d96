// Prints the node_modules directories a set of packages needs (their dependency closure), one per line.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = process.argv[2];
const seen = new Set();
const visit = (name) => {
  if (seen.has(name)) return;
  const dir = join(root, 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) return;
  seen.add(name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep);
};
for (const name of process.argv.slice(3)) visit(name);
console.log([...seen].map((n) => `node_modules/${n}`).join('\n'));
