/**
 * What every codec needs from the service model beyond the shapes themselves: which timestamp
 * format a member uses, whether a list or map is flattened, base64 and timestamp text in the
 * forms the AWS protocols use, and how a thrown AwsError is named on the wire.
 */
import type { AwsError } from '../errors.ts';
import type { MemberRef, ServiceModel, Shape, StructureShape } from '../model/types.ts';

/** The range of a model `integer` (a `long` is any safe integer). */
export const INT32_MIN = -(2 ** 31);
export const INT32_MAX = 2 ** 31 - 1;

/** The strings the protocols carry for float and double values that are not finite numbers. */
export const NON_NUMERIC: Readonly<Record<string, number>> = {
  NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY,
};

/** The timestamp formats the AWS models name (Smithy's `date-time`, `epoch-seconds`, `http-date`). */
export type TimestampFormat = 'iso8601' | 'epoch-seconds' | 'http-date';

/** The shape a member refers to. A missing shape is a broken model: Wharf's bug, never the caller's. */
export function shapeOf(model: ServiceModel, name: string): Shape {
  const shape = Object.hasOwn(model.shapes, name) ? model.shapes[name] : undefined;
  if (!shape) throw new Error(`The ${model.metadata.serviceId} model has no shape ${name}.`);
  return shape;
}

/** The structure shape `name`, checked: operations' inputs and outputs must be structures. */
export function structureOf(model: ServiceModel, name: string): StructureShape {
  const shape = shapeOf(model, name);
  if (shape.type !== 'structure') throw new Error(`The ${model.metadata.serviceId} shape ${name} is not a structure.`);
  return shape;
}

/** The member's own trait wins over its shape's; the protocol's default applies when neither says. */
export function timestampFormatOf(ref: MemberRef, shape: Shape, fallback: TimestampFormat): TimestampFormat {
  return ref.timestampFormat ?? ('timestampFormat' in shape ? shape.timestampFormat : undefined) ?? fallback;
}

/** A list or map is flattened when its member reference or its own shape says so (botocore puts it on either). */
export function isFlattened(ref: MemberRef, shape: Shape): boolean {
  return ref.flattened === true || ((shape.type === 'list' || shape.type === 'map') && shape.flattened === true);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Base64 text as bytes; undefined when the text is not base64 (Node's decoder would silently skip junk). */
export function decodeBase64(text: string): Uint8Array | undefined {
  if (!BASE64.test(text)) return undefined;
  // A plain Uint8Array, as the SDKs hand blobs over: a Buffer would not deep-equal one.
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** Bytes (or a string's UTF-8 bytes, as the SDKs accept for blobs) as base64 text. */
export function encodeBase64(value: Uint8Array | string): string {
  return typeof value === 'string'
    ? Buffer.from(value, 'utf8').toString('base64')
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?([Zz]|([+-])(\d{2}):(\d{2}))$/;
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\d{2}) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const EPOCH_SECONDS = /^-?\d+(?:\.\d+)?$/;

/** A UTC instant from its parts, or undefined when a part is out of range (Feb 30 does not roll over). */
function utc(year: number, month: number, day: number, hour: number, minute: number, second: number, ms: number): Date | undefined {
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 60) return undefined;
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, Math.min(second, 59), ms));
  date.setUTCFullYear(year); // Date.UTC maps years 0-99 to 19xx
  if (date.getUTCDate() !== day) return undefined;
  if (second === 60) date.setTime(date.getTime() + 1000); // a leap second is the next second
  return date;
}

/** Timestamp text in `format` as a Date; undefined when it is not one. */
export function parseTimestamp(text: string, format: TimestampFormat): Date | undefined {
  if (format === 'epoch-seconds') {
    return EPOCH_SECONDS.test(text) ? new Date(Math.round(Number(text) * 1000)) : undefined;
  }
  if (format === 'http-date') {
    const m = HTTP_DATE.exec(text);
    return m ? utc(Number(m[3]), MONTHS.indexOf(m[2]) + 1, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]), 0) : undefined;
  }
  const m = DATE_TIME.exec(text);
  if (!m) return undefined;
  const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
  const date = utc(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  if (!date || !m[9]) return date;
  const offsetMinutes = Number(m[10]) * 60 + Number(m[11]);
  return new Date(date.getTime() - (m[9] === '+' ? 1 : -1) * offsetMinutes * 60_000);
}

/**
 * A Date as timestamp text. `date-time` is ISO 8601 in UTC; with `millis: 'when-set'` the
 * fraction appears only when the instant has one (`2026-12-03T06:50:01Z`, as IAM and STS write
 * whole seconds), with `'always'` it is always there (`…01.000Z`, as EC2 writes).
 */
export function formatTimestamp(date: Date, format: TimestampFormat, millis: 'always' | 'when-set' = 'when-set'): string {
  if (format === 'epoch-seconds') return String(date.getTime() / 1000);
  if (format === 'http-date') return date.toUTCString();
  const iso = date.toISOString();
  return millis === 'when-set' ? iso.replace(/\.000Z$/, 'Z') : iso;
}

/** How an AwsError is named and sent on the wire, after the model had its say. */
export interface WireError {
  /** The Query protocols' `<Code>` and awsQueryCompatible's header code: the awsQueryError code where the model has one. */
  code: string;
  /** The error shape's name (what AWS JSON sends as `__type`), when the model has the error. */
  shape?: string;
  /** The model's status for a modeled Query error (awsQueryError's httpResponseCode), else the AwsError's. */
  status: number;
  /** Who is at fault, as the Query protocols' `<Type>` says it. */
  fault: 'Sender' | 'Receiver';
}

/** Per model: wire code → error shape name, built once. */
const byWireCode = new WeakMap<ServiceModel, Map<string, string>>();

/** The error shape an AwsError code names: by shape name, else by its awsQueryError code. */
function errorShape(model: ServiceModel, code: string): [string, StructureShape] | undefined {
  const direct = Object.hasOwn(model.shapes, code) ? model.shapes[code] : undefined;
  if (direct?.type === 'structure' && (direct.exception || direct.error)) return [code, direct];
  let index = byWireCode.get(model);
  if (!index) {
    index = new Map();
    for (const [name, shape] of Object.entries(model.shapes)) {
      if (shape.type === 'structure' && shape.error?.code && !index.has(shape.error.code)) index.set(shape.error.code, name);
    }
    byWireCode.set(model, index);
  }
  const name = index.get(code);
  return name ? [name, model.shapes[name] as StructureShape] : undefined;
}

/**
 * Resolves an AwsError against the model. Business code may throw either the shape name
 * (`NoSuchEntityException`, what the SDK's class is called) or the wire code (`NoSuchEntity`);
 * both find the shape. Codes the model does not list (`AccessDenied`, `ValidationError`,
 * `SerializationException`) pass through unchanged with the AwsError's status.
 */
export function wireError(model: ServiceModel | undefined, error: AwsError): WireError {
  const found = model ? errorShape(model, error.code) : undefined;
  if (!found) return { code: error.code, status: error.status, fault: error.status < 500 ? 'Sender' : 'Receiver' };
  const [name, shape] = found;
  const status = shape.error?.httpStatusCode ?? error.status;
  const sender = shape.error?.senderFault ?? status < 500;
  return { code: shape.error?.code ?? name, shape: name, status, fault: sender ? 'Sender' : 'Receiver' };
}

/** Sets `key` as an own property even when it is `__proto__`, so a caller's map key can never reach a prototype. */
export function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** A JSON value's type as a message names it. */
export function jsonTypeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'list' : typeof value;
}
