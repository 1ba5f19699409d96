/**
 * Staging labels, pure: each label is on at most one version of a secret; a new version takes
 * its labels (AWSCURRENT by default) from whichever versions had them, and whenever AWSCURRENT
 * moves, AWSPREVIOUS goes to the version it left. A version left without labels is deprecated;
 * beyond 100 versions the oldest deprecated ones are dropped.
 */
import { SecretsErrors } from './errors.ts';
import type { VersionRecord } from './records.ts';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
/** How many versions a secret keeps before its oldest deprecated ones are dropped. */
export const MAX_VERSIONS = 100;

/** The version that has `stage`, if any. */
export const versionWithStage = (versions: readonly VersionRecord[], stage: string): VersionRecord | undefined =>
  versions.find((v) => v.stages.includes(stage));

/** `versions` with `stage` on `versionId` alone, and AWSPREVIOUS following a moved AWSCURRENT. */
function attach(versions: VersionRecord[], stage: string, versionId: string): VersionRecord[] {
  const from = versionWithStage(versions, stage);
  if (from?.versionId === versionId) return versions;
  let out = versions.map((v) => (v.stages.includes(stage) ? { ...v, stages: v.stages.filter((s) => s !== stage) } : v));
  out = out.map((v) => (v.versionId === versionId ? { ...v, stages: [...v.stages, stage] } : v));
  if (stage === AWSCURRENT && from) out = attach(out, AWSPREVIOUS, from.versionId);
  return out;
}

/** The result of a change: the versions, and the ids of those dropped (their values go too). */
export interface VersionChange {
  versions: VersionRecord[];
  dropped: string[];
}

/** Drops the oldest versions without labels while there are more than MAX_VERSIONS. */
function prune(versions: VersionRecord[]): VersionChange {
  const dropped: string[] = [];
  let excess = versions.length - MAX_VERSIONS;
  const kept = versions.filter((v) => {
    if (excess > 0 && v.stages.length === 0) {
      excess--;
      dropped.push(v.versionId);
      return false;
    }
    return true;
  });
  return { versions: kept, dropped };
}

/** A new version with `stages` (default AWSCURRENT), each taken from the version that had it. */
export function addVersion(versions: readonly VersionRecord[], versionId: string, createdAt: number, stages: readonly string[] = [AWSCURRENT]): VersionChange {
  let out: VersionRecord[] = [...versions, { versionId, stages: [], createdAt }];
  for (const stage of new Set(stages)) out = attach(out, stage, versionId);
  return prune(out);
}

/**
 * UpdateSecretVersionStage: `stage` moved to `moveTo` and/or removed from `removeFrom`. A label
 * already on another version must be removed from it by name; AWSCURRENT can only be moved.
 */
export function moveStage(versions: readonly VersionRecord[], stage: string, moveTo?: string, removeFrom?: string): VersionChange {
  const holder = versionWithStage(versions, stage);
  for (const id of [moveTo, removeFrom]) {
    if (id !== undefined && !versions.some((v) => v.versionId === id)) throw SecretsErrors.invalidParameter(`The version ${id} doesn't exist for this secret.`);
  }
  if (moveTo === undefined && removeFrom === undefined) throw SecretsErrors.invalidParameter('You must specify MoveToVersionId, RemoveFromVersionId or both.');
  if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
    throw SecretsErrors.invalidParameter(`The staging label ${stage} is not attached to version ${removeFrom}.`);
  }
  if (moveTo !== undefined && holder && holder.versionId !== moveTo && removeFrom === undefined) {
    throw SecretsErrors.invalidParameter(
      `The staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
    );
  }
  if (moveTo === undefined) {
    if (stage === AWSCURRENT) throw SecretsErrors.invalidParameter('You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.');
    return prune(versions.map((v) => (v.versionId === removeFrom ? { ...v, stages: v.stages.filter((s) => s !== stage) } : v)));
  }
  return prune(attach([...versions], stage, moveTo));
}
