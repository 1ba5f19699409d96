/**
 * The restJson1 protocol (EFS, and most APIs made since 2015): the operation is the HTTP method
 * and path its model's `http` trait names (`DELETE /2015-02-01/access-points/{AccessPointId}`);
 * input members travel in the path (`location: uri`), the query string, headers, or a JSON body;
 * the output's status is the model's `responseCode`. Errors name their shape in
 * `x-amzn-ErrorType` and carry the shape's members (`ErrorCode`, `Message`) in a JSON body, which
 * is where the SDKs and the CLI look for them.
 */
import { CommonErrors, type AwsError } from '../errors.ts';
import type { MemberRef, OperationModel, ServiceModel, StructureShape } from '../model/types.ts';
import { decodeValue, encodeValue, parseBody } from './json.ts';
import {
  decodeBase64, encodeBase64, formatTimestamp, INT32_MAX, INT32_MIN, NON_NUMERIC, parseTimestamp, setOwn, shapeOf, structureOf,
  timestampFormatOf, wireError,
} from './shapes.ts';
import type { Codec, WireRequest, WireResponse } from './types.ts';

/** One segment of a path template: a literal, a `{Label}`, or a greedy `{Label+}` that takes the rest of the path. */
type Segment = { literal: string } | { label: string; greedy: boolean };

/** A request URI template split into its path segments and the literal query it requires (`?tagging`). */
interface UriTemplate {
  segments: Segment[];
  query: [string, string | undefined][];
  /** How many literal segments: the more, the more specific (a literal beats a label at the same place). */
  literals: number;
}

const templates = new Map<string, UriTemplate>();

/** Path segments without the empty ones a leading or trailing `/` makes (the CLI sends `/tags/fs-1/` for `/tags/{FileSystemId}`). */
const segmentsOf = (path: string): string[] => path.split('/').filter((s, i, all) => s !== '' || (i > 0 && i < all.length - 1));

/** The parsed template of a `requestUri`, cached (there are a few dozen per API). */
export function uriTemplate(requestUri: string): UriTemplate {
  let t = templates.get(requestUri);
  if (t) return t;
  const [path = '', query = ''] = requestUri.split('?', 2);
  const segments = segmentsOf(path).map((s): Segment => {
    const m = /^\{([^}+]+)(\+?)\}$/.exec(s);
    return m ? { label: m[1]!, greedy: m[2] === '+' } : { literal: s };
  });
  const literalQuery = query ? query.split('&').map((p): [string, string | undefined] => {
    const [k = '', v] = p.split('=', 2);
    return [k, v];
  }) : [];
  t = { segments, query: literalQuery, literals: segments.filter((s) => 'literal' in s).length };
  templates.set(requestUri, t);
  return t;
}

/** A path segment as the SDKs percent-encode it, decoded; undefined when it is not valid percent-encoding. */
function decodeSegment(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

/** The labels of `path` (raw, as sent) when it matches the template and `query` has the template's literal query; else undefined. */
export function matchUri(template: UriTemplate, path: string, query: URLSearchParams): Record<string, string> | undefined {
  const parts = segmentsOf(path);
  const labels: Record<string, string> = {};
  for (let i = 0; i < template.segments.length; i++) {
    const seg = template.segments[i]!;
    if ('literal' in seg) {
      if (parts[i] !== seg.literal) return undefined;
      continue;
    }
    const raw = seg.greedy ? parts.slice(i) : parts.slice(i, i + 1);
    const decoded = raw.map(decodeSegment);
    if (decoded.length === 0 || decoded.some((d) => d === undefined || d === '')) return undefined;
    labels[seg.label] = decoded.join('/');
    if (seg.greedy) return template.query.every(([k, v]) => query.has(k) && (v === undefined || query.get(k) === v)) ? labels : undefined;
  }
  if (parts.length !== template.segments.length) return undefined;
  return template.query.every(([k, v]) => query.has(k) && (v === undefined || query.get(k) === v)) ? labels : undefined;
}

/** The operation of `model` a request's method and path name: the most specific template that matches. */
export function restOperationOf(model: ServiceModel, request: WireRequest): OperationModel | undefined {
  let best: { op: OperationModel; literals: number } | undefined;
  for (const op of Object.values(model.operations)) {
    if (!op.http || op.http.method !== request.method) continue;
    const template = uriTemplate(op.http.requestUri);
    if (!matchUri(template, request.path, request.query)) continue;
    if (!best || template.literals > best.literals) best = { op, literals: template.literals };
  }
  return best?.op;
}

const bad = (path: string, want: string, text: string) => CommonErrors.serialization(`${path} must be ${want}, not '${text}'.`);

/** A scalar member from its text in the path, the query string or a header. */
function fromText(model: ServiceModel, ref: MemberRef, text: string, path: string, where: 'uri' | 'querystring' | 'header'): unknown {
  const shape = shapeOf(model, ref.shape);
  switch (shape.type) {
    case 'string':
      return text;
    case 'integer':
    case 'long': {
      if (!/^-?\d+$/.test(text)) throw bad(path, 'an integer', text);
      const n = Number(text);
      if (shape.type === 'integer' ? n < INT32_MIN || n > INT32_MAX : !Number.isSafeInteger(n)) throw bad(path, `a${shape.type === 'integer' ? 'n integer' : ' long'} in range`, text);
      return n;
    }
    case 'float':
    case 'double': {
      if (Object.hasOwn(NON_NUMERIC, text)) return NON_NUMERIC[text];
      const n = Number(text);
      if (text.trim() === '' || !Number.isFinite(n)) throw bad(path, 'a number', text);
      return n;
    }
    case 'boolean':
      if (text !== 'true' && text !== 'false') throw bad(path, 'true or false', text);
      return text === 'true';
    case 'timestamp': {
      const format = timestampFormatOf(ref, shape, where === 'header' ? 'http-date' : 'iso8601');
      const date = parseTimestamp(text, format);
      if (!date) throw bad(path, `a timestamp (${format})`, text);
      return date;
    }
    case 'blob': {
      const bytes = decodeBase64(text);
      if (!bytes) throw bad(path, 'base64', text);
      return bytes;
    }
    default:
      throw new Error(`${model.metadata.serviceId}: a ${shape.type} cannot be bound to ${where}.`);
  }
}

/** A member bound to the query string or a header: a list reads every value, anything else one. */
function boundValue(model: ServiceModel, ref: MemberRef, values: string[], path: string, where: 'querystring' | 'header'): unknown {
  const shape = shapeOf(model, ref.shape);
  if (shape.type === 'list') return values.map((v, i) => fromText(model, shape.member, v, `${path}[${i}]`, where));
  return fromText(model, ref, values[0]!, path, where);
}

/** Header values of a list member: comma-separated. */
const headerValues = (text: string): string[] => text.split(',').map((v) => v.trim()).filter((v) => v !== '');

/** Reads the input members bound to the path, query and headers; the rest come from the JSON body (or the payload member). */
function decodeRestInput(model: ServiceModel, operation: OperationModel, request: WireRequest): Record<string, unknown> {
  if (!operation.input) return {};
  const shape = structureOf(model, operation.input);
  const labels = operation.http ? matchUri(uriTemplate(operation.http.requestUri), request.path, request.query) ?? {} : {};
  const out: Record<string, unknown> = {};
  const bodyMembers: [string, MemberRef][] = [];
  const boundQuery = new Set<string>();
  let queryMap: [string, MemberRef] | undefined;
  for (const [name, ref] of Object.entries(shape.members)) {
    const wire = ref.locationName ?? name;
    switch (ref.location) {
      case 'uri':
        if (labels[name] !== undefined) out[name] = fromText(model, ref, labels[name], name, 'uri');
        break;
      case 'querystring':
        if (shapeOf(model, ref.shape).type === 'map') queryMap = [name, ref];
        else {
          boundQuery.add(wire);
          const values = request.query.getAll(wire);
          if (values.length > 0) out[name] = boundValue(model, ref, values, wire, 'querystring');
        }
        break;
      case 'header': {
        const text = request.headers[wire.toLowerCase()];
        if (text === undefined) break;
        const list = shapeOf(model, ref.shape).type === 'list';
        out[name] = boundValue(model, ref, list ? headerValues(text) : [text], wire, 'header');
        break;
      }
      case 'headers': {
        const prefix = wire.toLowerCase();
        const map: Record<string, unknown> = {};
        for (const [h, v] of Object.entries(request.headers)) if (h.startsWith(prefix) && v !== undefined) setOwn(map, h.slice(prefix.length), v);
        if (Object.keys(map).length) out[name] = map;
        break;
      }
      case 'statusCode':
        break;
      default:
        bodyMembers.push([name, ref]);
    }
  }
  if (queryMap) {
    const map: Record<string, unknown> = {};
    for (const key of new Set(request.query.keys())) if (!boundQuery.has(key)) setOwn(map, key, request.query.get(key));
    if (Object.keys(map).length) out[queryMap[0]] = map;
  }
  const payload = bodyMembers.find(([, ref]) => ref.payload);
  if (payload) {
    const [name, ref] = payload;
    const kind = shapeOf(model, ref.shape).type;
    if (kind === 'structure' || kind === 'document') {
      if (request.body.length) out[name] = decodeValue(model, ref, parseBody(request.body), name);
    } else if (request.body.length) out[name] = kind === 'string' ? request.body.toString('utf8') : new Uint8Array(request.body);
    return out;
  }
  if (bodyMembers.length === 0) return out;
  const json = parseBody(request.body);
  for (const [name, ref] of bodyMembers) {
    const wire = ref.locationName ?? name;
    if (!Object.hasOwn(json, wire) || json[wire] === null || json[wire] === undefined) continue;
    out[name] = decodeValue(model, ref, json[wire], wire);
  }
  return out;
}

/** A header member's text: timestamps as HTTP dates (unless the model says otherwise), lists comma-separated. */
function headerText(model: ServiceModel, ref: MemberRef, value: unknown): string {
  const shape = shapeOf(model, ref.shape);
  if (shape.type === 'list' && Array.isArray(value)) return value.map((v) => headerText(model, shape.member, v)).join(', ');
  if (value instanceof Date) return formatTimestamp(value, timestampFormatOf(ref, shape, 'http-date'));
  if (value instanceof Uint8Array) return encodeBase64(value);
  return String(value);
}

/** Writes an output: members bound to headers and the status go there, the rest (or the payload member) is the body. */
function encodeRestOutput(model: ServiceModel, operation: OperationModel, output: Record<string, unknown>, requestId: string): WireResponse {
  let status = operation.http?.responseCode ?? 200;
  const headers: Record<string, string> = { 'x-amzn-RequestId': requestId };
  const shape: StructureShape | undefined = operation.output ? structureOf(model, operation.output) : undefined;
  const body: Record<string, unknown> = {};
  let payload: string | Buffer | undefined;
  for (const [name, ref] of Object.entries(shape?.members ?? {})) {
    const value = output[name];
    if (value === undefined || value === null) continue;
    const wire = ref.locationName ?? name;
    if (ref.location === 'header') headers[wire] = headerText(model, ref, value);
    else if (ref.location === 'headers' && typeof value === 'object') {
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) headers[`${wire}${k}`] = String(v);
    } else if (ref.location === 'statusCode' && typeof value === 'number') status = value;
    else if (ref.payload) {
      const kind = shapeOf(model, ref.shape).type;
      payload = kind === 'structure' || kind === 'document' ? JSON.stringify(encodeValue(model, ref, value))
        : value instanceof Uint8Array ? Buffer.from(value) : String(value);
    } else body[wire] = encodeValue(model, ref, value);
  }
  // A 204 has no body; an operation without output answers with an empty one.
  if (status === 204 || !shape) return { status, headers, body: '' };
  headers['content-type'] = 'application/json';
  return { status, headers, body: payload ?? JSON.stringify(body) };
}

/** The error's body: the members its shape has (`ErrorCode`, `Message` or `message`, and any details), else `{message}`. */
function errorBody(model: ServiceModel | undefined, shapeName: string | undefined, code: string, error: AwsError): Record<string, unknown> {
  const shape = model && shapeName ? model.shapes[shapeName] : undefined;
  if (shape?.type !== 'structure') return { message: error.message };
  const body: Record<string, unknown> = {};
  const members = Object.keys(shape.members);
  if (members.includes('ErrorCode')) body.ErrorCode = code;
  body[members.includes('Message') ? 'Message' : 'message'] = error.message;
  for (const [name, value] of Object.entries(error.details ?? {})) {
    const ref = shape.members[name];
    if (ref && value !== undefined) body[ref.locationName ?? name] = encodeValue(model!, ref, value);
  }
  return body;
}

/** The restJson1 codec. */
export const restJsonCodec: Codec = {
  decodeInput: decodeRestInput,
  encodeOutput: (model, operation, output, requestId) => encodeRestOutput(model, operation, output as Record<string, unknown>, requestId),
  encodeError(model: ServiceModel | undefined, error: AwsError, requestId: string): WireResponse {
    const wire = wireError(model, error);
    const type = wire.shape ?? error.code;
    return {
      status: wire.status,
      headers: { 'content-type': 'application/json', 'x-amzn-RequestId': requestId, 'x-amzn-ErrorType': type },
      body: JSON.stringify(errorBody(model, wire.shape, wire.code, error)),
    };
  },
};
