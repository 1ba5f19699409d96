/**
 * The one check of a request against its API's model, at the edge, before any handler runs:
 * required members, enums, lengths, ranges, patterns and unions, with AWS's wording of each
 * constraint. The input is already decoded (each member has its model type); the validator only
 * judges values, walking members in model order, depth first.
 */
import type { Violation } from '../operation.ts';
import { compileJavaPattern } from './pattern.ts';
import type { ListShape, MapShape, MemberRef, ServiceModel, Shape, StructureShape } from './types.ts';

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

/** Code points of a string (what AWS's string lengths count). */
function codePoints(value: string): number {
  let n = 0;
  for (const _ of value) n++;
  return n;
}

/** The length AWS measures: Unicode code points of a string, bytes of a blob, entries of a list or map. */
function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string') return codePoints(value);
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  if (value && typeof value === 'object') return Object.keys(value).length;
  return undefined;
}

/**
 * A string's code points are at most its UTF-16 units and at least half of them: most strings
 * are judged by their units alone, without counting.
 */
function stringAtMost(value: string, max: number): boolean {
  return value.length <= max || codePoints(value) <= max;
}

function stringAtLeast(value: string, min: number): boolean {
  return value.length >= 2 * min || (value.length >= min && codePoints(value) >= min);
}

function formatBound(shape: Shape, bound: number): string {
  return (shape.type === 'float' || shape.type === 'double') && Number.isInteger(bound) ? `${bound}.0` : String(bound);
}

/** One constraint of a shape: what it is, AWS's message for it, and whether a value meets it. */
interface Check extends Failure {
  met(value: unknown): boolean;
}

/** Each shape's checks, made once: a request's thousands of values are judged without building a message. */
const compiled = new WeakMap<Shape, Check[]>();

/** Every constraint a shape puts on a value, in AWS's order (enum, length, range, pattern). */
function checksOf(shape: Shape): Check[] {
  let checks = compiled.get(shape);
  if (checks) return checks;
  checks = [];
  if (shape.type === 'string' && shape.enum) {
    const values = new Set<string>(shape.enum);
    checks.push({ constraint: 'enum', message: `Member must satisfy enum value set: [${shape.enum.join(', ')}]`, met: (v) => values.has(String(v)) });
  }
  if (shape.type === 'string' || shape.type === 'blob' || shape.type === 'list' || shape.type === 'map') {
    const { max, min } = shape;
    if (max !== undefined) {
      checks.push({
        constraint: 'length', message: `Member must have length less than or equal to ${max}`,
        met: (v) => {
          if (typeof v === 'string') return stringAtMost(v, max);
          const length = lengthOf(v);
          return length === undefined || length <= max;
        },
      });
    }
    if (min !== undefined) {
      checks.push({
        constraint: 'length', message: `Member must have length greater than or equal to ${min}`,
        met: (v) => {
          if (typeof v === 'string') return stringAtLeast(v, min);
          const length = lengthOf(v);
          return length === undefined || length >= min;
        },
      });
    }
  }
  if (shape.type === 'integer' || shape.type === 'long' || shape.type === 'float' || shape.type === 'double') {
    const { max, min } = shape;
    // A value that is not a number meets a range (its type was judged when it was decoded).
    const number = (v: unknown) => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : undefined);
    const within = (v: unknown, ok: (n: number) => boolean) => {
      const n = number(v);
      return n === undefined || ok(n);
    };
    if (max !== undefined) {
      checks.push({ constraint: 'range', message: `Member must have value less than or equal to ${formatBound(shape, max)}`, met: (v) => within(v, (n) => n <= max) });
    }
    if (min !== undefined) {
      checks.push({ constraint: 'range', message: `Member must have value greater than or equal to ${formatBound(shape, min)}`, met: (v) => within(v, (n) => n >= min) });
    }
  }
  if (shape.type === 'string' && shape.pattern !== undefined) {
    const test = patternTest(shape.pattern);
    if (test) checks.push({ constraint: 'pattern', message: `Member must satisfy regular expression pattern: ${shape.pattern}`, met: (v) => typeof v !== 'string' || test(v) });
  }
  compiled.set(shape, checks);
  return checks;
}

/** A structure's members as [name, ref] pairs, listed once per shape. */
const memberLists = new WeakMap<StructureShape, [string, MemberRef][]>();

function membersOf(shape: StructureShape): [string, MemberRef][] {
  let members = memberLists.get(shape);
  if (!members) {
    members = Object.entries(shape.members);
    memberLists.set(shape, members);
  }
  return members;
}

class Validator {
  readonly violations: Violation[] = [];
  private readonly sensitive = new Map<string, boolean>();
  /** The objects on the current path, so a value that contains itself cannot loop. */
  private readonly ancestors = new Set<object>();
  /** Where the value being judged is: members and indexes from the input's top (copied into a violation). */
  private readonly path: (string | number)[] = [];

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

  /** Records a violation at the current path; `hidden` when the value sits inside a sensitive structure, list or map. */
  private add(value: unknown, failure: Failure, shapeName: string, hidden: boolean): void {
    const violation: Violation = { path: [...this.path], value, constraint: failure.constraint, message: failure.message };
    if (hidden || this.isSensitive(shapeName)) violation.sensitive = true;
    this.violations.push(violation);
  }

  /** Judges `value` (a `name` shape) at the current path. */
  value(name: string, value: unknown, hidden: boolean): void {
    const shape = this.shape(name);
    for (const c of checksOf(shape)) if (!c.met(value)) this.add(value, c, name, hidden);
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || value instanceof Date) return;
    const inner = hidden || ('sensitive' in shape && Boolean(shape.sensitive));
    if (this.ancestors.has(value)) return;
    this.ancestors.add(value);
    try {
      if (shape.type === 'structure') this.structure(shape, name, value as Record<string, unknown>, hidden, inner);
      else if (shape.type === 'list' && Array.isArray(value)) this.list(shape, name, value, hidden, inner);
      else if (shape.type === 'map') this.map(shape, name, value, hidden, inner);
    } finally {
      this.ancestors.delete(value);
    }
  }

  /** Judges `value` at the current path with `key` added. */
  private child(key: string | number, name: string, value: unknown, hidden: boolean): void {
    this.path.push(key);
    try {
      this.value(name, value, hidden);
    } finally {
      this.path.pop();
    }
  }

  private structure(shape: StructureShape, name: string, value: Record<string, unknown>, hidden: boolean, inner: boolean): void {
    if (shape.union) {
      const set = Object.keys(shape.members).filter((m) => value[m] !== undefined && value[m] !== null).length;
      if (set !== 1) this.add(value, { constraint: 'union', message: 'Member must have exactly one member set' }, name, hidden);
    }
    for (const [member, ref] of membersOf(shape)) {
      const memberValue = value[member];
      if (memberValue === undefined || memberValue === null) {
        if (shape.required?.includes(member)) {
          this.path.push(member);
          this.add(undefined, { constraint: 'required', message: 'Member must not be null' }, ref.shape, inner);
          this.path.pop();
        }
        continue;
      }
      this.child(member, ref.shape, memberValue, inner);
    }
  }

  /**
   * AWS reports simple elements of a collection at the collection itself, once, listing every
   * constraint of their shape: `Member must satisfy constraint: [...]` for a list's elements,
   * `Map keys must satisfy constraint: [...]` and `Map value must satisfy constraint: [...]`.
   */
  private elements(label: string, target: string, values: Iterable<unknown>, collection: { name: string; value: unknown; hidden: boolean }): void {
    const checks = checksOf(this.shape(target));
    if (!checks.length) return;
    let failed: Check | undefined;
    for (const v of values) {
      if (v === undefined || v === null) continue;
      failed = checks.find((c) => !c.met(v));
      if (failed) break;
    }
    if (!failed) return;
    const all = checks.map((c) => c.message).join(', ');
    this.add(collection.value, { constraint: failed.constraint, message: `${label}: [${all}]` }, collection.name, collection.hidden);
  }

  /** Structures, lists and maps are walked into; simple values are checked together. */
  private isSimple(name: string): boolean {
    const type = this.shape(name).type;
    return type !== 'structure' && type !== 'list' && type !== 'map';
  }

  private list(shape: ListShape, name: string, value: unknown[], hidden: boolean, inner: boolean): void {
    if (this.isSimple(shape.member.shape)) {
      this.elements('Member must satisfy constraint', shape.member.shape, value, { name, value, hidden });
      return;
    }
    for (let i = 0; i < value.length; i++) {
      const element = value[i];
      if (element !== undefined && element !== null) this.child(i, shape.member.shape, element, inner);
    }
  }

  private map(shape: MapShape, name: string, value: object, hidden: boolean, inner: boolean): void {
    const entries: [string, unknown][] = (value instanceof Map ? [...value.entries()] : Object.entries(value)).filter(([, v]) => v !== undefined && v !== null);
    const collection = { name, value, hidden };
    this.elements('Map keys must satisfy constraint', shape.key.shape, entries.map(([k]) => k), collection);
    if (this.isSimple(shape.value.shape)) {
      this.elements('Map value must satisfy constraint', shape.value.shape, entries.map(([, v]) => v), collection);
    } else {
      for (const [key, v] of entries) this.child(key, shape.value.shape, v, inner);
    }
  }
}

/**
 * Checks a decoded input against its shape in the model: every broken constraint, in member
 * order, depth first. An empty list means the input is valid.
 */
export function validateInput(model: ServiceModel, shape: string, value: unknown): Violation[] {
  const validator = new Validator(model);
  validator.value(shape, value ?? {}, false);
  return validator.violations;
}

