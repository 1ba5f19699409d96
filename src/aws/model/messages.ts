/**
 * How validation failures read. AWS's services word them one way for every API (the
 * `ValidationException` text of its service framework, which the Query and JSON services alike
 * return): `2 validation errors detected: Value 'a b' at 'userName' failed to satisfy
 * constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value null at
 * 'policyArn' failed to satisfy constraint: Member must not be null`. Wharf's own messages (ECS's
 * `InvalidParameterException` texts) name members the way a programmer writes them instead:
 * `containerDefinitions[0].name`.
 */
import type { Violation } from '../operation.ts';

/**
 * A path as AWS's validation messages write it: each member name with a lowercase first letter
 * (`UserName` → `userName`), a list element as its 1-based position and `member`
 * (`tags.1.member.key`).
 */
export function coralPath(path: readonly (string | number)[]): string {
  return path
    .map((segment) => (typeof segment === 'number' ? `${segment + 1}.member` : segment.charAt(0).toLowerCase() + segment.slice(1)))
    .join('.');
}

/** A path as Wharf's own messages write it: `containerDefinitions[0].name`. */
export function memberPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const segment of path) out += typeof segment === 'number' ? `[${segment}]` : out === '' ? segment : `.${segment}`;
  return out;
}

/** A value as AWS's messages show it (Java's rendering: `[a, b]`, `{k=v}`, blobs as byte buffers). */
export function coralValue(value: unknown): string {
  if (value === undefined || value === null) return 'null';
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return `java.nio.HeapByteBuffer[pos=0 lim=${value.byteLength} cap=${value.byteLength}]`;
  if (Array.isArray(value)) return `[${value.map(coralValue).join(', ')}]`;
  if (value instanceof Map) return `{${[...value.entries()].map(([k, v]) => `${coralValue(k)}=${coralValue(v)}`).join(', ')}}`;
  if (typeof value === 'object') return `{${Object.entries(value).map(([k, v]) => `${k}=${coralValue(v)}`).join(', ')}}`;
  return String(value);
}

/** One violation in AWS's words: `Value 'x' at 'userName' failed to satisfy constraint: ...`. */
export function coralViolation(violation: Violation): string {
  const at = `at '${coralPath(violation.path)}' failed to satisfy constraint: ${violation.message}`;
  if (violation.value === undefined || violation.value === null) return `Value null ${at}`;
  // A sensitive value is never echoed: AWS leaves the value out.
  if (violation.sensitive) return `Value ${at}`;
  return `Value '${coralValue(violation.value)}' ${at}`;
}

/**
 * The message of AWS's `ValidationException`: `1 validation error detected: ...`, or
 * `N validation errors detected: ...; ...`.
 */
export function coralValidationMessage(violations: readonly Violation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map(coralViolation).join('; ')}`;
}
