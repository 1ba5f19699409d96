/**
 * Reading a request's JSON input at the edge. A member of the wrong JSON type is a
 * `SerializationException` (as AWS JSON services answer); a value outside the API's
 * constraints is the service's own validation error, built by `invalid`. Every message
 * names the member by its full path, e.g. `containerDefinitions[0].portMappings[1].hostPort`.
 */
import { AwsError, CommonErrors } from './errors.ts';

type Json = Record<string, unknown>;

/** Builds the service's validation error (ECS: InvalidParameterException). */
export type InvalidError = (message: string) => AwsError;

export interface StringRules {
  required?: boolean;
  min?: number;
  max?: number;
  pattern?: RegExp;
  /** Says in words what `pattern` allows, for the error message. */
  patternText?: string;
}

export interface NumberRules {
  required?: boolean;
  min?: number;
  max?: number;
}

export interface ListRules {
  required?: boolean;
  /** Most members the list may have. */
  maxItems?: number;
  /** Fail on an empty list, when the member is present. */
  nonEmpty?: boolean;
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'list' : typeof v);

/** A JSON object being read, with its path for messages. */
export class Fields {
  private constructor(
    readonly json: Json,
    readonly path: string,
    readonly invalid: InvalidError,
  ) {}

  /** Wraps a decoded JSON body (or nested member) that must be an object. */
  static of(value: unknown, invalid: InvalidError, path = ''): Fields {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw CommonErrors.serialization(`${path || 'Request body'} must be a JSON object, not ${typeName(value)}.`);
    }
    return new Fields(value as Json, path, invalid);
  }

  /** The full path of a member, for messages. */
  at(name: string): string {
    return this.path ? `${this.path}.${name}` : name;
  }

  has(name: string): boolean {
    return this.json[name] !== undefined && this.json[name] !== null;
  }

  private raw(name: string, required: boolean | undefined): unknown {
    const v = this.json[name];
    if (v === undefined || v === null) {
      if (required) throw this.invalid(`${this.at(name)} can not be null or empty.`);
      return undefined;
    }
    return v;
  }

  private typed(name: string, v: unknown, want: string): never {
    throw CommonErrors.serialization(`${this.at(name)}: expected ${want}, got ${typeName(v)}.`);
  }

  string(name: string, rules: StringRules & { required: true }): string;
  string(name: string, rules?: StringRules): string | undefined;
  string(name: string, rules: StringRules = {}): string | undefined {
    const v = this.raw(name, rules.required);
    if (v === undefined) return undefined;
    if (typeof v !== 'string') this.typed(name, v, 'a string');
    const s = v as string;
    if (rules.required && s.length === 0) throw this.invalid(`${this.at(name)} can not be null or empty.`);
    if (rules.min !== undefined && s.length < rules.min) throw this.invalid(`${this.at(name)} must be at least ${rules.min} characters long.`);
    if (rules.max !== undefined && s.length > rules.max) throw this.invalid(`${this.at(name)} must be at most ${rules.max} characters long.`);
    if (rules.pattern && !rules.pattern.test(s)) {
      throw this.invalid(`${this.at(name)} is invalid${rules.patternText ? `: ${rules.patternText}` : '.'}`);
    }
    return s;
  }

  int(name: string, rules: NumberRules & { required: true }): number;
  int(name: string, rules?: NumberRules): number | undefined;
  int(name: string, rules: NumberRules = {}): number | undefined {
    const v = this.raw(name, rules.required);
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.typed(name, v, 'an integer');
    const n = v as number;
    if (n > 2 ** 31 - 1 || n < -(2 ** 31)) throw CommonErrors.serialization(`${this.at(name)}: ${n} can not be converted to an Integer.`);
    if (rules.min !== undefined && n < rules.min) throw this.invalid(`${this.at(name)} must be greater than or equal to ${rules.min}.`);
    if (rules.max !== undefined && n > rules.max) throw this.invalid(`${this.at(name)} must be less than or equal to ${rules.max}.`);
    return n;
  }

  bool(name: string, rules: { required?: boolean } = {}): boolean | undefined {
    const v = this.raw(name, rules.required);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.typed(name, v, 'a boolean');
    return v as boolean;
  }

  enum<T extends string>(name: string, values: readonly T[], rules: { required: true }): T;
  enum<T extends string>(name: string, values: readonly T[], rules?: { required?: boolean }): T | undefined;
  enum<T extends string>(name: string, values: readonly T[], rules: { required?: boolean } = {}): T | undefined {
    const s = this.string(name, { required: rules.required });
    if (s === undefined) return undefined;
    if (!values.includes(s as T)) throw this.invalid(`${this.at(name)} must be one of: ${values.join(', ')}. Received: ${s}.`);
    return s as T;
  }

  private list(name: string, rules: ListRules): unknown[] | undefined {
    const v = this.raw(name, rules.required);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) this.typed(name, v, 'a list');
    const list = v as unknown[];
    if ((rules.nonEmpty || rules.required) && list.length === 0) throw this.invalid(`${this.at(name)} can not be empty.`);
    if (rules.maxItems !== undefined && list.length > rules.maxItems) throw this.invalid(`${this.at(name)} can have at most ${rules.maxItems} members.`);
    return list;
  }

  /** A list of strings; `rules.min`/`max`/`pattern` apply to each member (empty members allowed unless `min` says). */
  strings(name: string, rules: ListRules & Omit<StringRules, 'required'> = {}): string[] | undefined {
    const list = this.list(name, rules);
    if (list === undefined) return undefined;
    return list.map((item, i) => {
      const itemPath = `${this.at(name)}[${i}]`;
      if (item === null || item === undefined || (item === '' && (rules.min ?? 0) > 0)) throw this.invalid(`${itemPath} can not be null or empty.`);
      return new Fields({ [itemPath]: item }, '', this.invalid).string(itemPath, { ...rules, required: false })!;
    });
  }

  object(name: string, rules: { required: true }): Fields;
  object(name: string, rules?: { required?: boolean }): Fields | undefined;
  object(name: string, rules: { required?: boolean } = {}): Fields | undefined {
    const v = this.raw(name, rules.required);
    return v === undefined ? undefined : Fields.of(v, this.invalid, this.at(name));
  }

  objects(name: string, rules: ListRules = {}): Fields[] | undefined {
    const list = this.list(name, rules);
    return list?.map((item, i) => Fields.of(item, this.invalid, `${this.at(name)}[${i}]`));
  }

  /** A JSON object whose values are all strings (dockerLabels, options maps). */
  stringMap(name: string, rules: { required?: boolean } = {}): Record<string, string> | undefined {
    const obj = this.object(name, rules);
    if (!obj) return undefined;
    const out: Record<string, string> = {};
    for (const key of Object.keys(obj.json)) out[key] = obj.string(key, { required: true });
    return out;
  }
}

