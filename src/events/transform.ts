/**
 * What a target receives: the whole event, a constant Input, the part InputPath selects, or an
 * InputTransformer's template filled from InputPathsMap (`<name>` placeholders; a string value
 * goes in as its text, anything else as JSON), with EventBridge's predefined variables.
 */
import type { TargetRecord } from './records.ts';

/** Reads `$`, `$.a.b`, `$.a[0]`, `$['a b']`; undefined where the event has nothing. */
export function readPath(value: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]/g)];
  if (steps.map((m) => m[0]).join('') !== path.slice(1)) return undefined;
  let current = value;
  for (const m of steps) {
    const key = m[1] ?? m[3];
    if (key !== undefined) current = typeof current === 'object' && current !== null && !Array.isArray(current) ? (current as Record<string, unknown>)[key] : undefined;
    else current = Array.isArray(current) ? current[Number(m[2])] : undefined;
    if (current === undefined) return undefined;
  }
  return current;
}

/** Whether a path is one `readPath` reads. */
export const isPath = (path: string): boolean => /^\$((\.[^.[\]]+)|(\[\d+\])|(\['[^']*'\]))*$/.test(path);

/** The text delivered to `target` for `event`, matched by the rule `ruleArn`. */
export function targetInput(target: TargetRecord, event: Record<string, unknown>, ruleArn: string, ingestedAt: number): string {
  if (target.input !== undefined) return target.input;
  if (target.inputPath !== undefined) return JSON.stringify(readPath(event, target.inputPath) ?? null);
  if (!target.inputTransformer) return JSON.stringify(event);
  const values: Record<string, unknown> = {
    'aws.events.rule-arn': ruleArn,
    'aws.events.rule-name': ruleArn.slice(ruleArn.lastIndexOf('/') + 1),
    'aws.events.event.ingestion-time': new Date(ingestedAt).toISOString(),
    'aws.events.event.json': event,
    'aws.events.event': event,
  };
  for (const [name, path] of Object.entries(target.inputTransformer.pathsMap ?? {})) values[name] = readPath(event, path);
  const template = target.inputTransformer.template;
  // In a JSON object template a placeholder outside quotes takes its value as JSON (a string quoted);
  // inside quotes, and in a text template, a string goes in as its text.
  const json = template.trim().startsWith('{');
  const quoted = json ? insideQuotes(template) : () => true;
  return template.replace(/<([A-Za-z0-9_.-]+)>/g, (whole, name: string, at: number) => {
    if (!Object.hasOwn(values, name)) return whole;
    const v = values[name];
    if (v === undefined) return json && !quoted(at) ? 'null' : '';
    if (typeof v === 'string') return quoted(at) ? JSON.stringify(v).slice(1, -1) : JSON.stringify(v);
    return JSON.stringify(v);
  });
}

/** Whether a position of a JSON text is inside a string literal. */
function insideQuotes(text: string): (at: number) => boolean {
  const inside: boolean[] = [];
  let open = false;
  for (let i = 0; i < text.length; i++) {
    inside.push(open);
    if (text[i] === '\\' && open) {
      inside.push(open);
      i++;
    } else if (text[i] === '"') open = !open;
  }
  return (at) => inside[at] ?? false;
}
