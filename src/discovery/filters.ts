/**
 * The filters of ListNamespaces, ListServices and ListOperations: each names an attribute,
 * values and a condition (EQ by default), with the conditions Cloud Map allows per attribute.
 * Pure: a filter either matches a record or is refused as InvalidInput naming it.
 */
import { DiscoveryErrors } from './errors.ts';

/** Cloud Map's filter conditions. */
export type FilterCondition = 'EQ' | 'IN' | 'BETWEEN' | 'BEGINS_WITH';

/** A filter as a request gives it. */
export interface DiscoveryFilter {
  name: string;
  values: string[];
  condition?: FilterCondition;
}

/** For each attribute a list can filter on: the conditions it takes and the value(s) of a record. */
export type FilterSpec<T> = Record<string, { conditions: readonly FilterCondition[]; valuesOf: (record: T) => (string | number)[] }>;

/** A predicate for `filters` (all must match), refusing a filter Cloud Map refuses. */
export function filterPredicate<T>(filters: readonly DiscoveryFilter[] | undefined, spec: FilterSpec<T>, field: string): (record: T) => boolean {
  const tests = (filters ?? []).map((f, i) => {
    const where = `${field}[${i}]`;
    const attribute = spec[f.name];
    if (!attribute) throw DiscoveryErrors.invalidInput(`${where}.Name: ${f.name} is not a filter of this operation.`);
    const condition = f.condition ?? 'EQ';
    if (!attribute.conditions.includes(condition)) {
      throw DiscoveryErrors.invalidInput(`${where}.Condition: ${condition} is not supported for ${f.name}; use ${attribute.conditions.join(' or ')}.`);
    }
    if (f.values.length === 0) throw DiscoveryErrors.invalidInput(`${where}.Values: at least one value is required.`);
    if ((condition === 'EQ' || condition === 'BEGINS_WITH') && f.values.length !== 1) {
      throw DiscoveryErrors.invalidInput(`${where}.Values: ${condition} takes exactly one value.`);
    }
    if (condition === 'BETWEEN') {
      if (f.values.length !== 2) throw DiscoveryErrors.invalidInput(`${where}.Values: BETWEEN takes two values, a start and an end.`);
      const [from, to] = f.values.map(Number);
      if (!Number.isFinite(from) || !Number.isFinite(to)) throw DiscoveryErrors.invalidInput(`${where}.Values: BETWEEN takes two timestamps (epoch seconds).`);
      return (r: T) => attribute.valuesOf(r).some((v) => typeof v === 'number' && v >= from! * 1000 && v <= to! * 1000);
    }
    if (condition === 'BEGINS_WITH') return (r: T) => attribute.valuesOf(r).some((v) => String(v).startsWith(f.values[0]!));
    return (r: T) => attribute.valuesOf(r).some((v) => f.values.includes(String(v)));
  });
  return (record) => tests.every((t) => t(record));
}
