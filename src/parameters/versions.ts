/**
 * A parameter's version history, pure: the next version appended (the oldest dropped past 100,
 * unless it carries a label), selectors resolved to a version, labels moved between versions
 * and removed from one.
 */
import { SsmErrors } from './errors.ts';
import { isValidLabel, type Selector } from './names.ts';
import { MAX_LABELS, MAX_VERSIONS, type ParameterRecord, type ParameterVersionRecord } from './records.ts';

/** The versions after appending `next`, dropping the oldest when there would be more than 100. */
export function appendVersion(p: ParameterRecord, next: ParameterVersionRecord): ParameterVersionRecord[] {
  const versions = [...p.versions, next];
  if (versions.length <= MAX_VERSIONS) return versions;
  const oldest = versions[0]!;
  if (oldest.labels.length > 0) throw SsmErrors.maxVersions(p.name, oldest.version);
  return versions.slice(1);
}

/** The version a selector picks, or undefined. */
export function select(p: ParameterRecord, selector: Selector): ParameterVersionRecord | undefined {
  if (selector.kind === 'latest') return p.versions[p.versions.length - 1];
  if (selector.kind === 'version') return p.versions.find((v) => v.version === selector.version);
  return p.versions.find((v) => v.labels.includes(selector.label));
}

/** What labelling did: the versions after it, and the labels refused. */
export interface LabelResult {
  versions: ParameterVersionRecord[];
  invalidLabels: string[];
}

/**
 * Attaches `labels` to `version`: invalid ones are refused (InvalidLabels), valid ones move
 * there from any other version; more than 10 on the version is ParameterVersionLabelLimitExceeded.
 */
export function attachLabels(p: ParameterRecord, version: number, labels: readonly string[]): LabelResult {
  const target = p.versions.find((v) => v.version === version);
  if (!target) throw SsmErrors.versionNotFound(p.name, version);
  const invalidLabels = labels.filter((l) => !isValidLabel(l));
  const valid = [...new Set(labels.filter(isValidLabel))];
  const versions = p.versions.map((v) => v.version === version
    ? { ...v, labels: [...v.labels, ...valid.filter((l) => !v.labels.includes(l))] }
    : { ...v, labels: v.labels.filter((l) => !valid.includes(l)) });
  if (versions.find((v) => v.version === version)!.labels.length > MAX_LABELS) throw SsmErrors.labelLimit();
  return { versions, invalidLabels };
}

/** What unlabelling did: the versions after it, the labels removed and those the version did not have. */
export interface UnlabelResult {
  versions: ParameterVersionRecord[];
  removedLabels: string[];
  invalidLabels: string[];
}

/** Removes `labels` from `version`; labels it does not carry are InvalidLabels. */
export function detachLabels(p: ParameterRecord, version: number, labels: readonly string[]): UnlabelResult {
  const target = p.versions.find((v) => v.version === version);
  if (!target) throw SsmErrors.versionNotFound(p.name, version);
  const removedLabels = [...new Set(labels.filter((l) => target.labels.includes(l)))];
  const invalidLabels = labels.filter((l) => !target.labels.includes(l));
  const versions = p.versions.map((v) => v.version === version ? { ...v, labels: v.labels.filter((l) => !removedLabels.includes(l)) } : v);
  return { versions, removedLabels, invalidLabels };
}
