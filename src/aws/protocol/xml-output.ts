/**
 * An operation's output written as the XML the Query protocols answer with, walked by the
 * output shape: members by their locationName (else their name), lists as `<member>` items
 * (or the list member's locationName: `<item>` throughout EC2's model; flattened lists repeat
 * the member's own element), maps as `<entry><key/><value/></entry>`, timestamps as ISO 8601
 * UTC unless the model says otherwise. Shared by awsQuery and ec2Query, which differ only in
 * the envelope around it and in how they write milliseconds.
 */
import type { MemberRef, ServiceModel, StructureShape } from '../model/types.ts';
import { encodeBase64, formatTimestamp, isFlattened, shapeOf, timestampFormatOf } from './shapes.ts';
import type { XmlWriter } from './xml.ts';

/** What differs between the Query protocols when writing values. */
export interface XmlStyle {
  /** Whether ISO timestamps always carry milliseconds (EC2) or only when they have some (IAM, STS). */
  millis: 'always' | 'when-set';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof Date) && !(value instanceof Uint8Array);

/** A scalar's text. Output is Wharf's own, so values are written as given rather than checked. */
function scalarText(model: ServiceModel, ref: MemberRef, value: unknown, style: XmlStyle): string {
  const shape = shapeOf(model, ref.shape);
  if (value instanceof Date) {
    return formatTimestamp(value, timestampFormatOf(ref, shape, 'iso8601'), style.millis);
  }
  if (shape.type === 'blob' && (value instanceof Uint8Array || typeof value === 'string')) return encodeBase64(value);
  if (shape.type === 'document' && typeof value === 'object') return JSON.stringify(value);
  // String() writes booleans as true/false and non-finite floats as NaN, Infinity, -Infinity, as the protocols want.
  return String(value);
}

/** Writes `value` as the element `name` of `ref`'s shape. */
function writeValue(w: XmlWriter, model: ServiceModel, name: string, ref: MemberRef, value: unknown, style: XmlStyle): void {
  const shape = shapeOf(model, ref.shape);
  if (shape.type === 'structure' && isRecord(value)) {
    w.start(name);
    writeMembers(w, model, shape, value, style);
    w.end(name);
  } else if (shape.type === 'list' && Array.isArray(value)) {
    const items = value.filter((item) => item !== undefined && item !== null);
    if (isFlattened(ref, shape)) {
      for (const item of items) writeValue(w, model, name, shape.member, item, style);
      return;
    }
    const itemName = shape.member.locationName ?? 'member';
    w.start(name);
    for (const item of items) writeValue(w, model, itemName, shape.member, item, style);
    w.end(name);
  } else if (shape.type === 'map' && isRecord(value)) {
    const keyName = shape.key.locationName ?? 'key';
    const valueName = shape.value.locationName ?? 'value';
    const flat = isFlattened(ref, shape);
    if (!flat) w.start(name);
    for (const [key, v] of Object.entries(value)) {
      if (v === undefined || v === null) continue;
      w.start(flat ? name : 'entry');
      writeValue(w, model, keyName, shape.key, key, style);
      writeValue(w, model, valueName, shape.value, v, style);
      w.end(flat ? name : 'entry');
    }
    if (!flat) w.end(name);
  } else {
    w.leaf(name, scalarText(model, ref, value, style));
  }
}

/** Writes a structure's members in model order; undefined and null members are left out. */
export function writeMembers(w: XmlWriter, model: ServiceModel, shape: StructureShape, value: Record<string, unknown>, style: XmlStyle): void {
  for (const [name, ref] of Object.entries(shape.members)) {
    const v = value[name];
    if (v !== undefined && v !== null) writeValue(w, model, ref.locationName ?? name, ref, v, style);
  }
}
