/**
 * Which images a lifecycle policy expires: a pure function of the policy, the repository's
 * images and the time, used alike by the lifecycle controller (which deletes what it returns,
 * in the order returned) and by GetLifecyclePolicyPreview (which shows it).
 *
 * ECR's documented semantics ("Lifecycle policy evaluation rules", Amazon ECR User Guide):
 *
 * - "All rules are evaluated at the same time, regardless of rule priority. After all rules are
 *   evaluated, they are then applied based on rule priority." Each rule first marks, on its own,
 *   the images it would expire among every image its tag filter selects.
 * - "An image is expired by exactly one or zero rules."
 * - "An image that matches the tagging requirements of a rule cannot be expired by a rule with a
 *   lower priority." An image is claimed by the first rule whose tags select it, whether that rule
 *   expires it or keeps it; later rules never expire it.
 * - "Rules can never mark images that are marked by higher priority rules, but can still identify
 *   them as if they haven't been expired." So counts include images claimed by earlier rules: in
 *   the documentation's "Filtering on multiple rules" Example A, rule 2 (`beta`, keep 1) "marks both
 *   Image A and Image B", both already claimed by rule 1, and in "Filtering on all images"
 *   Example B, rule 3 (`any`, keep 1) counts images A, B, C and E, claimed by rules 1 and 2, keeps E
 *   and expires D. A count rule therefore keeps the N newest of everything it selects, not N of
 *   the images left to it.
 * - "Expiration is always ordered by pushed_at_time, and always expires older images before newer
 *   ones." "With countType = imageCountMoreThan, images are sorted from youngest to oldest based
 *   on pushed_at_time and then all images greater than the specified count are expired." "With
 *   countType = sinceImagePushed, all images whose pushed_at_time is older than the specified
 *   number of days based on countNumber are expired."
 * - "When using the tagPrefixList, an image is successfully matched if all of the tags in the
 *   tagPrefixList value are matched against any of the image's tags." The same holds for
 *   tagPatternList: "If you specify multiple tags, only the images with all specified tags are
 *   selected."
 * - Multi-architecture images: "If an image is referenced by a manifest list, it cannot be expired
 *   or archived without the manifest list being deleted or archived first." A child manifest is
 *   kept while any image index that references it is kept; when its index expires in the same
 *   evaluation, the child may expire too, and the index comes first in the result.
 *
 * Not modelled here: "When reference artifacts are present in a repository, Amazon ECR lifecycle
 * policies automatically expire or archive those artifacts within 24 hours of the deletion or
 * archival of the subject image." That follows a deletion rather than a rule, so it belongs to
 * whoever deletes (the referrer's `subject` is gone afterwards).
 */
import type { ImageRecord } from '../records.ts';
import type { LifecyclePolicy, LifecycleRule, LifecycleSelection } from './policy.ts';

/** A day in milliseconds, the unit of `countUnit: "days"`. */
export const DAY_MS = 86_400_000;

/** One image a policy expires, and the rule that expires it. */
export interface LifecycleExpiration {
  image: ImageRecord;
  rule: LifecycleRule;
}

/** The outcome of evaluating a policy: the images to expire, indexes before their children. */
export interface LifecycleEvaluation {
  expired: LifecycleExpiration[];
}

/** Whether `tag` matches a tagPatternList entry, where `*` stands for any run of characters (even none) and all else is literal. */
export function matchesTagPattern(pattern: string, tag: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return tag === pattern;
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (tag.length < first.length + last.length || !tag.startsWith(first) || !tag.endsWith(last)) return false;
  // Leftmost matching of the middle parts is enough: `*` can absorb whatever lies between them.
  let at = first.length;
  const end = tag.length - last.length;
  for (const part of parts.slice(1, -1)) {
    const found = tag.indexOf(part, at);
    if (found < 0 || found + part.length > end) return false;
    at = found + part.length;
  }
  return true;
}

/** Whether a rule's tag filter selects an image ("matches the tagging requirements of a rule"). */
export function selectsImage(selection: LifecycleSelection, image: Pick<ImageRecord, 'tags'>): boolean {
  const { tags } = image;
  switch (selection.tagStatus) {
    case 'any':
      return true;
    case 'untagged':
      return tags.length === 0;
    case 'tagged':
      if (tags.length === 0) return false;
      if (selection.tagPrefixList) return selection.tagPrefixList.every((prefix) => tags.some((tag) => tag.startsWith(prefix)));
      return selection.tagPatternList.every((pattern) => tags.some((tag) => matchesTagPattern(pattern, tag)));
  }
}

/** Youngest first by push time; equal push times fall back to the digest so the order is total. */
function newestFirst(a: ImageRecord, b: ImageRecord): number {
  return b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0);
}

/** The images a rule would expire among those it selects, were it the only rule. */
function marks(rule: LifecycleRule, selected: readonly ImageRecord[], now: number): ImageRecord[] {
  const { selection } = rule;
  if (selection.countType === 'imageCountMoreThan') return selected.slice(selection.countNumber);
  const cutoff = now - selection.countNumber * DAY_MS;
  return selected.filter((image) => image.pushedAt < cutoff);
}

/** Puts back every expired image that a kept image index references, through nested indexes too. */
function keepChildrenOfKeptIndexes(images: readonly ImageRecord[], expired: Map<string, LifecycleRule>): void {
  const byDigest = new Map(images.map((image) => [image.digest, image]));
  const pending = images.filter((image) => !expired.has(image.digest) && image.children?.length);
  while (pending.length > 0) {
    for (const child of pending.pop()!.children ?? []) {
      if (!expired.delete(child)) continue;
      const kept = byDigest.get(child);
      if (kept?.children?.length) pending.push(kept);
    }
  }
}

/** How many expired indexes stand above an expired image, so that deletion can go top down. */
function indexDepths(expired: readonly ImageRecord[]): Map<string, number> {
  const parents = new Map<string, string[]>();
  for (const image of expired) {
    for (const child of image.children ?? []) parents.set(child, [...(parents.get(child) ?? []), image.digest]);
  }
  const depths = new Map<string, number>();
  const depth = (digest: string, path: Set<string>): number => {
    const known = depths.get(digest);
    if (known !== undefined) return known;
    let d = 0;
    for (const parent of parents.get(digest) ?? []) {
      if (!path.has(parent)) d = Math.max(d, 1 + depth(parent, new Set(path).add(parent)));
    }
    depths.set(digest, d);
    return d;
  };
  for (const image of expired) depth(image.digest, new Set([image.digest]));
  return depths;
}

/**
 * Evaluates a lifecycle policy against a repository's images at time `now` (epoch ms), with
 * ECR's semantics (see the file comment). Pure: the result depends only on the arguments, not on
 * the order of `images`. The result lists each image to expire once, with the rule that expires
 * it, in deletion order: an image index before the children it references, then by rule
 * priority, then oldest first.
 */
export function evaluateLifecyclePolicy(policy: LifecyclePolicy, images: readonly ImageRecord[], now: number): LifecycleEvaluation {
  const ordered = [...images].sort(newestFirst);
  const rules = [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
  // All rules are evaluated first, each on its own...
  const evaluated = rules.map((rule) => {
    const selected = ordered.filter((image) => selectsImage(rule.selection, image));
    return { rule, selected, marked: marks(rule, selected, now) };
  });
  // ...then applied by priority: a rule expires what it marked unless an earlier rule selected it.
  const claimed = new Set<string>();
  const expired = new Map<string, LifecycleRule>();
  for (const { rule, selected, marked } of evaluated) {
    for (const image of marked) if (!claimed.has(image.digest)) expired.set(image.digest, rule);
    for (const image of selected) claimed.add(image.digest);
  }
  keepChildrenOfKeptIndexes(ordered, expired);

  const expiredImages = ordered.filter((image) => expired.has(image.digest));
  const depths = indexDepths(expiredImages);
  const result = expiredImages.map((image) => ({ image, rule: expired.get(image.digest)! }));
  result.sort((a, b) =>
    depths.get(a.image.digest)! - depths.get(b.image.digest)!
    || a.rule.rulePriority - b.rule.rulePriority
    || newestFirst(b.image, a.image));
  return { expired: result };
}
