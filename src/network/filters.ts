/**
 * EC2's Describe filters: `Name=vpc-id,Values=vpc-1,vpc-2`. A resource passes a filter when any
 * of its values matches any of the filter's (values may use `*` for any run of characters and
 * `?` for one, `\` escaping either); it passes a request when it passes every filter. Each kind
 * of resource says which filter names it has and what its values are for each; `tag:<key>`,
 * `tag-key` and `tag-value` come with every taggable kind.
 */
import { Ec2Errors } from './errors.ts';
import type { Ec2Tag } from './records.ts';

/** One filter of a Describe request. */
export interface Ec2Filter {
  name: string;
  values: string[];
}

/**
 * A resource's values for each filter name it supports; `undefined` for a name it does not
 * have (the request is refused). A value may be absent (the resource has none for that name).
 */
export type FilterValues<T> = Record<string, (item: T) => readonly (string | number | boolean | undefined)[]>;

const wildcardCache = new Map<string, RegExp>();

/** A filter value as a whole-string pattern: `*` any run, `?` one character, `\x` the character itself. */
export function wildcard(value: string): RegExp {
  let pattern = wildcardCache.get(value);
  if (pattern) return pattern;
  let source = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\' && i + 1 < value.length) source += escape(value[++i]!);
    else if (c === '*') source += '[\\s\\S]*';
    else if (c === '?') source += '[\\s\\S]';
    else source += escape(c);
  }
  pattern = new RegExp(`^${source}$`);
  if (wildcardCache.size > 1000) wildcardCache.clear();
  wildcardCache.set(value, pattern);
  return pattern;
}

const escape = (c: string): string => c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** Whether any of `actual` matches any of the filter's values. */
function anyMatches(actual: readonly (string | number | boolean | undefined)[], values: readonly string[]): boolean {
  const present = actual.filter((a) => a !== undefined).map(String);
  return values.some((v) => {
    const pattern = wildcard(v);
    return present.some((a) => pattern.test(a));
  });
}

/** The tag filters every taggable resource has. */
function tagValues(name: string, tags: readonly Ec2Tag[]): string[] | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return tags.filter((t) => t.key === key).map((t) => t.value);
  }
  if (name === 'tag-key') return tags.map((t) => t.key);
  if (name === 'tag-value') return tags.map((t) => t.value);
  return undefined;
}

/**
 * The items that pass every filter. `tagsOf` makes the kind taggable (its tag filters work); a
 * filter name the kind does not have is InvalidParameterValue, as EC2 answers.
 */
export function applyFilters<T>(
  items: readonly T[], filters: readonly Ec2Filter[] | undefined, supported: FilterValues<T>, tagsOf?: (item: T) => readonly Ec2Tag[],
): T[] {
  if (!filters?.length) return [...items];
  for (const f of filters) {
    const known = Object.hasOwn(supported, f.name) || (tagsOf !== undefined && tagValues(f.name, []) !== undefined);
    if (!known) throw Ec2Errors.invalidFilter(f.name);
  }
  return items.filter((item) => filters.every((f) => {
    const values = Object.hasOwn(supported, f.name) ? supported[f.name]!(item) : tagValues(f.name, tagsOf!(item))!;
    return anyMatches(values, f.values);
  }));
}
