/**
 * ECR lifecycle policies: the JSON document PutLifecyclePolicy and StartLifecyclePolicyPreview
 * take, parsed once at the edge into a typed {@link LifecyclePolicy} or refused with the
 * `InvalidParameterException` ECR returns. Evaluation lives in `evaluate.ts`.
 *
 * The rules checked are the ones the Amazon ECR User Guide documents ("Lifecycle policy
 * properties", "Lifecycle policy evaluation rules"). Error messages keep ECR's own shape,
 * `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy
 * validation failure: <detail>'`, with ECR's detail wording where it is known (its JSON-schema
 * messages such as `object has missing required properties (["rules"])`, and
 * `Rule for tagStatus=ANY must have the lowest priority per storage class`); schema messages
 * also carry a JSON pointer so the caller can tell which rule is wrong.
 *
 * Scope: the `expire` action on standard storage. The archive storage class (`storageClass:
 * "archive"`, `sinceImagePulled`, `sinceImageTransitioned`, the `transition` action) is refused.
 */
import { AwsError } from '../../aws/index.ts';

/** Which images a rule looks at, by their tags. */
export type TagStatus = 'tagged' | 'untagged' | 'any';

/** How a rule's tags filter images: `tagged` rules name prefixes or wildcard patterns, the others nothing. */
export type LifecycleTagSelection =
  | { tagStatus: 'tagged'; tagPrefixList: string[]; tagPatternList?: undefined }
  | { tagStatus: 'tagged'; tagPatternList: string[]; tagPrefixList?: undefined }
  | { tagStatus: 'untagged' | 'any'; tagPrefixList?: undefined; tagPatternList?: undefined };

/** What a rule expires among the images it selects: all but the newest N, or those pushed more than N days ago. */
export type LifecycleCount =
  | { countType: 'imageCountMoreThan'; countNumber: number; countUnit?: undefined }
  | { countType: 'sinceImagePushed'; countUnit: 'days'; countNumber: number };

/** A rule's `selection` object. */
export type LifecycleSelection = LifecycleTagSelection & LifecycleCount;

/** One rule of a lifecycle policy, as validated. */
export interface LifecycleRule {
  rulePriority: number;
  description?: string;
  selection: LifecycleSelection;
  action: { type: 'expire' };
}

/** A validated lifecycle policy; `rules` are in ascending `rulePriority`, the order ECR applies them. */
export interface LifecyclePolicy {
  rules: LifecycleRule[];
}

/** PutLifecyclePolicy's length constraint on `lifecyclePolicyText` (API reference; also the "Lifecycle policy length" quota). */
export const LIFECYCLE_POLICY_TEXT_LENGTH = { min: 100, max: 30_720 } as const;

/** "There is a maximum limit of four wildcards (`*`) per string" in a `tagPatternList`. */
export const MAX_TAG_PATTERN_WILDCARDS = 4;

type Json = Record<string, unknown>;

/** The error ECR returns for a policy its validator refuses. */
function validationFailure(detail: string): AwsError {
  return new AwsError(
    'InvalidParameterException',
    `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${detail}'`,
  );
}

/** A JSON-schema style failure at a JSON pointer inside the document. */
function schemaFailure(detail: string, pointer: string): AwsError {
  return validationFailure(`${detail} (pointer: ${pointer || '/'})`);
}

/** JSON Schema's name for a value's type, as ECR's schema messages use it. */
function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

const quoted = (values: readonly string[]) => `[${values.map((v) => JSON.stringify(v)).join(', ')}]`;

function expectType(value: unknown, type: 'object' | 'array' | 'string' | 'integer', pointer: string): void {
  const actual = jsonType(value);
  if (actual !== type) {
    throw schemaFailure(`instance type (${actual}) does not match any allowed primitive type (allowed: ["${type}"])`, pointer);
  }
}

function expectObject(value: unknown, pointer: string, required: readonly string[], allowed: readonly string[]): Json {
  expectType(value, 'object', pointer);
  const object = value as Json;
  const missing = required.filter((key) => !(key in object));
  if (missing.length > 0) throw schemaFailure(`object has missing required properties (${quoted(missing)})`, pointer);
  const extra = Object.keys(object).filter((key) => !allowed.includes(key));
  if (extra.length > 0) {
    throw schemaFailure(`object instance has properties which are not allowed by the schema: (${quoted(extra)})`, pointer);
  }
  return object;
}

function expectEnum<T extends string>(value: unknown, values: readonly T[], pointer: string): T {
  expectType(value, 'string', pointer);
  if (!values.includes(value as T)) {
    throw schemaFailure(`instance value (${JSON.stringify(value)}) not found in enum (possible values: ${quoted(values)})`, pointer);
  }
  return value as T;
}

function expectPositiveInteger(value: unknown, pointer: string): number {
  expectType(value, 'integer', pointer);
  const n = value as number;
  if (n < 1) throw schemaFailure(`numeric instance is lower than the required minimum (minimum: 1, found: ${n})`, pointer);
  if (!Number.isSafeInteger(n)) {
    throw schemaFailure(`numeric instance is greater than the allowed maximum (maximum: ${Number.MAX_SAFE_INTEGER}, found: ${n})`, pointer);
  }
  return n;
}

function expectStringList(value: unknown, pointer: string): string[] {
  expectType(value, 'array', pointer);
  const list = value as unknown[];
  if (list.length === 0) {
    throw schemaFailure('array is too short: must have at least 1 elements but instance has 0 elements', pointer);
  }
  list.forEach((item, i) => expectType(item, 'string', `${pointer}/${i}`));
  return list as string[];
}

/** The oneOf over the two count shapes (`imageCountMoreThan` / `sinceImagePushed`), in ECR's words plus what is wrong. */
function countMismatch(detail: string, pointer: string): AwsError {
  return schemaFailure(`instance failed to match exactly one schema (matched 0 out of 2): ${detail}`, pointer);
}

const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'] as const;
const SELECTION_KEYS = ['tagStatus', 'tagPrefixList', 'tagPatternList', 'countType', 'countUnit', 'countNumber', 'storageClass'] as const;
const COUNT_TYPES = ['imageCountMoreThan', 'sinceImagePushed'] as const;
/** Count types ECR has for the archive storage class, which Wharf does not offer. */
const ARCHIVE_COUNT_TYPES = ['sinceImagePulled', 'sinceImageTransitioned'];

function parseSelection(value: unknown, pointer: string): LifecycleSelection {
  const s = expectObject(value, pointer, ['tagStatus', 'countType', 'countNumber'], SELECTION_KEYS);
  const tagStatus = expectEnum(s.tagStatus, ['tagged', 'untagged', 'any'] as const, `${pointer}/tagStatus`);
  const prefixes = s.tagPrefixList === undefined ? undefined : expectStringList(s.tagPrefixList, `${pointer}/tagPrefixList`);
  const patterns = s.tagPatternList === undefined ? undefined : expectStringList(s.tagPatternList, `${pointer}/tagPatternList`);
  // "When using a countType of imageCountMoreThan, sinceImagePushed, or sinceImagePulled, the only
  // supported value is standard. [...] If you omit this, the value of standard will be used."
  if (s.storageClass !== undefined) expectEnum(s.storageClass, ['standard'] as const, `${pointer}/storageClass`);

  expectType(s.countType, 'string', `${pointer}/countType`);
  const countType = s.countType as string;
  if (!(COUNT_TYPES as readonly string[]).includes(countType)) {
    const why = ARCHIVE_COUNT_TYPES.includes(countType)
      ? `countType ${countType} applies to the archive storage class, which is not supported`
      : `countType ${JSON.stringify(countType)} is not one of ${quoted(COUNT_TYPES)}`;
    throw countMismatch(why, `${pointer}/countType`);
  }
  let count: LifecycleCount;
  if (countType === 'sinceImagePushed') {
    // countUnit — "Required: yes, only if countType is set to sinceImagePushed".
    if (s.countUnit === undefined) throw countMismatch('countUnit is required when countType is sinceImagePushed', pointer);
    const countUnit = expectEnum(s.countUnit, ['days'] as const, `${pointer}/countUnit`);
    count = { countType, countUnit, countNumber: expectPositiveInteger(s.countNumber, `${pointer}/countNumber`) };
  } else {
    // "an error will occur if you specify a count unit when countType is any other value."
    if (s.countUnit !== undefined) throw countMismatch('countUnit is only allowed when countType is sinceImagePushed', `${pointer}/countUnit`);
    count = { countType: 'imageCountMoreThan', countNumber: expectPositiveInteger(s.countNumber, `${pointer}/countNumber`) };
  }

  if (tagStatus !== 'tagged') {
    // "If you specify untagged, then you must omit both tagPrefixList and tagPatternList."
    // "The tagPatternList or tagPrefixList parameters may only be used if the tagStatus is tagged."
    if (prefixes || patterns) {
      throw validationFailure(`Cannot specify tagPrefixList or tagPatternList when tagStatus=${tagStatus.toUpperCase()}.`);
    }
    return { tagStatus, ...count };
  }
  // "A lifecycle policy rule may specify either tagPatternList or tagPrefixList, but not both."
  if (prefixes && patterns) throw validationFailure('A rule may specify either tagPatternList or tagPrefixList, but not both.');
  // "If you specify tagged, then you must also specify a tagPrefixList value or a tagPatternList value."
  if (prefixes) return { tagStatus, tagPrefixList: prefixes, ...count };
  if (patterns) {
    patterns.forEach((pattern, i) => {
      const wildcards = pattern.split('*').length - 1;
      if (wildcards > MAX_TAG_PATTERN_WILDCARDS) {
        throw schemaFailure(
          `tagPatternList entry ${JSON.stringify(pattern)} has ${wildcards} wildcards (*); at most ${MAX_TAG_PATTERN_WILDCARDS} are allowed per string`,
          `${pointer}/tagPatternList/${i}`,
        );
      }
    });
    return { tagStatus, tagPatternList: patterns, ...count };
  }
  throw validationFailure('Must specify tagPrefixList or tagPatternList when tagStatus=TAGGED.');
}

function parseRule(value: unknown, pointer: string): LifecycleRule {
  const r = expectObject(value, pointer, ['rulePriority', 'selection', 'action'], RULE_KEYS);
  const rulePriority = expectPositiveInteger(r.rulePriority, `${pointer}/rulePriority`);
  if (r.description !== undefined) expectType(r.description, 'string', `${pointer}/description`);
  const selection = parseSelection(r.selection, `${pointer}/selection`);
  const action = expectObject(r.action, `${pointer}/action`, ['type'], ['type']);
  const type = expectEnum(action.type, ['expire'] as const, `${pointer}/action/type`);
  const rule: LifecycleRule = { rulePriority, selection, action: { type } };
  if (r.description !== undefined) rule.description = r.description as string;
  return rule;
}

/** The rules that concern the policy as a whole, checked once every rule is well formed. */
function checkRuleSet(rules: readonly LifecycleRule[]): void {
  // "When you add rules to a lifecycle policy, you must give them each a unique value for rulePriority."
  const seen = new Set<number>();
  for (const { rulePriority } of rules) {
    if (seen.has(rulePriority)) throw validationFailure(`rulePriority must be unique: more than one rule has rulePriority ${rulePriority}.`);
    seen.add(rulePriority);
  }
  // "A rule with a tagStatus value of any must have the highest value for rulePriority and be evaluated last."
  const highest = Math.max(...rules.map((r) => r.rulePriority));
  if (rules.some((r) => r.selection.tagStatus === 'any' && r.rulePriority !== highest)) {
    throw validationFailure('Rule for tagStatus=ANY must have the lowest priority per storage class');
  }
  // "Only one rule is allowed to select untagged images." (`any` rules are not counted: the
  // documentation's own "Filtering on all images" Example B pairs an untagged rule with an any rule.)
  if (rules.filter((r) => r.selection.tagStatus === 'untagged').length > 1) {
    throw validationFailure('Only one rule can select Untagged images per storage class');
  }
  // "The set of rules must contain a unique set of tag prefixes." Applied to tagPatternList too:
  // a second rule with the same tag filter could never expire anything (see evaluate.ts).
  const filters = new Map<string, number>();
  for (const { rulePriority, selection } of rules) {
    if (selection.tagStatus !== 'tagged') continue;
    const [name, list] = selection.tagPrefixList ? ['tagPrefixList', selection.tagPrefixList] : ['tagPatternList', selection.tagPatternList];
    const key = `${name}:${JSON.stringify([...new Set(list)].sort())}`;
    const other = filters.get(key);
    if (other !== undefined) {
      throw validationFailure(
        `The set of rules must contain a unique set of tag prefixes: rules ${other} and ${rulePriority} have the same ${name} ${quoted(list)}.`,
      );
    }
    filters.set(key, rulePriority);
  }
}

/**
 * Parses and validates a lifecycle policy text as PutLifecyclePolicy and
 * StartLifecyclePolicyPreview do, so a policy is stored only if it can be evaluated; throws
 * ECR's `InvalidParameterException` naming the first problem found.
 */
export function parseLifecyclePolicy(text: string): LifecyclePolicy {
  const length = [...text].length;
  if (length < LIFECYCLE_POLICY_TEXT_LENGTH.min || length > LIFECYCLE_POLICY_TEXT_LENGTH.max) {
    const bound = length < LIFECYCLE_POLICY_TEXT_LENGTH.min
      ? `greater than or equal to ${LIFECYCLE_POLICY_TEXT_LENGTH.min}`
      : `less than or equal to ${LIFECYCLE_POLICY_TEXT_LENGTH.max}`;
    // ECR reports an API constraint in the same frame as a policy failure (as EcrErrors.constraint does).
    throw new AwsError(
      'InvalidParameterException',
      `Invalid parameter at 'lifecyclePolicyText' failed to satisfy constraint: 'Member must have length ${bound}'`,
    );
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    document = undefined;
  }
  if (jsonType(document) !== 'object') throw validationFailure('Could not map policyString into LifecyclePolicy.');
  const top = expectObject(document, '', ['rules'], ['rules']);
  expectType(top.rules, 'array', '/rules');
  const list = top.rules as unknown[];
  if (list.length === 0) throw schemaFailure('array is too short: must have at least 1 elements but instance has 0 elements', '/rules');
  const rules = list.map((rule, i) => parseRule(rule, `/rules/${i}`));
  checkRuleSet(rules);
  return { rules: rules.sort((a, b) => a.rulePriority - b.rulePriority) };
}
