/**
 * botocore's JSON service models (Debian's python3-botocore), the source of the constraints the
 * SDK's schemas leave out: lengths, ranges, patterns, integer vs long vs double, and per
 * operation the errors and the Query result wrapper.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

/** Where Debian installs botocore's models (BOTOCORE_DATA names another botocore's data directory). */
export const BOTOCORE_DATA = process.env.BOTOCORE_DATA ?? '/usr/lib/python3/dist-packages/botocore/data';

/** A member, list member or map key/value in botocore's form. */
export interface BotoRef {
  shape: string;
  locationName?: string;
  queryName?: string;
  flattened?: boolean;
  location?: string;
  timestampFormat?: string;
  idempotencyToken?: boolean;
  xmlNamespace?: unknown;
}

/** A shape in botocore's form (documentation and other fields ignored). */
export interface BotoShape {
  type: string;
  members?: Record<string, BotoRef>;
  required?: string[];
  member?: BotoRef;
  key?: BotoRef;
  value?: BotoRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  sensitive?: boolean;
  flattened?: boolean;
  /** The name the shape travels under wherever its reference gives none (Query/XML). */
  locationName?: string;
  timestampFormat?: string;
  exception?: boolean;
  union?: boolean;
  error?: { code?: string; httpStatusCode?: number; senderFault?: boolean };
}

/** An operation in botocore's form. */
export interface BotoOperation {
  name: string;
  http?: { method: string; requestUri: string; responseCode?: number };
  input?: { shape: string };
  output?: { shape: string; resultWrapper?: string };
  errors?: { shape: string }[];
}

/** A botocore service model. */
export interface BotoModel {
  metadata: Record<string, unknown>;
  operations: Record<string, BotoOperation>;
  shapes: Record<string, BotoShape>;
}

/** Loads the newest API version botocore has of a service, or undefined when botocore lacks it. */
export function loadBotocoreModel(service: string, dataDir: string = BOTOCORE_DATA): BotoModel | undefined {
  const serviceDir = join(dataDir, service);
  if (!existsSync(serviceDir)) return undefined;
  // Newer botocore releases ship their models gzipped.
  const file = (v: string): string | undefined => ['service-2.json', 'service-2.json.gz'].map((f) => join(serviceDir, v, f)).find((f) => existsSync(f));
  const versions = readdirSync(serviceDir).filter((v) => file(v) !== undefined).sort();
  const newest = versions.at(-1);
  if (!newest) return undefined;
  const path = file(newest)!;
  const bytes = readFileSync(path);
  return JSON.parse((path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8')) as BotoModel;
}
