/**
 * Reads the Smithy schemas an AWS SDK for JavaScript v3 client carries (the static arrays of
 * `dist-es/schemas/schemas_0.js`, exported by the client's package as `<Name>$`) into plain
 * objects the model builder can merge with botocore's model.
 *
 * The encoding, as @smithy/core reads it:
 *  - a number is a simple type: 0 string, 1 number, 2 boolean, 4..7 timestamp (default,
 *    date-time, http-date, epoch-seconds), 15 document, 17 big integer, 19 big decimal,
 *    21 blob, 42 streaming blob; `64 | t` is an unnamed list of `t`, `128 | t` an unnamed
 *    map from string to `t`;
 *  - `"unit"` is the empty input or output;
 *  - a two-element array `[ref, traits]` is a member: a target plus the member's own traits;
 *  - a longer array is a named schema `[kind, namespace, name, traits, ...]`: kind 0 a simple
 *    type with traits (`..., ref]`), 1 a list (`..., member]`), 2 a map (`..., key, value]`),
 *    3 a structure, -3 an error and 4 a union (`..., memberNames, memberRefs, requiredCount?]`,
 *    the first `requiredCount` members being the required ones), 9 an operation
 *    (`..., input, output]`);
 *  - a function is a lazy reference to any of these (recursive shapes);
 *  - traits are either a bit vector (httpLabel, idempotent, idempotencyToken, sensitive,
 *    httpPayload, httpResponseCode, httpQueryParams from bit 0 up) or an object keyed by trait
 *    name (`error`, `httpError`, `awsQueryError`, `xmlName`, `xmlFlattened`, `ec2QueryName`, ...).
 */
import { createRequire } from 'node:module';

/** The traits of a schema or member, always as an object. */
export type Traits = Record<string, unknown>;

/** The scalar kinds a sentinel number stands for. */
export type SdkScalarKind = 'string' | 'number' | 'boolean' | 'timestamp' | 'document' | 'bigInteger' | 'bigDecimal' | 'blob';

/** A simple type: named when the SDK declared it with traits (e.g. a sensitive string). */
export interface SdkScalar {
  kind: SdkScalarKind;
  name?: string;
  traits: Traits;
  /** For timestamps: the format the sentinel names, when not the protocol's default. */
  timestampFormat?: 'iso8601' | 'epoch-seconds' | 'http-date';
  streaming?: boolean;
}

/** A list; unnamed when the SDK used the list sentinel. */
export interface SdkList {
  kind: 'list';
  name?: string;
  traits: Traits;
  member: SdkMember;
}

/** A map; unnamed when the SDK used the map sentinel. */
export interface SdkMap {
  kind: 'map';
  name?: string;
  traits: Traits;
  key: SdkMember;
  value: SdkMember;
}

/** A structure, an error or a union. */
export interface SdkStructure {
  kind: 'structure' | 'error' | 'union';
  name: string;
  traits: Traits;
  /** Members in the SDK's order (required ones first). */
  members: [string, SdkMember][];
  required: string[];
}

/** Any shape an SDK schema stands for. */
export type SdkType = SdkScalar | SdkList | SdkMap | SdkStructure;

/** A member: its target and the traits set on the member itself. */
export interface SdkMember {
  target: SdkType;
  traits: Traits;
}

/** An operation as the SDK declares it. */
export interface SdkOperation {
  name: string;
  traits: Traits;
  /** Absent for Smithy's `unit`. */
  input?: SdkStructure;
  output?: SdkStructure;
}

/** What one client's schemas hold. */
export interface SdkSchemas {
  operations: SdkOperation[];
  /** Every error shape the client registers, used by an operation or not. */
  errors: SdkStructure[];
}

const BIT_TRAITS = ['httpLabel', 'idempotent', 'idempotencyToken', 'sensitive', 'httpPayload', 'httpResponseCode', 'httpQueryParams'];

/** Traits as an object whichever way the schema encoded them. */
export function readTraits(indicator: unknown): Traits {
  if (indicator && typeof indicator === 'object') return { ...(indicator as Traits) };
  const bits = typeof indicator === 'number' ? indicator | 0 : 0;
  const traits: Traits = {};
  BIT_TRAITS.forEach((name, i) => {
    if ((bits >> i) & 1) traits[name] = 1;
  });
  return traits;
}

const TIMESTAMP_FORMATS: Record<number, SdkScalar['timestampFormat']> = { 5: 'iso8601', 6: 'http-date', 7: 'epoch-seconds' };

function scalarOf(sentinel: number): SdkScalar {
  const base: Record<number, SdkScalarKind> = { 0: 'string', 1: 'number', 2: 'boolean', 15: 'document', 17: 'bigInteger', 19: 'bigDecimal', 21: 'blob', 42: 'blob' };
  if (sentinel >= 4 && sentinel <= 7) {
    const format = TIMESTAMP_FORMATS[sentinel];
    return format ? { kind: 'timestamp', traits: {}, timestampFormat: format } : { kind: 'timestamp', traits: {} };
  }
  const kind = base[sentinel];
  if (!kind) throw new Error(`unknown simple schema sentinel ${sentinel}`);
  return sentinel === 42 ? { kind, traits: {}, streaming: true } : { kind, traits: {} };
}

function isScalar(type: SdkType): type is SdkScalar {
  return type.kind !== 'list' && type.kind !== 'map' && type.kind !== 'structure' && type.kind !== 'error' && type.kind !== 'union';
}

/** Walks schema references, building each named schema once so recursive shapes end. */
class SchemaReader {
  private readonly named = new Map<unknown[], SdkType>();

  type(ref: unknown): SdkType {
    const schema = typeof ref === 'function' ? (ref as () => unknown)() : ref;
    if (typeof schema === 'number') {
      if (schema >= 128 && schema < 256) {
        return { kind: 'map', traits: {}, key: { target: scalarOf(0), traits: {} }, value: { target: scalarOf(schema & 0b0011_1111), traits: {} } };
      }
      if (schema >= 64 && schema < 128) return { kind: 'list', traits: {}, member: { target: scalarOf(schema & 0b0011_1111), traits: {} } };
      return scalarOf(schema);
    }
    if (!Array.isArray(schema)) throw new Error(`unexpected schema ${JSON.stringify(schema)}`);
    if (schema.length === 2) throw new Error('a member schema where a shape was expected');
    const known = this.named.get(schema);
    if (known) return known;
    const [kind, , name, traitsIndicator] = schema as [number, string, string, unknown];
    const traits = readTraits(traitsIndicator);
    switch (kind) {
      case 0: {
        const inner = this.type(schema[4]);
        if (!isScalar(inner)) throw new Error(`simple schema ${name} wraps a ${inner.kind}`);
        const scalar: SdkScalar = { ...inner, name, traits: { ...inner.traits, ...traits } };
        this.named.set(schema, scalar);
        return scalar;
      }
      case 1: {
        const list: SdkList = { kind: 'list', name, traits, member: { target: scalarOf(0), traits: {} } };
        this.named.set(schema, list);
        list.member = this.member(schema[4]);
        return list;
      }
      case 2: {
        const map: SdkMap = { kind: 'map', name, traits, key: { target: scalarOf(0), traits: {} }, value: { target: scalarOf(0), traits: {} } };
        this.named.set(schema, map);
        map.key = this.member(schema[4]);
        map.value = this.member(schema[5]);
        return map;
      }
      case 3:
      case -3:
      case 4: {
        const structure: SdkStructure = { kind: kind === 3 ? 'structure' : kind === -3 ? 'error' : 'union', name, traits, members: [], required: [] };
        this.named.set(schema, structure);
        const names = schema[4] as string[];
        const refs = schema[5] as unknown[];
        const requiredCount = typeof schema[6] === 'number' ? schema[6] : 0;
        structure.members = names.map((member, i) => [member, this.member(refs[i])]);
        structure.required = names.slice(0, requiredCount);
        return structure;
      }
      default:
        throw new Error(`unexpected schema kind ${kind} for ${name}`);
    }
  }

  /** A member reference: `[ref, traits]` (possibly nested) or a bare ref. */
  member(ref: unknown): SdkMember {
    const traits: Traits = {};
    let current = ref;
    const stack: unknown[] = [];
    while (Array.isArray(current) && current.length === 2) {
      stack.push(current[1]);
      current = current[0];
    }
    for (let i = stack.length - 1; i >= 0; i--) Object.assign(traits, readTraits(stack[i]));
    return { target: this.type(current), traits };
  }

  structureOrUnit(ref: unknown, what: string): SdkStructure | undefined {
    const schema = typeof ref === 'function' ? (ref as () => unknown)() : ref;
    if (schema === 'unit') return undefined;
    const type = this.type(schema);
    if (type.kind !== 'structure') throw new Error(`${what} is a ${type.kind}, not a structure`);
    return type;
  }
}

/** Reads the operations and errors of an installed SDK client package (e.g. `@aws-sdk/client-ecs`). */
export function readSdkSchemas(clientPackage: string, fromDir: string): SdkSchemas {
  const require = createRequire(`${fromDir}/`);
  const exports = require(clientPackage) as Record<string, unknown>;
  const reader = new SchemaReader();
  const operations: SdkOperation[] = [];
  const errors: SdkStructure[] = [];
  for (const key of Object.keys(exports).sort()) {
    if (!key.endsWith('$')) continue;
    const schema = exports[key];
    if (!Array.isArray(schema) || schema.length < 5) continue;
    if (schema[0] === 9) {
      const name = schema[2] as string;
      operations.push({
        name,
        traits: readTraits(schema[3]),
        input: reader.structureOrUnit(schema[4], `${name} input`),
        output: reader.structureOrUnit(schema[5], `${name} output`),
      });
    } else if (schema[0] === -3) {
      const error = reader.type(schema);
      // The SDK's synthetic base exception (`<Service>ServiceException`) is no AWS error.
      if (error.kind === 'error' && !String(schema[1]).startsWith('smithy.ts.sdk.synthetic.')) errors.push(error);
    }
  }
  return { operations, errors };
}
