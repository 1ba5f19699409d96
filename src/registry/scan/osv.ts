/**
 * The vulnerability source of basic scanning: an OSV feed (https://ossf.github.io/osv-schema/)
 * an operator imports, matched against an image's inventory. A feed is an array of OSV
 * records or JSON lines, one record each. Only what matching and findings need is kept
 * (`OsvAdvisory`). A package is affected when its version is listed in `versions` or falls in
 * an ECOSYSTEM range (introduced ≤ v < fixed, or ≤ last_affected) in its ecosystem's order.
 * Pure: no I/O.
 */
import type { ImageInventory, InstalledPackage } from './inventory.ts';
import { versionComparator } from './versions.ts';

/** ECR's finding severities. */
export type FindingSeverity = 'CRITICAL' | 'HIGH' | 'MEDIUM' | 'LOW' | 'INFORMATIONAL' | 'UNDEFINED';
export const SEVERITY_ORDER: FindingSeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];

/** One event of an ECOSYSTEM range. */
export interface OsvEvent {
  introduced?: string;
  fixed?: string;
  last_affected?: string;
}

/** One affected package of an advisory, reduced to what matching needs. */
export interface OsvAffected {
  ecosystem: string;
  name: string;
  versions: string[];
  /** ECOSYSTEM ranges' events, in the order given. */
  ranges: OsvEvent[][];
  severity?: FindingSeverity;
}

/** An OSV record, reduced to what matching and findings need. */
export interface OsvAdvisory {
  id: string;
  summary?: string;
  uri: string;
  severity: FindingSeverity;
  modified?: string;
  affected: OsvAffected[];
}

/** An ECR ImageScanFinding (basic scanning). */
export interface ScanFinding {
  name: string;
  description?: string;
  uri: string;
  severity: FindingSeverity;
  attributes: { key: string; value: string }[];
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Maps a severity word from an advisory database (`HIGH`, `Moderate`, `important`, `unimportant`, …) to ECR's. */
export function severityFromWord(word: unknown): FindingSeverity | undefined {
  if (typeof word !== 'string') return undefined;
  switch (word.trim().toLowerCase()) {
    case 'critical': return 'CRITICAL';
    case 'high': case 'important': return 'HIGH';
    case 'medium': case 'moderate': return 'MEDIUM';
    case 'low': case 'negligible': case 'unimportant': return 'LOW';
    case 'informational': case 'info': case 'none': return 'INFORMATIONAL';
    default: return undefined;
  }
}

const CVSS3_WEIGHTS: Record<string, Record<string, number>> = {
  AV: { N: 0.85, A: 0.62, L: 0.55, P: 0.2 },
  AC: { L: 0.77, H: 0.44 },
  UI: { N: 0.85, R: 0.62 },
  C: { H: 0.56, L: 0.22, N: 0 },
  I: { H: 0.56, L: 0.22, N: 0 },
  A: { H: 0.56, L: 0.22, N: 0 },
};
const roundUp = (x: number) => {
  const i = Math.round(x * 100000);
  return i % 10000 === 0 ? i / 100000 : (Math.floor(i / 10000) + 1) / 10;
};

/** The CVSS v3.x base score of a vector (`CVSS:3.1/AV:N/AC:L/…`), or undefined when it is not one. */
export function cvss3BaseScore(vector: string): number | undefined {
  if (!/^CVSS:3\.[01]\//.test(vector)) return undefined;
  const m = new Map(vector.split('/').slice(1).map((part) => part.split(':') as [string, string]));
  const scope = m.get('S');
  const w = (k: string) => CVSS3_WEIGHTS[k]?.[m.get(k) ?? ''];
  const pr = m.get('PR');
  const prWeight = pr === 'N' ? 0.85 : pr === 'L' ? (scope === 'C' ? 0.68 : 0.62) : pr === 'H' ? (scope === 'C' ? 0.5 : 0.27) : undefined;
  const [av, ac, ui, c, i, a] = ['AV', 'AC', 'UI', 'C', 'I', 'A'].map(w);
  if ([av, ac, ui, c, i, a, prWeight].some((x) => x === undefined) || (scope !== 'U' && scope !== 'C')) return undefined;
  const iss = 1 - (1 - c!) * (1 - i!) * (1 - a!);
  const impact = scope === 'U' ? 6.42 * iss : 7.52 * (iss - 0.029) - 3.25 * (iss - 0.02) ** 15;
  if (impact <= 0) return 0;
  const exploitability = 8.22 * av! * ac! * prWeight! * ui!;
  return scope === 'U' ? roundUp(Math.min(impact + exploitability, 10)) : roundUp(Math.min(1.08 * (impact + exploitability), 10));
}

/** CVSS's qualitative rating of a base score. */
export function severityFromScore(score: number): FindingSeverity {
  if (score >= 9) return 'CRITICAL';
  if (score >= 7) return 'HIGH';
  if (score >= 4) return 'MEDIUM';
  if (score > 0) return 'LOW';
  return 'INFORMATIONAL';
}

/** The severity of an OSV `severity` list: the highest CVSS v3 score (a vector, or a plain number). */
function severityFromCvss(list: unknown): FindingSeverity | undefined {
  if (!Array.isArray(list)) return undefined;
  let best: number | undefined;
  for (const s of list) {
    if (!isObject(s) || typeof s.score !== 'string') continue;
    const score = /^[0-9]+(\.[0-9]+)?$/.test(s.score) ? Number(s.score) : cvss3BaseScore(s.score);
    if (score !== undefined && (best === undefined || score > best)) best = score;
  }
  return best === undefined ? undefined : severityFromScore(best);
}

/** Reduces one OSV record; undefined when it has no id or nothing it affects. */
export function toAdvisory(record: unknown): OsvAdvisory | undefined {
  if (!isObject(record) || typeof record.id !== 'string' || !Array.isArray(record.affected)) return undefined;
  if (record.withdrawn !== undefined) return undefined;
  const affected: OsvAffected[] = [];
  for (const a of record.affected) {
    if (!isObject(a) || !isObject(a.package)) continue;
    const ecosystem = str(a.package.ecosystem);
    const name = str(a.package.name);
    if (!ecosystem || !name) continue;
    const ranges = (Array.isArray(a.ranges) ? a.ranges : [])
      .filter((r): r is Json => isObject(r) && r.type === 'ECOSYSTEM' && Array.isArray(r.events))
      .map((r) => (r.events as unknown[]).filter(isObject).map((e) => ({
        ...(str(e.introduced) !== undefined && { introduced: str(e.introduced) }),
        ...(str(e.fixed) !== undefined && { fixed: str(e.fixed) }),
        ...(str(e.last_affected) !== undefined && { last_affected: str(e.last_affected) }),
      })));
    const versions = Array.isArray(a.versions) ? a.versions.filter((v): v is string => typeof v === 'string') : [];
    const severity = (isObject(a.database_specific) ? severityFromWord(a.database_specific.severity) : undefined)
      ?? (isObject(a.ecosystem_specific) ? severityFromWord(a.ecosystem_specific.severity ?? a.ecosystem_specific.urgency) : undefined)
      ?? severityFromCvss(a.severity);
    affected.push({ ecosystem, name, versions, ranges, ...(severity && { severity }) });
  }
  if (!affected.length) return undefined;
  const references = Array.isArray(record.references) ? record.references.filter(isObject) : [];
  const reference = references.find((r) => r.type === 'ADVISORY') ?? references.find((r) => r.type === 'WEB');
  const summary = str(record.summary) ?? str(record.details);
  return {
    id: record.id,
    ...(summary !== undefined && { summary }),
    uri: str(reference?.url) ?? `https://osv.dev/vulnerability/${record.id}`,
    severity: (isObject(record.database_specific) ? severityFromWord(record.database_specific.severity) : undefined)
      ?? severityFromCvss(record.severity) ?? 'UNDEFINED',
    ...(str(record.modified) !== undefined && { modified: str(record.modified) }),
    affected,
  };
}

/** Parses a feed: a JSON array of OSV records, one record, or JSON lines. Records that are not OSV advisories for a package are skipped. */
export function parseOsvFeed(text: string): OsvAdvisory[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  let records: unknown[];
  if (trimmed.startsWith('[')) {
    records = JSON.parse(trimmed) as unknown[];
  } else {
    records = [];
    for (const [n, line] of trimmed.split(/\r?\n/).entries()) {
      if (!line.trim()) continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        if (n === 0) {
          records = [JSON.parse(trimmed)];
          break;
        }
        throw new SyntaxError(`line ${n + 1} of the feed is not JSON`);
      }
    }
  }
  return records.map(toAdvisory).filter((a): a is OsvAdvisory => a !== undefined);
}

/** The OSV ecosystem of an image's OS: `Debian:12`, `Alpine:v3.19`, `Ubuntu:22.04`; undefined for others. */
export function ecosystemOf(os: ImageInventory['os']): string | undefined {
  if (!os.id || !os.versionId) return undefined;
  if (os.id === 'debian') return `Debian:${os.versionId.split('.')[0]}`;
  if (os.id === 'alpine') return `Alpine:v${os.versionId.split('.').slice(0, 2).join('.')}`;
  if (os.id === 'ubuntu') return `Ubuntu:${os.versionId}`;
  return undefined;
}

/** Advisories by `ecosystem|package`, for matching many packages against one feed. */
export type OsvIndex = Map<string, { advisory: OsvAdvisory; affected: OsvAffected }[]>;

/** Indexes advisories by each ecosystem and package they affect. */
export function indexAdvisories(advisories: OsvAdvisory[]): OsvIndex {
  const index: OsvIndex = new Map();
  for (const advisory of advisories) {
    for (const affected of advisory.affected) {
      const key = `${affected.ecosystem}|${affected.name}`;
      const list = index.get(key) ?? [];
      list.push({ advisory, affected });
      index.set(key, list);
    }
  }
  return index;
}

/** True when `version` is affected: listed, or inside one of the ECOSYSTEM ranges in `compare`'s order. */
export function isAffected(affected: OsvAffected, version: string, compare: (a: string, b: string) => number): boolean {
  if (affected.versions.some((v) => compare(v, version) === 0)) return true;
  for (const events of affected.ranges) {
    // OSV's evaluation: walk events in version order ("0" first); the last one at or below v decides.
    const key = (e: OsvEvent) => e.introduced ?? e.fixed ?? e.last_affected ?? '';
    const sorted = [...events].sort((a, b) => (a.introduced === '0' ? -1 : b.introduced === '0' ? 1 : compare(key(a), key(b))));
    let inside = false;
    for (const e of sorted) {
      if (e.introduced !== undefined && (e.introduced === '0' || compare(e.introduced, version) <= 0)) inside = true;
      else if (e.fixed !== undefined && compare(e.fixed, version) <= 0) inside = false;
      else if (e.last_affected !== undefined && compare(e.last_affected, version) < 0) inside = false;
    }
    if (inside) return true;
  }
  return false;
}

/** The ecosystem names a package may be listed under: exactly the image's (`Debian:12`), or the bare ecosystem (`Debian`). */
const candidateEcosystems = (ecosystem: string) => [ecosystem, ecosystem.split(':')[0]].filter((e, i, all) => all.indexOf(e) === i);

/**
 * The findings for an inventory: one per advisory and installed package it affects (looked up
 * by binary name and by source package), sorted by severity then name.
 */
export function matchInventory(index: OsvIndex, inventory: ImageInventory): ScanFinding[] {
  const ecosystem = ecosystemOf(inventory.os);
  if (!ecosystem) return [];
  const compare = versionComparator(ecosystem);
  if (!compare) return [];
  const findings = new Map<string, ScanFinding>();
  const check = (pkg: InstalledPackage, name: string, version: string) => {
    for (const eco of candidateEcosystems(ecosystem)) {
      for (const { advisory, affected } of index.get(`${eco}|${name}`) ?? []) {
        const id = `${advisory.id}|${pkg.name}`;
        if (findings.has(id) || !isAffected(affected, version, compare)) continue;
        findings.set(id, {
          name: advisory.id,
          ...(advisory.summary !== undefined && { description: advisory.summary }),
          uri: advisory.uri,
          severity: affected.severity ?? advisory.severity,
          attributes: [
            { key: 'package_name', value: pkg.name },
            { key: 'package_version', value: pkg.version },
          ],
        });
      }
    }
  };
  for (const pkg of inventory.packages) {
    check(pkg, pkg.name, pkg.version);
    if (pkg.sourceName && pkg.sourceName !== pkg.name) check(pkg, pkg.sourceName, pkg.sourceVersion ?? pkg.version);
  }
  return [...findings.values()].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
      || (a.attributes[0].value < b.attributes[0].value ? -1 : 1),
  );
}

/** Counts findings by severity, as ECR's findingSeverityCounts (severities with none are left out). */
export function severityCounts(findings: ScanFinding[]): Partial<Record<FindingSeverity, number>> {
  const counts: Partial<Record<FindingSeverity, number>> = {};
  for (const f of findings) counts[f.severity] = (counts[f.severity] ?? 0) + 1;
  return counts;
}
