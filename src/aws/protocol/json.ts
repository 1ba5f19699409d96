/**
 * The AWS JSON 1.0 and 1.1 protocols (ECS, ECR, and most newer APIs): a JSON body in, a JSON
 * body out, the operation named by `X-Amz-Target`. Input is walked by the operation's input
 * shape so that every member arrives with its model type (Dates, Uint8Arrays, numbers checked
 * to be integral where the model says integer) and a member of the wrong JSON type is a
 * `SerializationException` that names it by its path (`containerDefinitions[0].cpu`).
 */
import { CommonErrors, type AwsError } from '../errors.ts';
import type { MemberRef, OperationModel, ServiceModel, Shape, StructureShape } from '../model/types.ts';
import {
  decodeBase64, encodeBase64, formatTimestamp, INT32_MAX, INT32_MIN, jsonTypeName, NON_NUMERIC, parseTimestamp, setOwn, shapeOf,
  structureOf, timestampFormatOf, wireError,
} from './shapes.ts';
import type { Codec, WireRequest, WireResponse } from './types.ts';

/** Which AWS JSON protocol: they differ only in their content type. */
export type JsonVersion = '1.0' | '1.1';

/**
 * Where a value being read is: member names, map keys and list indexes from the top, kept as a
 * stack and written out (`containerDefinitions[0].cpu`) only for a message.
 */
type WirePath = (string | number)[];

function pathText(path: WirePath): string {
  let text = '';
  for (const part of path) text = typeof part === 'number' ? `${text}[${part}]` : text ? `${text}.${part}` : part;
  return text;
}

const wrongType = (path: WirePath, want: string, value: unknown) =>
  CommonErrors.serialization(`${pathText(path)} must be ${want}, not ${jsonTypeName(value)}.`);

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** A structure's members with their wire names, listed once per shape (a request may hold thousands of one structure). */
const memberLists = new WeakMap<StructureShape, { name: string; wire: string; ref: MemberRef }[]>();

function membersOf(shape: StructureShape): { name: string; wire: string; ref: MemberRef }[] {
  let members = memberLists.get(shape);
  if (!members) {
    members = Object.entries(shape.members).map(([name, ref]) => ({ name, wire: ref.locationName ?? name, ref }));
    memberLists.set(shape, members);
  }
  return members;
}

/** Reads one JSON value as `ref`'s shape; `path` names it in messages. Shared with restJson1's body. */
export function decodeValue(model: ServiceModel, ref: MemberRef, value: unknown, path: string): unknown {
  return decode(model, ref, value, path ? [path] : []);
}

/** Reads `value` at `path` after `key` (a member's wire name, a map key or a list index). */
function decodeAt(model: ServiceModel, ref: MemberRef, value: unknown, path: WirePath, key: string | number): unknown {
  path.push(key);
  const out = decode(model, ref, value, path);
  path.pop();
  return out;
}

function decode(model: ServiceModel, ref: MemberRef, value: unknown, path: WirePath): unknown {
  const shape = shapeOf(model, ref.shape);
  switch (shape.type) {
    case 'structure':
      if (!isObject(value)) throw wrongType(path, 'an object', value);
      return decodeStructure(model, shape, value, path);
    case 'list': {
      if (!Array.isArray(value)) throw wrongType(path, 'a list', value);
      const out = new Array<unknown>(value.length);
      for (let i = 0; i < value.length; i++) out[i] = decodeAt(model, shape.member, value[i], path, i);
      return out;
    }
    case 'map': {
      if (!isObject(value)) throw wrongType(path, 'a map', value);
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        // A null value is an absent entry, as for structure members.
        if (value[key] !== null) setOwn(out, key, decodeAt(model, shape.value, value[key], path, key));
      }
      return out;
    }
    case 'string':
      if (typeof value !== 'string') throw wrongType(path, 'a string', value);
      return value;
    case 'boolean':
      if (typeof value !== 'boolean') throw wrongType(path, 'a boolean', value);
      return value;
    case 'integer':
    case 'long':
      if (typeof value !== 'number') throw wrongType(path, 'a number', value);
      if (!Number.isInteger(value)) throw CommonErrors.serialization(`${pathText(path)} must be an integer, not ${value}.`);
      if (shape.type === 'integer' && (value < INT32_MIN || value > INT32_MAX)) {
        throw CommonErrors.serialization(`${pathText(path)}: ${value} can not be converted to an Integer.`);
      }
      if (!Number.isSafeInteger(value)) throw CommonErrors.serialization(`${pathText(path)}: ${value} can not be converted to a Long.`);
      return value;
    case 'float':
    case 'double':
      if (typeof value === 'number') return value;
      if (typeof value === 'string' && Object.hasOwn(NON_NUMERIC, value)) return NON_NUMERIC[value];
      throw wrongType(path, 'a number', value);
    case 'timestamp':
      return decodeTimestamp(ref, shape, value, path);
    case 'blob': {
      if (typeof value !== 'string') throw wrongType(path, 'a base64 string', value);
      const bytes = decodeBase64(value);
      if (!bytes) throw CommonErrors.serialization(`${pathText(path)} must be base64-encoded.`);
      return bytes;
    }
    case 'document':
      return value;
  }
}

/** Epoch seconds as a JSON number by default; a string where the member's timestampFormat says so. */
function decodeTimestamp(ref: MemberRef, shape: Shape, value: unknown, path: WirePath): Date {
  const format = timestampFormatOf(ref, shape, 'epoch-seconds');
  if (format === 'epoch-seconds') {
    if (typeof value !== 'number' || !Number.isFinite(value)) throw wrongType(path, 'a timestamp in epoch seconds', value);
    return new Date(Math.round(value * 1000));
  }
  if (typeof value !== 'string') throw wrongType(path, `a timestamp string (${format})`, value);
  const date = parseTimestamp(value, format);
  if (!date) throw CommonErrors.serialization(`${pathText(path)} must be a timestamp (${format}).`);
  return date;
}

/**
 * The modeled members of a JSON object; members the model does not have are dropped. A member's
 * wire name is its `locationName` where the model gives one (restJson1's jsonName).
 */
function decodeStructure(model: ServiceModel, shape: StructureShape, json: Record<string, unknown>, path: WirePath): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, wire, ref } of membersOf(shape)) {
    const value = json[wire];
    // null is how some callers say "absent"; AWS JSON services read it so.
    if (value === null || value === undefined || !Object.hasOwn(json, wire)) continue;
    out[name] = decodeAt(model, ref, value, path, wire);
  }
  return out;
}

/** One output value as JSON: Dates per the member's timestamp format, bytes as base64, non-finite floats as strings. */
export function encodeValue(model: ServiceModel, ref: MemberRef, value: unknown): unknown {
  const shape = shapeOf(model, ref.shape);
  switch (shape.type) {
    case 'structure':
      return isObject(value) ? encodeStructure(model, shape, value) : value;
    case 'list': {
      if (!Array.isArray(value)) return value;
      const out: unknown[] = [];
      for (const item of value) if (item != null) out.push(encodeValue(model, shape.member, item));
      return out;
    }
    case 'map': {
      if (!isObject(value)) return value;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        if (value[key] != null) setOwn(out, key, encodeValue(model, shape.value, value[key]));
      }
      return out;
    }
    case 'timestamp': {
      if (!(value instanceof Date)) return value;
      const format = timestampFormatOf(ref, shape, 'epoch-seconds');
      // Fractional seconds carry the milliseconds, as the SDKs read them.
      return format === 'epoch-seconds' ? value.getTime() / 1000 : formatTimestamp(value, format);
    }
    case 'blob':
      return value instanceof Uint8Array || typeof value === 'string' ? encodeBase64(value) : value;
    case 'float':
    case 'double':
      return typeof value === 'number' && !Number.isFinite(value) ? String(value) : value;
    default:
      return value;
  }
}

function encodeStructure(model: ServiceModel, shape: StructureShape, value: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { name, wire, ref } of membersOf(shape)) {
    const v = value[name];
    if (v !== undefined && v !== null) out[wire] = encodeValue(model, ref, v);
  }
  return out;
}

/** Reads a request body that must be a JSON object; an empty body is `{}` (the SDKs send `{}` for no input). */
export function parseBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw CommonErrors.serialization('Request body is not valid JSON.');
  }
  if (!isObject(parsed)) throw CommonErrors.serialization('Request body must be a JSON object.');
  return parsed;
}

/**
 * The AWS JSON codec for `version`. Errors are `{"__type": <error shape name>, "message": …}`
 * with `x-amzn-ErrorType`; a service with the awsQueryCompatible trait also gets
 * `x-amzn-query-error: <awsQueryError code>;Sender|Receiver`, from which the SDKs of such services
 * read the code. The status is the AwsError's (the business code chose it).
 */
export function jsonCodec(version: JsonVersion): Codec {
  const contentType = `application/x-amz-json-${version}`;
  const respond = (status: number, body: unknown, requestId: string, extra: Record<string, string> = {}): WireResponse => ({
    status,
    headers: { 'content-type': contentType, 'x-amzn-RequestId': requestId, ...extra },
    body: JSON.stringify(body),
  });

  return {
    decodeInput(model: ServiceModel, operation: OperationModel, request: WireRequest): Record<string, unknown> {
      const json = parseBody(request.body);
      if (!operation.input) return {};
      return decodeStructure(model, structureOf(model, operation.input), json, []);
    },

    encodeOutput(model: ServiceModel, operation: OperationModel, output: object, requestId: string): WireResponse {
      const body = operation.output ? encodeStructure(model, structureOf(model, operation.output), output as Record<string, unknown>) : {};
      return respond(200, body, requestId);
    },

    encodeError(model: ServiceModel | undefined, error: AwsError, requestId: string): WireResponse {
      const wire = wireError(model, error);
      const type = wire.shape ?? error.code;
      const headers: Record<string, string> = { 'x-amzn-ErrorType': type };
      if (model?.metadata.awsQueryCompatible) headers['x-amzn-query-error'] = `${wire.code};${wire.fault}`;
      // Further members of the error's shape the business code gave (Cloud Map's NamespaceAlreadyExists names the namespace).
      const shape = model && wire.shape ? model.shapes[wire.shape] : undefined;
      const details = shape?.type === 'structure' && error.details ? encodeStructure(model!, shape, error.details as Record<string, unknown>) : {};
      return respond(error.status, { ...details, __type: type, message: error.message }, requestId, headers);
    },
  };
}
