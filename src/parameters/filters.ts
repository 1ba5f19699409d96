/**
 * DescribeParameters' and GetParametersByPath's filters, pure: the legacy `Filters` (Name, Type,
 * KeyId; values compared for equality) and `ParameterFilters` (Name with Equals, BeginsWith or
 * Contains; Type, KeyId, Tier, DataType, `tag:<key>` with Equals or BeginsWith; Path with
 * Recursive or OneLevel; Label, GetParametersByPath's only). Each filter is checked for the
 * operation it is given to before any is applied.
 */
import { SsmErrors } from './errors.ts';
import { isUnder, normalizePath } from './names.ts';
import { current, DEFAULT_KEY_ID, type ParameterRecord } from './records.ts';

/** One ParameterStringFilter. */
export interface StringFilter {
  key: string;
  option?: string;
  values?: string[];
}

/** One legacy ParametersFilter. */
export interface LegacyFilter {
  key: string;
  values: string[];
}

/** Which operation the filters are for: their keys and options differ. */
export type FilterUse = 'describe' | 'by-path';

const BY_PATH_KEYS = new Set(['Type', 'KeyId', 'Label']);
const DESCRIBE_KEYS = new Set(['Name', 'Type', 'KeyId', 'Path', 'Tier', 'DataType']);

/** Checks filters for `use`, throwing SSM's InvalidFilterKey, InvalidFilterOption or InvalidFilterValue. */
export function checkFilters(filters: readonly StringFilter[], use: FilterUse): void {
  for (const f of filters) {
    const isTag = f.key.startsWith('tag:');
    if (use === 'by-path' ? !BY_PATH_KEYS.has(f.key) : !(DESCRIBE_KEYS.has(f.key) || isTag)) throw SsmErrors.invalidFilterKey(f.key);
    const option = f.option;
    if (f.key === 'Path') {
      if (option !== undefined && option !== 'Recursive' && option !== 'OneLevel') {
        throw SsmErrors.invalidFilterOption('The filter option is not valid. Valid options are Recursive, OneLevel.');
      }
      if (!f.values?.length) throw SsmErrors.invalidFilterValue('The filter value is not valid. Specify a path, for example /Finance/Prod.');
      for (const v of f.values) normalizePath(v);
      continue;
    }
    if (f.key === 'Label') {
      if (option !== undefined && option !== 'Equals') throw SsmErrors.invalidFilterOption('The filter option is not valid. Valid options for Label are Equals.');
      if (!f.values?.length) throw SsmErrors.invalidFilterValue('The filter value is not valid. Specify one or more labels.');
      continue;
    }
    const options = f.key === 'Name' ? ['Equals', 'BeginsWith', 'Contains'] : ['Equals', 'BeginsWith'];
    if (option !== undefined && !options.includes(option)) {
      throw SsmErrors.invalidFilterOption(`The filter option is not valid. Valid options are ${options.join(', ')}.`);
    }
    if (!isTag && !f.values?.length) throw SsmErrors.invalidFilterValue(`The filter value is not valid. Specify one or more values for ${f.key}.`);
  }
}

/** The values a record shows for a filter key (undefined: the key does not apply to it). */
function fieldOf(p: ParameterRecord, key: string): string | undefined {
  const v = current(p);
  switch (key) {
    case 'Name': return p.name;
    case 'Type': return v.type;
    case 'KeyId': return v.type === 'SecureString' ? (v.keyId ?? DEFAULT_KEY_ID) : undefined;
    case 'Tier': return v.tier;
    case 'DataType': return v.dataType;
    default: return key.startsWith('tag:') ? p.tags.find((t) => t.key === key.slice(4))?.value : undefined;
  }
}

function matches(actual: string | undefined, option: string | undefined, values: readonly string[]): boolean {
  if (actual === undefined) return false;
  if (option === 'BeginsWith') return values.some((v) => actual.startsWith(v));
  if (option === 'Contains') return values.some((v) => actual.includes(v));
  return values.includes(actual);
}

/** True when the record passes every filter (Label filters are the caller's: they select a version). */
export function passes(p: ParameterRecord, filters: readonly StringFilter[]): boolean {
  return filters.every((f) => {
    if (f.key === 'Label') return true;
    if (f.key === 'Path') return (f.values ?? []).some((path) => isUnder(p.name, normalizePath(path), f.option === 'Recursive'));
    const values = f.values ?? [];
    if (f.key.startsWith('tag:') && values.length === 0) return fieldOf(p, f.key) !== undefined;
    // Names match with or without their leading slash, as SSM compares them.
    if (f.key === 'Name') return matches(p.name, f.option, values) || matches(p.name.replace(/^\//, ''), f.option, values.map((v) => v.replace(/^\//, '')));
    return matches(fieldOf(p, f.key), f.option, values);
  });
}

/** Legacy Filters as ParameterFilters with Equals. */
export function fromLegacy(filters: readonly LegacyFilter[]): StringFilter[] {
  return filters.map((f) => ({ key: f.key, option: 'Equals', values: f.values }));
}
