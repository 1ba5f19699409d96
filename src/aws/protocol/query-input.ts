/**
 * Reading an operation's input from form parameters (`Tags.member.1.Key=team`), as awsQuery and
 * ec2Query send it. The parameters are first arranged as a tree on their `.`-separated
 * segments, then the input shape is walked over the tree; each protocol says how a member, a
 * list item and a map entry are named. A value that does not parse as its model type
 * (`MaxItems=ten`) is an `InvalidParameterValue` error naming the parameter as sent.
 */
import { AwsError } from '../errors.ts';
import type { ListShape, MapShape, MemberRef, OperationModel, ServiceModel, StructureShape } from '../model/types.ts';
import {
  decodeBase64, INT32_MAX, INT32_MIN, isFlattened, NON_NUMERIC, parseTimestamp, setOwn, shapeOf, structureOf, timestampFormatOf,
} from './shapes.ts';
import type { WireRequest } from './types.ts';

/** Each request's form body, parsed once: routing reads `Action` and `Version` from it, the codec the rest. */
const forms = new WeakMap<WireRequest, URLSearchParams>();

/**
 * The parameters of a Query request: the form body of a POST sent as
 * `application/x-www-form-urlencoded` (how the SDKs send them), else the URL's query string (a
 * GET). The endpoint reads `Action` and `Version` from these to find the operation.
 */
export function queryParameters(request: WireRequest): URLSearchParams {
  const contentType = (request.headers['content-type'] ?? '').toLowerCase();
  if (request.method !== 'POST' || !contentType.startsWith('application/x-www-form-urlencoded')) return request.query;
  let form = forms.get(request);
  if (!form) {
    form = new URLSearchParams(request.body.toString('utf8'));
    forms.set(request, form);
  }
  return form;
}

/** One segment of the parameter names: the value sent for exactly this name, and the longer names below it. */
interface ParameterNode {
  value?: string;
  children: Map<string, ParameterNode>;
}

/** Arranges form parameters on their `.` segments. Segments are member names, `member`/`entry`/`key`/`value` and indexes, never data. */
function parameterTree(params: URLSearchParams): ParameterNode {
  const root: ParameterNode = { children: new Map() };
  for (const [name, value] of params) {
    let node = root;
    for (const segment of name.split('.')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  return root;
}

/** How a Query protocol names things on the wire. */
export interface QueryNaming {
  /** A structure member's parameter segment. */
  member(name: string, ref: MemberRef): string;
  /** Whether lists are always `Name.N` (ec2Query), whatever the model says about flattening. */
  flatLists: boolean;
  /** A map key's or value's segment (`key`/`value` unless the model renames it). */
  mapPart(ref: MemberRef, fallback: 'key' | 'value'): string;
}

/** The error both Query protocols give for a parameter that is not of its model type. */
function invalidParameter(parameter: string, problem: string, value?: string): AwsError {
  // Blobs may be secrets, so their text is never echoed; other values are cut short.
  const shown = value === undefined ? '' : ` '${value.length > 64 ? `${value.slice(0, 64)}…` : value}'`;
  return new AwsError('InvalidParameterValue', `Value${shown} for parameter ${parameter} is invalid: ${problem}.`, 400);
}

const INDEX = /^[1-9]\d*$/;
const INTEGER = /^[-+]?\d+$/;
const FLOAT = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

/** The children of `node` named by 1-based indexes, in index order (gaps closed, as a list has none). */
function indexed(node: ParameterNode): [string, ParameterNode][] {
  return [...node.children].filter(([segment]) => INDEX.test(segment)).sort(([a], [b]) => Number(a) - Number(b));
}

/** An operation's input read from a Query request's parameters, each member named as `naming` says. */
export function readQueryInput(naming: QueryNaming, model: ServiceModel, operation: OperationModel, request: WireRequest): Record<string, unknown> {
  if (!operation.input) return {};
  return new QueryInputReader(model, naming).read(structureOf(model, operation.input), parameterTree(queryParameters(request)));
}

/** Walks an input shape over a parameter tree. */
class QueryInputReader {
  constructor(
    private readonly model: ServiceModel,
    private readonly naming: QueryNaming,
  ) {}

  /** The input structure `shape` read from the root of the tree. */
  read(shape: StructureShape, root: ParameterNode): Record<string, unknown> {
    return this.structure(shape, root, '');
  }

  private structure(shape: StructureShape, node: ParameterNode, path: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [name, ref] of Object.entries(shape.members)) {
      const segment = this.naming.member(name, ref);
      const child = node.children.get(segment);
      if (!child) continue;
      const value = this.value(ref, child, path ? `${path}.${segment}` : segment);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }

  /** One member's value; undefined when the parameters do not carry one of its kind (`Name.x=1` for a string). */
  private value(ref: MemberRef, node: ParameterNode, path: string): unknown {
    const shape = shapeOf(this.model, ref.shape);
    switch (shape.type) {
      case 'structure':
        return this.structure(shape, node, path);
      case 'list':
        return this.list(ref, shape, node, path);
      case 'map':
        return this.map(ref, shape, node, path);
      default:
        return node.value === undefined ? undefined : this.scalar(ref, node.value, path);
    }
  }

  private list(ref: MemberRef, shape: ListShape, node: ParameterNode, path: string): unknown[] | undefined {
    const flat = this.naming.flatLists || isFlattened(ref, shape);
    const itemName = shape.member.locationName ?? 'member';
    const items = flat ? node : node.children.get(itemName);
    // `Name=` with nothing below it is how awsQuery sends an empty list.
    if (!items) return node.value === '' && node.children.size === 0 ? [] : undefined;
    const itemPath = flat ? path : `${path}.${itemName}`;
    const out: unknown[] = [];
    for (const [index, child] of indexed(items)) {
      const value = this.value(shape.member, child, `${itemPath}.${index}`);
      if (value !== undefined) out.push(value);
    }
    return out;
  }

  private map(ref: MemberRef, shape: MapShape, node: ParameterNode, path: string): Record<string, unknown> | undefined {
    const flat = isFlattened(ref, shape);
    const entries = flat ? node : node.children.get('entry');
    if (!entries) return node.value === '' && node.children.size === 0 ? {} : undefined;
    const keyName = this.naming.mapPart(shape.key, 'key');
    const valueName = this.naming.mapPart(shape.value, 'value');
    const entryPath = flat ? path : `${path}.entry`;
    const out: Record<string, unknown> = {};
    for (const [index, entry] of indexed(entries)) {
      const key = entry.children.get(keyName)?.value;
      const valueNode = entry.children.get(valueName);
      if (key === undefined || !valueNode) continue;
      const value = this.value(shape.value, valueNode, `${entryPath}.${index}.${valueName}`);
      if (value !== undefined) setOwn(out, key, value);
    }
    return out;
  }

  private scalar(ref: MemberRef, text: string, path: string): unknown {
    const shape = shapeOf(this.model, ref.shape);
    switch (shape.type) {
      case 'integer':
      case 'long': {
        if (!INTEGER.test(text)) throw invalidParameter(path, 'must be an integer', text);
        const n = Number(text);
        if (shape.type === 'integer' ? n < INT32_MIN || n > INT32_MAX : !Number.isSafeInteger(n)) {
          throw invalidParameter(path, `it is out of range for ${shape.type === 'integer' ? 'an integer' : 'a long'}`, text);
        }
        return n;
      }
      case 'float':
      case 'double':
        if (Object.hasOwn(NON_NUMERIC, text)) return NON_NUMERIC[text];
        if (!FLOAT.test(text)) throw invalidParameter(path, 'must be a number', text);
        return Number(text);
      case 'boolean': {
        const lower = text.toLowerCase();
        if (lower !== 'true' && lower !== 'false') throw invalidParameter(path, 'must be true or false', text);
        return lower === 'true';
      }
      case 'timestamp': {
        const format = timestampFormatOf(ref, shape, 'iso8601');
        const date = parseTimestamp(text, format);
        if (!date) throw invalidParameter(path, `must be a timestamp (${format === 'iso8601' ? 'ISO 8601, e.g. 2026-12-03T06:50:01Z' : format})`, text);
        return date;
      }
      case 'blob': {
        const bytes = decodeBase64(text);
        if (!bytes) throw invalidParameter(path, 'must be base64-encoded');
        return bytes;
      }
      default:
        // Strings, enums and (unsupported by the Query protocols) documents arrive as text.
        return text;
    }
  }
}
