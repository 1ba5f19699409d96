/**
 * Builds a Wharf `ServiceModel` from the three sources: the SDK client's Smithy schemas (the
 * current operations, shapes, members, required members, wire names and error codes), its type
 * declarations (enums) and botocore's JSON model (lengths, ranges, patterns, number kinds,
 * errors per operation). Structures keep their names; lists, maps and simple shapes take
 * botocore's name for the member's target when there is one, so shapes that are the same are
 * written once.
 */
import type {
  MemberRef, OperationModel, ProtocolName, ServiceMetadata, ServiceModel, Shape, StructureShape,
} from '../../src/aws/model/types.ts';
import type { BotoModel, BotoRef, BotoShape } from './botocore.ts';
import type { DeclaredType, SdkDeclarations } from './sdk-declarations.ts';
import type { SdkMember, SdkSchemas, SdkStructure, SdkType, Traits } from './smithy-schemas.ts';

/** What the builder needs for one service. */
export interface BuildInput {
  metadata: ServiceMetadata;
  sdk: SdkSchemas;
  declarations: SdkDeclarations;
  botocore?: BotoModel;
  /**
   * The operations to include (all when absent): for an API Wharf serves a small part of (EC2's
   * networking among its ~750 operations), the model holds those operations and only the shapes
   * and errors they reach.
   */
  operations?: readonly string[];
}

/** The model, and what the builder had to guess or leave out (printed by the generator). */
export interface BuildResult {
  model: ServiceModel;
  /** One line per kind of note: `what: subject, subject, ...`. */
  notes: string[];
}

/** Member names that count or measure in whole units: the guess for a number botocore cannot type. */
const WHOLE_NUMBER = /count|size|seconds|minutes|hours|days|port|percent|revision|memory|cpu|iops|throughput|version|duration|items|results|timeout|capacity|number|index|attempt|min|max/i;

/** Members newer than Debian's botocore whose API reference says they take fractions (ECS's traffic percentages, multiples of 0.1). */
const FRACTIONAL = new Set(['stepPercent', 'canaryPercent']);

type NumberType = 'integer' | 'long' | 'float' | 'double';
const NUMBER_TYPES = new Set<string>(['integer', 'long', 'float', 'double']);
const XML: ReadonlySet<ProtocolName> = new Set<ProtocolName>(['awsQuery', 'ec2Query', 'restXml']);
const REST: ReadonlySet<ProtocolName> = new Set<ProtocolName>(['restJson1', 'restXml']);

/** A stable text of a shape, to tell whether two shapes are the same. */
function keyOf(shape: Shape): string {
  return JSON.stringify(shape);
}

function defined<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) if (value[key] === undefined) delete value[key];
  return value;
}

class ModelBuilder {
  readonly shapes = new Map<string, Shape>();
  private readonly noted = new Map<string, Set<string>>();
  private readonly keys = new Map<string, string>();
  /** Every structure name the SDK uses, reserved before any other shape is named. */
  private readonly structureNames = new Set<string>();
  private readonly structuresByName = new Map<string, SdkStructure>();
  private readonly queue: SdkStructure[] = [];
  private readonly enqueued = new Set<SdkStructure>();
  /** Member name → number kind, from every botocore structure: the guess for members botocore lacks. */
  private readonly numberKindByMember = new Map<string, NumberType>();

  constructor(private readonly input: BuildInput) {
    const seen = new Set<SdkType>();
    const reserve = (type: SdkType): void => {
      if (seen.has(type)) return;
      seen.add(type);
      if (type.kind === 'list') reserve(type.member.target);
      else if (type.kind === 'map') {
        reserve(type.key.target);
        reserve(type.value.target);
      } else if (type.kind === 'structure' || type.kind === 'error' || type.kind === 'union') {
        this.structureNames.add(type.name);
        for (const [, member] of type.members) reserve(member.target);
      }
    };
    for (const op of input.sdk.operations) {
      if (op.input) reserve(op.input);
      if (op.output) reserve(op.output);
    }
    input.sdk.errors.forEach(reserve);
    for (const shape of Object.values(input.botocore?.shapes ?? {})) {
      for (const [member, ref] of Object.entries(shape.members ?? {})) {
        const type = input.botocore?.shapes[ref.shape]?.type;
        if (type && NUMBER_TYPES.has(type) && !this.numberKindByMember.has(member)) this.numberKindByMember.set(member, type as NumberType);
      }
    }
  }

  private get protocol(): ProtocolName {
    return this.input.metadata.protocol;
  }

  private boto(name: string | undefined): BotoShape | undefined {
    return name ? this.input.botocore?.shapes[name] : undefined;
  }

  /** Names a structure and schedules it to be built; structures keep the SDK's name. */
  structure(type: SdkStructure): string {
    if (!this.enqueued.has(type)) {
      if (this.structuresByName.has(type.name)) throw new Error(`two structures named ${type.name}`);
      this.enqueued.add(type);
      this.structuresByName.set(type.name, type);
      this.queue.push(type);
    }
    return type.name;
  }

  /** Adds a non-structure shape under its preferred name, or finds the same shape already there. */
  private register(preferred: string, shape: Shape): string {
    const key = keyOf(shape);
    for (let n = 1; ; n++) {
      const name = n === 1 ? preferred : `${preferred}${n}`;
      if (this.structureNames.has(name)) continue;
      const existing = this.keys.get(name);
      if (existing === undefined) {
        this.keys.set(name, key);
        this.shapes.set(name, shape);
        return name;
      }
      if (existing === key) return name;
    }
  }

  /**
   * The SDK's values of an enum (it sorts them by name), in botocore's order, the model's, for
   * the values botocore has; newer values after them.
   */
  private enumValues(enumType: string, botoOrder: string[] | undefined): string[] {
    const values = this.input.declarations.enums.get(enumType) ?? [];
    const rank = (v: string): number => {
      const i = botoOrder?.indexOf(v) ?? -1;
      return i < 0 ? Number.MAX_SAFE_INTEGER : i;
    };
    return values.map((v, i) => [v, i] as const).sort((a, b) => rank(a[0]) - rank(b[0]) || a[1] - b[1]).map(([v]) => v);
  }

  /** Whether a botocore shape is of the SDK type's kind (so its constraints apply). */
  private compatible(type: SdkType, boto: BotoShape | undefined): boolean {
    if (!boto) return false;
    switch (type.kind) {
      case 'number':
      case 'bigInteger':
      case 'bigDecimal':
        return NUMBER_TYPES.has(boto.type);
      case 'error':
      case 'union':
        return boto.type === 'structure';
      default:
        return boto.type === type.kind;
    }
  }

  /** The shape a member targets, named and added. */
  private resolve(type: SdkType, memberTraits: Traits, targetName: string | undefined, declared: DeclaredType | undefined, memberName: string): string {
    // The SDK's own name for the shape (or its enum's name) is the Smithy shape name, which
    // botocore shares; the member's target in botocore is the fallback for unnamed shapes.
    // An enum's TypeScript name can carry a `_` the SDK added to avoid a clash; the shape's is without.
    const enumType = type.kind === 'string' && declared?.kind === 'ref' && this.input.declarations.enums.has(declared.name) ? declared.name : undefined;
    const enumName = enumType?.replace(/^_/, '');
    const botoName = [type.kind === 'structure' ? undefined : type.name, enumName, targetName]
      .find((name) => name !== undefined && this.compatible(type, this.boto(name)));
    const boto = this.boto(botoName);
    switch (type.kind) {
      case 'structure':
      case 'error':
      case 'union':
        return this.structure(type);
      case 'list': {
        const botoList = boto?.type === 'list' ? boto : undefined;
        const element = declared?.kind === 'array' ? declared.element : undefined;
        const member = this.member(type.member, botoList?.member, element, memberName);
        const sensitive = Boolean(type.traits.sensitive || memberTraits.sensitive) || undefined;
        const shape = defined({ type: 'list' as const, member, flattened: botoList?.flattened || undefined, min: botoList?.min, max: botoList?.max, sensitive });
        return this.register(type.name ?? (botoList ? botoName! : `${member.shape}List`), shape);
      }
      case 'map': {
        const botoMap = boto?.type === 'map' ? boto : undefined;
        const record = declared?.kind === 'record' ? declared : undefined;
        const key = this.member(type.key, botoMap?.key, record?.key, memberName);
        const value = this.member(type.value, botoMap?.value, record?.value, memberName);
        const sensitive = Boolean(type.traits.sensitive || memberTraits.sensitive) || undefined;
        const shape = defined({ type: 'map' as const, key, value, flattened: botoMap?.flattened || undefined, min: botoMap?.min, max: botoMap?.max, sensitive });
        return this.register(type.name ?? (botoMap ? botoName! : `${key.shape}${value.shape}Map`), shape);
      }
      case 'string': {
        const botoString = boto?.type === 'string' ? boto : undefined;
        const sensitive = Boolean(type.traits.sensitive || memberTraits.sensitive || botoString?.sensitive) || undefined;
        const shape = defined({
          type: 'string' as const,
          enum: enumType ? this.enumValues(enumType, botoString?.enum) : undefined,
          min: botoString?.min, max: botoString?.max, pattern: botoString?.pattern, sensitive,
        });
        const name = type.name ?? enumName ?? (botoString ? botoName! : 'String');
        return this.register(sensitive && !type.name && !botoString?.sensitive ? `Sensitive${name}` : name, shape);
      }
      case 'number':
      case 'bigInteger':
      case 'bigDecimal': {
        const botoNumber = boto && NUMBER_TYPES.has(boto.type) ? boto : undefined;
        let kind: NumberType;
        if (botoNumber) kind = botoNumber.type as NumberType;
        else if (type.kind === 'bigInteger') kind = 'long';
        else if (type.kind === 'bigDecimal') kind = 'double';
        else {
          kind = this.numberKindByMember.get(memberName) ?? (FRACTIONAL.has(memberName) ? 'double' : WHOLE_NUMBER.test(memberName) ? 'integer' : 'double');
          this.note(`number kind guessed (${kind}, botocore lacks the member) for members`, memberName);
        }
        const shape = defined({ type: kind, min: botoNumber?.min, max: botoNumber?.max });
        return this.register(type.name ?? (botoNumber ? botoName! : kind[0]!.toUpperCase() + kind.slice(1)), shape);
      }
      case 'blob': {
        const botoBlob = boto?.type === 'blob' ? boto : undefined;
        const sensitive = Boolean(type.traits.sensitive || memberTraits.sensitive || botoBlob?.sensitive) || undefined;
        const shape = defined({ type: 'blob' as const, min: botoBlob?.min, max: botoBlob?.max, sensitive });
        return this.register(type.name ?? (botoBlob ? botoName! : sensitive ? 'SensitiveBlob' : 'Blob'), shape);
      }
      case 'boolean':
      case 'timestamp':
      case 'document': {
        const botoSame = boto?.type === type.kind ? boto : undefined;
        const fallback = type.kind[0]!.toUpperCase() + type.kind.slice(1);
        return this.register(type.name ?? (botoSame ? botoName! : fallback), { type: type.kind });
      }
    }
  }

  /** A member reference: its target's name and its wire traits. */
  member(member: SdkMember, botoRef: BotoRef | undefined, declared: DeclaredType | undefined, memberName: string): MemberRef {
    const t = member.traits;
    const target = member.target;
    const shape = this.resolve(target, t, botoRef?.shape, declared, memberName);
    const ref: MemberRef = { shape };
    // Wire names as the protocol reads them: the AWS JSON protocols ignore both traits.
    const wireName = XML.has(this.protocol) && typeof t.xmlName === 'string' ? t.xmlName
      : this.protocol === 'restJson1' && typeof t.jsonName === 'string' ? t.jsonName : undefined;
    if (wireName) ref.locationName = wireName;
    if (typeof t.ec2QueryName === 'string') ref.queryName = t.ec2QueryName;
    if (t.xmlFlattened) ref.flattened = true;
    const format = target.kind === 'timestamp' ? target.timestampFormat ?? (typeof t.timestampFormat === 'string' ? t.timestampFormat : undefined) : undefined;
    if (format === 'iso8601' || format === 'date-time') ref.timestampFormat = 'iso8601';
    else if (format === 'epoch-seconds' || format === 'http-date') ref.timestampFormat = format;
    if (t.idempotencyToken) ref.idempotencyToken = true;
    if (REST.has(this.protocol)) {
      if (t.httpLabel) ref.location = 'uri';
      else if (typeof t.httpQuery === 'string') Object.assign(ref, { location: 'querystring', locationName: t.httpQuery });
      else if (t.httpQueryParams) ref.location = 'querystring';
      else if (typeof t.httpHeader === 'string') Object.assign(ref, { location: 'header', locationName: t.httpHeader });
      else if (typeof t.httpPrefixHeaders === 'string') Object.assign(ref, { location: 'headers', locationName: t.httpPrefixHeaders });
      else if (t.httpResponseCode) ref.location = 'statusCode';
      if (t.httpPayload) ref.payload = true;
    }
    return ref;
  }

  /** Members in botocore's order (the model's), members botocore lacks after their SDK predecessor. */
  private memberOrder(type: SdkStructure, boto: BotoShape | undefined): string[] {
    const sdkNames = type.members.map(([name]) => name);
    const sdkSet = new Set(sdkNames);
    const order = Object.keys(boto?.members ?? {}).filter((name) => sdkSet.has(name));
    const placed = new Set(order);
    // The SDK lists required members first, then the rest, each part in the model's order. A
    // member botocore lacks goes after its nearest predecessor in its part; an optional one
    // also after the required members that follow that predecessor in botocore's order (where
    // they stood among the optional ones is lost in the SDK's order).
    const required = new Set(type.required);
    sdkNames.forEach((name, i) => {
      if (placed.has(name)) return;
      const part = sdkNames.slice(0, i).filter((n) => required.has(n) === required.has(name));
      const before = part.reverse().find((n) => placed.has(n));
      let at = before === undefined ? 0 : order.indexOf(before) + 1;
      if (!required.has(name)) while (at < order.length && required.has(order[at]!)) at++;
      order.splice(at, 0, name);
      placed.add(name);
    });
    return order;
  }

  private buildStructure(type: SdkStructure): StructureShape {
    const boto = this.boto(type.name);
    const botoStruct = boto?.type === 'structure' ? boto : undefined;
    const declared = this.input.declarations.members.get(type.name);
    const byName = new Map(type.members);
    const members: Record<string, MemberRef> = {};
    for (const name of this.memberOrder(type, botoStruct)) {
      members[name] = this.member(byName.get(name)!, botoStruct?.members?.[name], declared?.get(name), name);
    }
    const shape: StructureShape = { type: 'structure', members };
    const required = Object.keys(members).filter((name) => type.required.includes(name));
    if (required.length > 0) shape.required = required;
    if (type.kind === 'union') shape.union = true;
    if (type.traits.sensitive) shape.sensitive = true;
    if (type.kind === 'error') {
      const t = type.traits;
      const query = Array.isArray(t.awsQueryError) ? (t.awsQueryError as [string, number]) : undefined;
      const senderFault = t.error !== 'server';
      const status = query?.[1] ?? (typeof t.httpError === 'number' ? t.httpError : undefined) ?? botoStruct?.error?.httpStatusCode ?? (senderFault ? 400 : 500);
      shape.error = { code: query?.[0] ?? type.name, httpStatusCode: status };
      if (senderFault) shape.error.senderFault = true;
      shape.exception = true;
    }
    return shape;
  }

  /** Records something the generator prints: what, and one more thing it applies to. */
  note(what: string, subject: string): void {
    if (!this.noted.has(what)) this.noted.set(what, new Set());
    this.noted.get(what)!.add(subject);
  }

  get notes(): string[] {
    return [...this.noted].map(([what, subjects]) => `${what}: ${[...subjects].join(', ')}`);
  }

  /** Builds every structure scheduled so far, and those they reach. */
  drain(): void {
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      this.shapes.set(next.name, this.buildStructure(next));
    }
  }
}

/** Merges the sources into one model; deterministic for the same inputs. */
export function buildServiceModel(whole: BuildInput): BuildResult {
  const input = selectOperations(whole);
  const builder = new ModelBuilder(input);
  const protocol = input.metadata.protocol;
  const errorNames = new Set(input.sdk.errors.map((e) => e.name));
  const operations: Record<string, OperationModel> = {};
  for (const op of [...input.sdk.operations].sort((a, b) => a.name.localeCompare(b.name))) {
    const boto = input.botocore?.operations[op.name];
    const model: OperationModel = { name: op.name };
    if (op.input) model.input = builder.structure(op.input);
    if (op.output) model.output = builder.structure(op.output);
    if ((protocol === 'awsQuery' || input.metadata.awsQueryCompatible) && op.output) model.resultWrapper = boto?.output?.resultWrapper ?? `${op.name}Result`;
    if (REST.has(protocol)) {
      const http = Array.isArray(op.traits.http) ? (op.traits.http as [string, string, number?]) : undefined;
      if (http) model.http = defined({ method: http[0], requestUri: http[1], responseCode: http[2] });
      else if (boto?.http) model.http = defined({ method: boto.http.method, requestUri: boto.http.requestUri, responseCode: boto.http.responseCode });
      else builder.note('operations without an HTTP binding', op.name);
    }
    const errors = (boto?.errors ?? []).map((e) => e.shape).filter((name) => errorNames.has(name));
    if (errors.length > 0) model.errors = [...new Set(errors)];
    if (!boto && input.botocore) builder.note('operations newer than botocore (no error list; constraints only where shapes are shared)', op.name);
    operations[op.name] = model;
    builder.drain();
  }
  for (const error of [...input.sdk.errors].sort((a, b) => a.name.localeCompare(b.name))) builder.structure(error);
  builder.drain();
  for (const name of Object.keys(input.botocore?.operations ?? {})) {
    if (input.operations && !input.operations.includes(name)) continue;
    if (!operations[name]) builder.note('botocore operations the SDK no longer has (left out)', name);
  }
  const shapes: Record<string, Shape> = {};
  for (const name of [...builder.shapes.keys()].sort()) shapes[name] = builder.shapes.get(name)!;
  return { model: { metadata: input.metadata, operations, shapes }, notes: builder.notes };
}

/**
 * The input narrowed to the operations it names: those operations, and of the errors only the
 * ones botocore lists for them. Naming an operation the SDK does not have is a mistake in the
 * generator's list, not something to skip.
 */
function selectOperations(input: BuildInput): BuildInput {
  const wanted = input.operations;
  if (!wanted) return input;
  const missing = wanted.filter((name) => !input.sdk.operations.some((op) => op.name === name));
  if (missing.length > 0) throw new Error(`the SDK has no operation ${missing.join(', ')}`);
  const keep = new Set(wanted);
  const errorNames = new Set(wanted.flatMap((name) => (input.botocore?.operations[name]?.errors ?? []).map((e) => e.shape)));
  return {
    ...input,
    sdk: { operations: input.sdk.operations.filter((op) => keep.has(op.name)), errors: input.sdk.errors.filter((e) => errorNames.has(e.name)) },
  };
}
