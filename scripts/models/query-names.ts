/**
 * A Query-shaped copy of an AWS JSON model, for an API that was a Query API before it moved to
 * AWS JSON (SQS until 2023) and whose older clients still speak Query. The shapes, constraints
 * and errors stay the JSON model's, so both protocols validate alike; what changes is how
 * members are named on the wire, taken from the API's older botocore Query model:
 * `MessageAttribute.1.Name` for `MessageAttributes`, `<Message>` for each of `Messages`,
 * `<Attribute><Name/><Value/></Attribute>` for a flattened map.
 *
 * botocore names a flattened list by its member's locationName (`AttributeName.1`,
 * `SendMessageBatchRequestEntry.1.Id`, `<Message>`) whatever the structure member is called;
 * the copy writes that name on the member, so the Query codec reads it as any locationName.
 */
import type { ListShape, MapShape, MemberRef, ServiceModel, Shape } from '../../src/aws/model/types.ts';
import type { BotoModel, BotoRef, BotoShape } from './botocore.ts';

/** The Query model, and the members the older model did not have (named as in JSON). */
export interface QueryNamesResult {
  model: ServiceModel;
  notes: string[];
}

type Container = ListShape | MapShape;

/**
 * The wire-name fields a reference takes from botocore's: its own locationName, else its
 * shape's (botocore merges a shape's traits under its reference's: `Tag` for any TagMap).
 */
function wireNames(ref: MemberRef, boto: BotoRef | undefined, shapes: Record<string, BotoShape>): MemberRef {
  const out: MemberRef = { ...ref };
  if (!boto) return out;
  delete out.locationName;
  delete out.flattened;
  const locationName = boto.locationName ?? shapes[boto.shape]?.locationName;
  if (locationName) out.locationName = locationName;
  if (boto.flattened) out.flattened = true;
  return out;
}

class QueryNamer {
  readonly shapes: Record<string, Shape>;
  /** Lists and maps already renamed: JSON shape name → the Query shape's name for each botocore shape it met. */
  private readonly renamed = new Map<string, Map<string, string>>();
  private readonly visited = new Set<string>();
  readonly unmatched = new Set<string>();

  constructor(private readonly json: ServiceModel, private readonly boto: BotoModel) {
    this.shapes = structuredClone(json.shapes);
  }

  /** Names the members of structure `name` (and what they reach) as botocore's structure `botoName` does. */
  structure(name: string, botoName: string | undefined): void {
    const key = `${name}\u0000${botoName ?? ''}`;
    if (this.visited.has(key)) return;
    this.visited.add(key);
    const shape = this.shapes[name];
    if (shape?.type !== 'structure') return;
    const boto = botoName ? this.boto.shapes[botoName] : undefined;
    for (const [member, ref] of Object.entries(shape.members)) {
      const botoRef = boto?.members?.[member];
      if (!botoRef && boto) this.unmatched.add(`${name}.${member}`);
      const named = wireNames(ref, botoRef, this.boto.shapes);
      named.shape = this.target(ref.shape, botoRef?.shape);
      const target = this.shapes[named.shape];
      // A flattened list is named by its member's locationName, as botocore serializes and parses it.
      if (target?.type === 'list' && (named.flattened || target.flattened) && target.member.locationName) {
        named.locationName = target.member.locationName;
      }
      shape.members[member] = named;
    }
  }

  /** The Query shape for a member of JSON shape `name` whose botocore shape is `botoName`. */
  private target(name: string, botoName: string | undefined): string {
    const shape = this.json.shapes[name];
    if (shape?.type === 'structure') {
      this.structure(name, botoName);
      return name;
    }
    if (shape?.type !== 'list' && shape?.type !== 'map') return name;
    const boto = botoName ? this.boto.shapes[botoName] : undefined;
    const byBoto = this.renamed.get(name) ?? new Map<string, string>();
    this.renamed.set(name, byBoto);
    const known = byBoto.get(botoName ?? '');
    if (known) return known;
    const named = this.container(shape, boto);
    // The first botocore shape met keeps the JSON name; another, named differently, gets its own copy.
    const same = [...byBoto.values()].find((n) => JSON.stringify(this.shapes[n]) === JSON.stringify(named));
    const queryName = same ?? (byBoto.size === 0 ? name : this.freeName(botoName ?? name));
    byBoto.set(botoName ?? '', queryName);
    this.shapes[queryName] = named;
    return queryName;
  }

  private container(shape: Container, boto: BotoShape | undefined): Container {
    const flattened = boto ? boto.flattened === true : shape.flattened === true;
    if (shape.type === 'list') {
      const member = wireNames(shape.member, boto?.member, this.boto.shapes);
      member.shape = this.target(shape.member.shape, boto?.member?.shape);
      const out: ListShape = { ...shape, member };
      delete out.flattened;
      if (flattened) out.flattened = true;
      return out;
    }
    const key = wireNames(shape.key, boto?.key, this.boto.shapes);
    const value = wireNames(shape.value, boto?.value, this.boto.shapes);
    value.shape = this.target(shape.value.shape, boto?.value?.shape);
    const out: MapShape = { ...shape, key, value };
    delete out.flattened;
    if (flattened) out.flattened = true;
    return out;
  }

  /** A shape name not yet taken: botocore's own, else it numbered. */
  private freeName(base: string): string {
    let name = base;
    for (let i = 2; Object.hasOwn(this.shapes, name); i++) name = `${base}${i}`;
    return name;
  }
}

/**
 * Members whose model shape says less than the Query API took, pointed at another shape
 * (`Structure.member` → shape name): where the model cannot say it, and only those.
 */
export type Retargets = Readonly<Record<string, string>>;

/**
 * The Query form of `json`: protocol awsQuery with the older model's XML namespace, each
 * operation's result wrapper, and every member reached from an operation named as `boto` names
 * it. Operations and members the older model lacks keep their JSON names (listed in `notes`).
 */
export function queryNamedModel(json: ServiceModel, boto: BotoModel, retargets: Retargets = {}): QueryNamesResult {
  const source: ServiceModel = { ...json, shapes: structuredClone(json.shapes) };
  for (const [path, target] of Object.entries(retargets)) {
    const [structure, member] = path.split('.');
    const shape = source.shapes[structure!];
    const ref = shape?.type === 'structure' && member ? shape.members[member] : undefined;
    if (!ref || !source.shapes[target]) throw new Error(`cannot point ${path} at ${target}: no such member or shape`);
    ref.shape = target;
  }
  const namer = new QueryNamer(source, boto);
  const operations: ServiceModel['operations'] = {};
  const missing: string[] = [];
  for (const [name, op] of Object.entries(source.operations)) {
    const old = boto.operations[name];
    if (!old) missing.push(name);
    if (op.input) namer.structure(op.input, old?.input?.shape);
    if (op.output) namer.structure(op.output, old?.output?.shape);
    const resultWrapper = old?.output?.resultWrapper ?? op.resultWrapper;
    operations[name] = { ...op, ...(resultWrapper && { resultWrapper }) };
  }
  const { serviceId, apiVersion, signingName } = json.metadata;
  const xmlNamespace = typeof boto.metadata.xmlNamespace === 'string' ? boto.metadata.xmlNamespace : json.metadata.xmlNamespace;
  const notes: string[] = [];
  if (missing.length) notes.push(`operations the Query model lacks (named as in JSON): ${missing.join(', ')}`);
  if (namer.unmatched.size) notes.push(`members the Query model lacks (named as in JSON): ${[...namer.unmatched].sort().join(', ')}`);
  return {
    model: { metadata: { serviceId, apiVersion, protocol: 'awsQuery', signingName, ...(xmlNamespace && { xmlNamespace }) }, operations, shapes: namer.shapes },
    notes,
  };
}
