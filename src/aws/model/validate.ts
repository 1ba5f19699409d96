/**
 * The one check of a request against its API's model, at the edge, before any handler runs:
 * required members, enums, lengths, ranges, patterns and unions, with AWS's wording of each
 * constraint. The input is already decoded (each member has its model type); the validator only
 * judges values, walking members in model order, depth first.
 */
import type { Violation } from '../operation.ts';
import { compileJavaPattern } from './pattern.ts';
import type { ListShape, MapShape, ServiceModel, Shape, StructureShape } from './types.ts';

/** Compiled patterns by their Java text: converted once, shared by every shape that has it. */
const patterns = new Map<string, ((value: string) => boolean) | null>();

function patternTest(pattern: string): ((value: string) => boolean) | null {
  let test = patterns.get(pattern);
  if (test === undefined) {
    const compiled = compileJavaPattern(pattern);
    // The generator reports patterns JavaScript cannot express; here they are skipped.
    test = compiled.ok ? compiled.test : null;
    patterns.set(pattern, test);
  }
  return test;
}

type Constraint = Violation['constraint'];

/** One broken constraint of a single value, before it is placed at a path. */
interface Failure {
  constraint: Constraint;
  message: string;
}

/** The length AWS measures: Unicode code points of a string, bytes of a blob, entries of a list or map. */
function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string') {
    let n = 0;
    for (const _ of value) n++;
    return n;
  }
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

function formatBound(shape: Shape, bound: number): string {
  return (shape.type === 'float' || shape.type === 'double') && Number.isInteger(bound) ? `${bound}.0` : String(bound);
}

/** Every constraint a shape puts on a value, in AWS's order (enum, length, range, pattern), with whether the value meets it. */
function constraintsOf(shape: Shape, value: unknown): (Failure & { met: boolean })[] {
  const out: (Failure & { met: boolean })[] = [];
  if (shape.type === 'string' && shape.enum) {
    out.push({ constraint: 'enum', message: `Member must satisfy enum value set: [${shape.enum.join(', ')}]`, met: shape.enum.includes(String(value)) });
  }
  if (shape.type === 'string' || shape.type === 'blob' || shape.type === 'list' || shape.type === 'map') {
    const length = lengthOf(value);
    if (shape.max !== undefined) out.push({ constraint: 'length', message: `Member must have length less than or equal to ${shape.max}`, met: length === undefined || length <= shape.max });
    if (shape.min !== undefined) out.push({ constraint: 'length', message: `Member must have length greater than or equal to ${shape.min}`, met: length === undefined || length >= shape.min });
  }
  if (shape.type === 'integer' || shape.type === 'long' || shape.type === 'float' || shape.type === 'double') {
    const n = typeof value === 'number' ? value : typeof value === 'bigint' ? Number(value) : undefined;
    if (shape.max !== undefined) out.push({ constraint: 'range', message: `Member must have value less than or equal to ${formatBound(shape, shape.max)}`, met: n === undefined || n <= shape.max });
    if (shape.min !== undefined) out.push({ constraint: 'range', message: `Member must have value greater than or equal to ${formatBound(shape, shape.min)}`, met: n === undefined || n >= shape.min });
  }
  if (shape.type === 'string' && shape.pattern !== undefined) {
    const test = patternTest(shape.pattern);
    if (test) out.push({ constraint: 'pattern', message: `Member must satisfy regular expression pattern: ${shape.pattern}`, met: typeof value !== 'string' || test(value) });
  }
  return out;
}

class Validator {
  readonly violations: Violation[] = [];
  private readonly sensitive = new Map<string, boolean>();
  /** The objects on the current path, so a value that contains itself cannot loop. */
  private readonly ancestors = new Set<object>();

  constructor(private readonly model: ServiceModel) {}

  private shape(name: string): Shape {
    const shape = this.model.shapes[name];
    if (!shape) throw new Error(`model ${this.model.metadata.serviceId} has no shape ${name}`);
    return shape;
  }

  /** Whether a value of this shape may hold something sensitive (so it is never shown). */
  private isSensitive(name: string): boolean {
    const known = this.sensitive.get(name);
    if (known !== undefined) return known;
    this.sensitive.set(name, false); // a recursive shape is not sensitive through itself
    const shape = this.shape(name);
    let result = 'sensitive' in shape && Boolean(shape.sensitive);
    if (!result && shape.type === 'list') result = this.isSensitive(shape.member.shape);
    else if (!result && shape.type === 'map') result = this.isSensitive(shape.key.shape) || this.isSensitive(shape.value.shape);
    this.sensitive.set(name, result);
    return result;
  }

  /** Records a violation; `hidden` when the value sits inside a sensitive structure, list or map. */
  private add(path: (string | number)[], value: unknown, failure: Failure, shapeName: string, hidden: boolean): void {
    const violation: Violation = { path, value, constraint: failure.constraint, message: failure.message };
    if (hidden || this.isSensitive(shapeName)) violation.sensitive = true;
    this.violations.push(violation);
  }

  value(name: string, value: unknown, path: (string | number)[], hidden: boolean): void {
    const shape = this.shape(name);
    for (const c of constraintsOf(shape, value)) if (!c.met) this.add(path, value, c, name, hidden);
    const inner = hidden || ('sensitive' in shape && Boolean(shape.sensitive));
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date) return;
    if (this.ancestors.has(value)) return;
    this.ancestors.add(value);
    try {
      if (shape.type === 'structure') this.structure(shape, name, value as Record<string, unknown>, path, hidden, inner);
      else if (shape.type === 'list' && Array.isArray(value)) this.list(shape, name, value, path, hidden, inner);
      else if (shape.type === 'map') this.map(shape, name, value, path, hidden, inner);
    } finally {
      this.ancestors.delete(value);
    }
  }

  private structure(shape: StructureShape, name: string, value: Record<string, unknown>, path: (string | number)[], hidden: boolean, inner: boolean): void {
    const required = shape.required ?? [];
    if (shape.union) {
      const set = Object.keys(shape.members).filter((m) => value[m] !== undefined && value[m] !== null).length;
      if (set !== 1) this.add(path, value, { constraint: 'union', message: 'Member must have exactly one member set' }, name, hidden);
    }
    for (const [member, ref] of Object.entries(shape.members)) {
      const memberValue = value[member];
      if (memberValue === undefined || memberValue === null) {
        if (required.includes(member)) this.add([...path, member], undefined, { constraint: 'required', message: 'Member must not be null' }, ref.shape, inner);
        continue;
      }
      this.value(ref.shape, memberValue, [...path, member], inner);
    }
  }

  /**
   * AWS reports simple elements of a collection at the collection itself, once, listing every
   * constraint of their shape: `Member must satisfy constraint: [...]` for a list's elements,
   * `Map keys must satisfy constraint: [...]` and `Map value must satisfy constraint: [...]`.
   */
  private elements(label: string, target: string, values: unknown[], collection: { name: string; value: unknown; path: (string | number)[]; hidden: boolean }): void {
    const targetShape = this.shape(target);
    const failed = values.map((v) => constraintsOf(targetShape, v).find((c) => !c.met)).find((c) => c !== undefined);
    if (!failed) return;
    const all = constraintsOf(targetShape, undefined).map((c) => c.message).join(', ');
    this.add(collection.path, collection.value, { constraint: failed.constraint, message: `${label}: [${all}]` }, collection.name, collection.hidden);
  }

  /** Structures, lists and maps are walked into; simple values are checked together. */
  private isSimple(name: string): boolean {
    const type = this.shape(name).type;
    return type !== 'structure' && type !== 'list' && type !== 'map';
  }

  private list(shape: ListShape, name: string, value: unknown[], path: (string | number)[], hidden: boolean, inner: boolean): void {
    const present = value.map((v, i) => [v, i] as const).filter(([v]) => v !== undefined && v !== null);
    if (this.isSimple(shape.member.shape)) {
      this.elements('Member must satisfy constraint', shape.member.shape, present.map(([v]) => v), { name, value, path, hidden });
    } else {
      for (const [element, i] of present) this.value(shape.member.shape, element, [...path, i], inner);
    }
  }

  private map(shape: MapShape, name: string, value: object, path: (string | number)[], hidden: boolean, inner: boolean): void {
    const entries: [string, unknown][] = (value instanceof Map ? [...value.entries()] : Object.entries(value)).filter(([, v]) => v !== undefined && v !== null);
    const collection = { name, value, path, hidden };
    this.elements('Map keys must satisfy constraint', shape.key.shape, entries.map(([k]) => k), collection);
    if (this.isSimple(shape.value.shape)) {
      this.elements('Map value must satisfy constraint', shape.value.shape, entries.map(([, v]) => v), collection);
    } else {
      for (const [key, v] of entries) this.value(shape.value.shape, v, [...path, key], inner);
    }
  }
}

/**
 * Checks a decoded input against its shape in the model: every broken constraint, in member
 * order, depth first. An empty list means the input is valid.
 */
export function validateInput(model: ServiceModel, shape: string, value: unknown): Violation[] {
  const validator = new Validator(model);
  validator.value(shape, value ?? {}, [], false);
  return validator.violations;
}

