/**
 * Metric filters as CloudWatch Logs applies them: a transformation's rules checked against its
 * pattern (a numeric value or a field the pattern names, at most three dimensions whose values
 * are fields, no default value with dimensions), TestMetricFilter, and what a batch of accepted
 * events makes of a group's filters: one datum per metric, dimension set, unit and minute, with
 * its distinct values and their counts, so a flood of events is a handful of metric writes.
 * Pure: the metrics themselves are written through the `MetricDataPort` the logs env carries.
 */
import { LogsErrors } from './errors.ts';
import { FilterPatternError, parseFilterPattern, type FilterPattern } from './filter-pattern.ts';
import type { MetricFilterRecord, MetricTransformationRecord, Scope } from './records.ts';

/** One datum a batch publishes: CloudWatch's Values and Counts form of PutMetricData's datum. */
export interface MetricFilterDatum {
  namespace: string;
  metricName: string;
  dimensions: { name: string; value: string }[];
  /** The first event's timestamp of the minute the datum covers. */
  timestamp: number;
  values: number[];
  counts: number[];
  unit?: string;
}

/** Where metric filters' data go: CloudWatch's metrics, as the control plane wires it. */
export type MetricDataPort = (scope: Scope, data: MetricFilterDatum[]) => Promise<void>;

/** At most this many dimensions per transformation, as in AWS. */
export const MAX_DIMENSIONS = 3;
/** PutMetricData takes at most 150 values in one datum. */
const MAX_VALUES = 150;
const MINUTE = 60_000;
const NUMBER = /^[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/;

/** The pattern, or InvalidParameterException as PutMetricFilter and TestMetricFilter word it. */
export function metricFilterPattern(text: string): FilterPattern {
  try {
    return parseFilterPattern(text);
  } catch (error) {
    if (error instanceof FilterPatternError) throw LogsErrors.invalidParameter('Invalid metric filter pattern');
    throw error;
  }
}

/** Whether `ref` names a field of the pattern: `$.path` of a JSON pattern, `$name` of a named space-delimited field. */
function namesField(pattern: FilterPattern, ref: string): boolean {
  if (pattern.kind === 'json') return /^\$(\.[^.[\]]+|\[(\d+|\*)\])+$/.test(ref);
  if (pattern.kind === 'delimited') return pattern.fields.includes(ref);
  return false;
}

/** AWS's rules for a transformation over its pattern; InvalidParameterException naming the member otherwise. */
export function checkTransformation(pattern: FilterPattern, t: MetricTransformationRecord): void {
  const value = t.metricValue.trim();
  if (!NUMBER.test(value) && !namesField(pattern, value)) {
    throw LogsErrors.invalidParameter(
      `Invalid metricValue '${t.metricValue}': it must be a number, or a field the filter pattern names ($.field for a JSON pattern, $name for a space-delimited one).`,
    );
  }
  const dimensions = Object.entries(t.dimensions ?? {});
  if (dimensions.length === 0) return;
  if (dimensions.length > MAX_DIMENSIONS) throw LogsErrors.invalidParameter(`A metric transformation can have at most ${MAX_DIMENSIONS} dimensions.`);
  if (t.defaultValue !== undefined) throw LogsErrors.invalidParameter('A metric transformation with dimensions cannot have a defaultValue.');
  if (pattern.kind !== 'json' && pattern.kind !== 'delimited') {
    throw LogsErrors.invalidParameter('Dimensions are supported only for JSON and space-delimited filter patterns.');
  }
  for (const [name, ref] of dimensions) {
    if (!namesField(pattern, ref.trim())) {
      throw LogsErrors.invalidParameter(`Invalid dimension '${name}': its value '${ref}' must be a field the filter pattern names.`);
    }
  }
}

/** TestMetricFilter: the messages the pattern matches (numbered from 1) with the fields it extracts. */
export function testMetricFilter(patternText: string, messages: readonly string[]): { eventNumber: number; eventMessage: string; extractedValues: Record<string, string> }[] {
  const pattern = metricFilterPattern(patternText);
  return messages.flatMap((message, i) => {
    const m = pattern.match(message);
    return m ? [{ eventNumber: i + 1, eventMessage: message, extractedValues: m.extracted }] : [];
  });
}

/** A matching event's value: the number itself, or the named field's when it holds a number. */
function valueOf(t: MetricTransformationRecord, field: (ref: string) => string | undefined): number | undefined {
  const text = t.metricValue.trim();
  const raw = NUMBER.test(text) ? text : field(text)?.trim();
  if (raw === undefined || !NUMBER.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

/**
 * What `events` (accepted, in order) make of the group's metric filters: per filter, each
 * matching event's value (and dimensions from its fields), or the default value for an event
 * that does not match; events whose value or dimension field is missing or not numeric add
 * nothing. Values are counted per metric, dimension set, unit and minute.
 */
export function metricFilterData(filters: readonly MetricFilterRecord[], events: readonly { timestamp: number; message: string }[]): MetricFilterDatum[] {
  const buckets = new Map<string, { datum: Omit<MetricFilterDatum, 'values' | 'counts'>; counts: Map<number, number> }>();
  const add = (t: MetricTransformationRecord, dimensions: { name: string; value: string }[], timestamp: number, value: number) => {
    const minute = Math.floor(timestamp / MINUTE);
    const key = JSON.stringify([t.metricNamespace, t.metricName, t.unit ?? '', dimensions.map((d) => [d.name, d.value]), minute]);
    let bucket = buckets.get(key);
    if (!bucket) {
      bucket = {
        datum: { namespace: t.metricNamespace, metricName: t.metricName, dimensions, timestamp, ...(t.unit !== undefined ? { unit: t.unit } : {}) },
        counts: new Map(),
      };
      buckets.set(key, bucket);
    }
    bucket.counts.set(value, (bucket.counts.get(value) ?? 0) + 1);
  };
  for (const filter of filters) {
    let pattern: FilterPattern;
    try {
      pattern = parseFilterPattern(filter.filterPattern);
    } catch {
      continue;
    }
    for (const t of filter.metricTransformations) {
      const dimensionRefs = Object.entries(t.dimensions ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      for (const e of events) {
        const m = pattern.match(e.message);
        if (!m) {
          if (t.defaultValue !== undefined) add(t, [], e.timestamp, t.defaultValue);
          continue;
        }
        const value = valueOf(t, m.field);
        if (value === undefined) continue;
        const dimensions = dimensionRefs.map(([name, ref]) => ({ name, value: m.field(ref.trim()) }));
        if (dimensions.some((d) => d.value === undefined || d.value === '')) continue;
        add(t, dimensions as { name: string; value: string }[], e.timestamp, value);
      }
    }
  }
  const out: MetricFilterDatum[] = [];
  for (const { datum, counts } of buckets.values()) {
    const entries = [...counts];
    for (let i = 0; i < entries.length; i += MAX_VALUES) {
      const chunk = entries.slice(i, i + MAX_VALUES);
      out.push({ ...datum, values: chunk.map(([v]) => v), counts: chunk.map(([, c]) => c) });
    }
  }
  return out;
}
