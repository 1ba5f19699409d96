import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import type { ImageRecord } from '../records.ts';
import { DAY_MS, evaluateLifecyclePolicy, matchesTagPattern, selectsImage, type LifecycleEvaluation } from './evaluate.ts';
import { parseLifecyclePolicy, type LifecyclePolicy, type LifecycleSelection } from './policy.ts';

type Json = Record<string, unknown>;

const NOW = Date.UTC(2025, 5, 30, 12);
const HOUR_MS = 3_600_000;

/** Digests for named test images, so results read as the documentation's "Image A", "Image B". */
const names = new Map<string, string>();
function image(name: string, tags: string[], pushedDaysAgo: number, over: Partial<ImageRecord> = {}): ImageRecord {
  const digest = `sha256:${Buffer.from(name).toString('hex').padStart(64, '0')}`;
  names.set(digest, name);
  return {
    repositoryName: 'app', digest, mediaType: 'application/vnd.oci.image.manifest.v1+json', manifestBase64: '',
    sizeInBytes: 1024, blobs: [], tags, pushedAt: NOW - pushedDaysAgo * DAY_MS, ...over,
  };
}
const digest = (name: string) => image(name, [], 0).digest;
const index = (name: string, tags: string[], pushedDaysAgo: number, children: string[]) =>
  image(name, tags, pushedDaysAgo, { mediaType: 'application/vnd.oci.image.index.v1+json', children: children.map(digest) });

/** Parses a policy given as the documentation writes it (through the real validator). */
const policyOf = (rules: Json[]) => parseLifecyclePolicy(JSON.stringify({ rules }, null, 2));
const expire = { type: 'expire' };

/** The expired images as [name, rulePriority] pairs, in result order. */
const expiredOf = (result: LifecycleEvaluation) => result.expired.map(({ image: i, rule }) => [names.get(i.digest), rule.rulePriority]);
const evaluate = (rules: Json[], images: ImageRecord[], now = NOW) => expiredOf(evaluateLifecyclePolicy(policyOf(rules), images, now));

describe('tag matching', () => {
  test('tagPatternList wildcards match any run of characters, even none; the rest is literal', () => {
    assert.ok(matchesTagPattern('prod*', 'prod'));
    assert.ok(matchesTagPattern('prod*', 'prod2'));
    assert.ok(!matchesTagPattern('prod*', 'preprod'));
    assert.ok(matchesTagPattern('*prod', 'preprod'));
    assert.ok(matchesTagPattern('*', 'anything'));
    assert.ok(matchesTagPattern('latest', 'latest'));
    assert.ok(!matchesTagPattern('latest', 'latest-1'), 'without a wildcard the pattern is the whole tag');
    assert.ok(matchesTagPattern('*test*1*2*3', 'my-test-1-2-3'));
    assert.ok(!matchesTagPattern('*test*1*2*3', 'my-test-1-2-3-4'));
    assert.ok(matchesTagPattern('a*a', 'aa'));
    assert.ok(!matchesTagPattern('a*a', 'a'), 'prefix and suffix may not overlap');
    assert.ok(matchesTagPattern('v*.*.*', 'v1.2.3'));
    assert.ok(!matchesTagPattern('v*.*.*', 'v1.2'));
    assert.ok(matchesTagPattern('x.y', 'x.y') && !matchesTagPattern('x.y', 'xzy'), 'no regular-expression meaning');
    assert.ok(!matchesTagPattern('Prod*', 'prod'), 'case-sensitive');
  });

  test('"only the images with all specified tags are selected": every prefix or pattern must match one of the tags', () => {
    const prefixes: LifecycleSelection = { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 };
    assert.ok(selectsImage(prefixes, { tags: ['alpha-1', 'beta-1'] }));
    assert.ok(!selectsImage(prefixes, { tags: ['alpha-1'] }));
    assert.ok(!selectsImage(prefixes, { tags: ['alphabeta'] }), 'a prefix must start a tag');
    const patterns: LifecycleSelection = { tagStatus: 'tagged', tagPatternList: ['*-rc', 'v*'], countType: 'imageCountMoreThan', countNumber: 1 };
    assert.ok(selectsImage(patterns, { tags: ['v2-rc'] }), 'one tag may satisfy several patterns');
    assert.ok(!selectsImage(patterns, { tags: ['v2'] }));
    assert.ok(!selectsImage({ tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 1 }, { tags: [] }));
    assert.ok(selectsImage({ tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, { tags: [] }));
    assert.ok(!selectsImage({ tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, { tags: ['x'] }));
    assert.ok(selectsImage({ tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, { tags: [] }));
  });
});

describe('the documentation\'s examples ("Examples of lifecycle policies in Amazon ECR")', () => {
  test('Filtering on image age: expires untagged images older than 14 days', () => {
    const rules = [{
      rulePriority: 1, description: 'Expire images older than 14 days',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: expire,
    }];
    const images = [
      image('old', [], 20), image('older', [], 15), image('day-14', [], 14), image('fresh', [], 1), image('tagged-old', ['v1'], 60),
    ];
    assert.deepEqual(evaluate(rules, images), [['old', 1], ['older', 1]]);
  });

  test('Filtering on image age (current version): tagPatternList prod* older than 14 days', () => {
    const rules = [{
      rulePriority: 1, description: 'Expire images older than 14 days',
      selection: { tagStatus: 'tagged', tagPatternList: ['prod*'], countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: expire,
    }];
    const images = [image('prod-old', ['prod-1'], 30), image('prod-new', ['prod-2'], 3), image('dev-old', ['dev-1'], 30), image('untagged-old', [], 30)];
    assert.deepEqual(evaluate(rules, images), [['prod-old', 1]]);
  });

  test('Filtering on image count: keeps only one untagged image and expires all others', () => {
    const rules = [{
      rulePriority: 1, description: 'Keep only one untagged image, expire all others',
      selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire,
    }];
    const images = [image('u1', [], 3), image('u2', [], 2), image('u3', [], 1), image('t1', ['v1'], 5)];
    assert.deepEqual(evaluate(rules, images), [['u1', 1], ['u2', 1]]);
  });

  // Repository contents for the two "Filtering on multiple rules" examples.
  const multipleRules = () => [image('A', ['beta-1', 'prod-1'], 10), image('B', ['beta-2', 'prod-2'], 9), image('C', ['beta-3'], 8)];
  const keepOne = (rulePriority: number, prefix: string) => ({
    rulePriority, description: `Rule ${rulePriority}`,
    selection: { tagStatus: 'tagged', tagPrefixList: [prefix], countType: 'imageCountMoreThan', countNumber: 1 }, action: expire,
  });

  test('Filtering on multiple rules, Example A: "Result: Image A is expired."', () => {
    // Rule 2 "marks both Image A and Image B for expiration. However, Image A has already been seen
    // by Rule 1 and if Image B were expired it would violate Rule 1 and thus is skipped."
    assert.deepEqual(evaluate([keepOne(1, 'prod'), keepOne(2, 'beta')], multipleRules()), [['A', 1]]);
  });

  test('Filtering on multiple rules, Example B: "Result: Images A and B are expired."', () => {
    // Rule 2 "would see no images because all available images were already seen by Rule 1".
    assert.deepEqual(evaluate([keepOne(1, 'beta'), keepOne(2, 'prod')], multipleRules()), [['A', 1], ['B', 1]]);
  });

  test('Filtering on multiple tags in a single rule, Example A: "Result: Image C is expired."', () => {
    const images = [
      image('A', ['alpha-1'], 12), image('B', ['beta-1'], 11), image('C', ['alpha-2', 'beta-2'], 10),
      image('D', ['alpha-3'], 4), image('E', ['beta-3'], 3), image('F', ['alpha-4', 'beta-4'], 2),
    ];
    const rules = [{
      rulePriority: 1, description: 'Rule 1',
      selection: { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'sinceImagePushed', countNumber: 5, countUnit: 'days' }, action: expire,
    }];
    assert.deepEqual(evaluate(rules, images), [['C', 1]]);
  });

  test('Filtering on multiple tags in a single rule, Example B (tags are not exclusive): "Images A and B are expired."', () => {
    const images = [image('A', ['alpha-1', 'beta-1', 'gamma-1'], 10), image('B', ['alpha-2', 'beta-2'], 9), image('C', ['alpha-3', 'beta-3', 'gamma-2'], 8)];
    const rules = [{
      rulePriority: 1, description: 'Rule 1',
      selection: { tagStatus: 'tagged', tagPrefixList: ['alpha', 'beta'], countType: 'imageCountMoreThan', countNumber: 1 }, action: expire,
    }];
    assert.deepEqual(evaluate(rules, images), [['A', 1], ['B', 1]]);
  });

  test('Filtering on all images, Example A: "Images A, B, and C are expired."', () => {
    const images = [image('A', ['alpha-1'], 4), image('B', ['beta-1'], 3), image('C', [], 2), image('D', ['alpha-2'], 1)];
    const rules = [{ rulePriority: 1, description: 'Rule 1', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire }];
    assert.deepEqual(evaluate(rules, images), [['A', 1], ['B', 1], ['C', 1]]);
  });

  test('Filtering on all images, Example B: "Images A, B, and D are expired."', () => {
    // The documentation lists D and E as both pushed "1 day ago" and has rule 3 keep E as the
    // newest; here E is pushed a minute after D, and exactly one day before now, so it is not
    // "older than" one day for rule 2.
    const images = [
      image('A', ['alpha-1', 'beta-1'], 4), image('B', [], 3), image('C', ['alpha-2'], 2),
      image('D', ['git hash'], 1 + 60_000 / DAY_MS), image('E', [], 1),
    ];
    const rules = [
      { rulePriority: 1, description: 'Rule 1', selection: { tagStatus: 'tagged', tagPrefixList: ['alpha'], countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
      { rulePriority: 2, description: 'Rule 2', selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: expire },
      { rulePriority: 3, description: 'Rule 3', selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
    ];
    // Rule 3 "identifies images A, B, C, D, and E. It should keep the newest image and mark the rest
    // for expiration. However, it can't mark images A, B, C, or E because they were identified by
    // higher priority rules. It marks image D for expiration."
    assert.deepEqual(evaluate(rules, images), [['A', 1], ['B', 2], ['D', 3]]);
  });
});

describe('evaluation rules', () => {
  const any = (countNumber: number) => ({ rulePriority: 9, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber }, action: expire });

  test('counts include images claimed by earlier rules, so a count rule may leave fewer than N images of its own', () => {
    // "Rules can never mark images that are marked by higher priority rules, but can still identify
    // them as if they haven't been expired." Rule 1 keeps the newest prod image and claims both; the
    // any rule keeps 2 of the three images it identifies (P2 and P1) and marks X, so X goes although
    // it is the only image left to that rule, and the repository ends with one image.
    const rules = [{ rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['prod'], countType: 'imageCountMoreThan', countNumber: 1 }, action: expire }, any(2)];
    const images = [image('X', [], 3), image('P1', ['prod-1'], 2), image('P2', ['prod-2'], 1)];
    assert.deepEqual(evaluate(rules, images), [['P1', 1], ['X', 9]]);
  });

  test('an image kept by a higher-priority rule is never expired by a lower one', () => {
    // The usual way to protect releases: a rule that selects them and keeps (nearly) all.
    const rules = [
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPatternList: ['release-*'], countType: 'imageCountMoreThan', countNumber: 9999 }, action: expire },
      { rulePriority: 2, selection: { tagStatus: 'any', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 7 }, action: expire },
    ];
    const images = [image('rel', ['sha-1', 'release-1.0'], 90), image('ci', ['sha-2'], 30), image('new', ['sha-3'], 1)];
    assert.deepEqual(evaluate(rules, images), [['ci', 2]]);
  });

  test('sinceImagePushed expires only images pushed more than N days before now', () => {
    const rules = [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 2 }, action: expire }];
    const images = [image('exactly', [], 2), image('just-over', [], 2 + 1 / DAY_MS), image('under', [], 2 - 1 / DAY_MS)];
    assert.deepEqual(evaluate(rules, images), [['just-over', 1]]);
    assert.deepEqual(evaluate(rules, images, NOW + 1), [['just-over', 1], ['exactly', 1]]);
  });

  test('equal push times are ordered by digest, so the result does not depend on input order', () => {
    const rules = [any(1)];
    const images = [image('tie-b', [], 1), image('tie-a', [], 1)];
    assert.deepEqual(evaluate(rules, images), evaluate(rules, [...images].reverse()));
    assert.equal(evaluate(rules, images).length, 1);
  });

  test('results run by rule priority, then oldest first', () => {
    const rules = [
      { rulePriority: 1, selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
      { rulePriority: 2, selection: { tagStatus: 'untagged', countType: 'imageCountMoreThan', countNumber: 1 }, action: expire },
    ];
    const images = [image('u-old', [], 9), image('v-mid', ['v2'], 5), image('u-mid', [], 4), image('v-old', ['v1'], 8), image('v-new', ['v3'], 1), image('u-new', [], 0)];
    assert.deepEqual(evaluate(rules, images), [['v-old', 1], ['v-mid', 1], ['u-old', 2], ['u-mid', 2]]);
  });

  test('an empty repository expires nothing', () => {
    assert.deepEqual(evaluate([any(1)], []), []);
  });
});

describe('multi-architecture images (image indexes)', () => {
  // "If an image is referenced by a manifest list, it cannot be expired or archived without the
  // manifest list being deleted or archived first."
  const untaggedAfterOneDay = { rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 1 }, action: expire };
  const keepOneTagged = { rulePriority: 2, selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: 1 }, action: expire };

  test('the untagged children of a kept index are not expired; unreferenced untagged images are', () => {
    const images = [image('amd64', [], 10), image('arm64', [], 10), index('v1', ['v1'], 10, ['amd64', 'arm64']), image('orphan', [], 10)];
    assert.deepEqual(evaluate([untaggedAfterOneDay], images), [['orphan', 1]]);
  });

  test('children go with their index when it expires, after it; a child another kept index shares stays', () => {
    const images = [
      image('amd64-1', [], 10.2), image('arm64-1', [], 10.1), image('shared', [], 10), index('v1', ['v1'], 10, ['amd64-1', 'arm64-1', 'shared']),
      image('amd64-2', [], 5), index('v2', ['v2'], 5, ['amd64-2', 'shared']),
    ];
    assert.deepEqual(evaluate([untaggedAfterOneDay, keepOneTagged], images), [['v1', 2], ['amd64-1', 1], ['arm64-1', 1]]);
  });

  test('nested indexes protect their grandchildren', () => {
    const images = [image('leaf', [], 10), index('inner', [], 10, ['leaf']), index('outer', ['v1'], 10, ['inner'])];
    assert.deepEqual(evaluate([untaggedAfterOneDay], images), []);
  });

  test('protected children still count towards a count rule, as ECR counts every image', () => {
    // any, keep 2: the index and its newest child are the two newest; the older child is marked
    // but protected by its index; the standalone image, older still, is expired.
    const images = [index('idx', ['v1'], 1, ['c1', 'c2']), image('c1', [], 2), image('c2', [], 3), image('lone', [], 4)];
    const rules = [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: expire }];
    assert.deepEqual(evaluate(rules, images), [['lone', 1]]);
  });

  test('a reference cycle (impossible with real digests) does not hang the evaluation', () => {
    const a = index('cyc-a', [], 10, ['cyc-b']);
    const b = index('cyc-b', [], 10, ['cyc-a']);
    assert.deepEqual(evaluate([untaggedAfterOneDay], [a, b]).length, 2);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties over random repositories and random valid policies.

const PREFIXES = ['prod', 'beta', 'v', 'rc', 'latest'];
const PATTERNS = ['prod*', '*-1', 'v*.0', '*', 'beta-*', 'latest', '*rc*'];
const TAGS = ['prod', 'prod-1', 'prod-2', 'beta-1', 'beta-2', 'v1.0', 'v2.0', 'latest', 'rc-prod-1', 'x-rc'];

const arbTagFilter: fc.Arbitrary<Json> = fc.oneof(
  fc.uniqueArray(fc.constantFrom(...PREFIXES), { minLength: 1, maxLength: 2 }).map((tagPrefixList) => ({ tagStatus: 'tagged', tagPrefixList })),
  fc.uniqueArray(fc.constantFrom(...PATTERNS), { minLength: 1, maxLength: 2 }).map((tagPatternList) => ({ tagStatus: 'tagged', tagPatternList })),
  fc.constant({ tagStatus: 'untagged' }),
  fc.constant({ tagStatus: 'any' }),
);
const arbCount: fc.Arbitrary<Json> = fc.oneof(
  fc.integer({ min: 1, max: 4 }).map((countNumber) => ({ countType: 'imageCountMoreThan', countNumber })),
  fc.integer({ min: 1, max: 30 }).map((countNumber) => ({ countType: 'sinceImagePushed', countUnit: 'days', countNumber })),
);

/** A valid policy document: unique priorities, one untagged rule at most, an any rule only last, distinct tag filters. */
const arbPolicyDocument: fc.Arbitrary<{ rules: Json[] }> = fc
  .tuple(fc.array(fc.tuple(arbTagFilter, arbCount), { minLength: 1, maxLength: 5 }), fc.uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 5, maxLength: 5 }))
  .map(([selections, priorities]) => {
    // One rule per tag filter (as a set): this also leaves one untagged rule and one any rule at most.
    const seen = new Set<string>();
    const kept = selections.filter(([filter]) => {
      const key = JSON.stringify(Object.entries(filter).map(([k, v]) => [k, Array.isArray(v) ? [...v].sort() : v]));
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    kept.sort(([a], [b]) => Number(a.tagStatus === 'any') - Number(b.tagStatus === 'any'));
    const ascending = [...priorities].sort((a, b) => a - b);
    return { rules: kept.map(([filter, count], i) => ({ rulePriority: ascending[i], selection: { ...filter, ...count }, action: expire })) };
  });
const arbPolicy: fc.Arbitrary<LifecyclePolicy> = arbPolicyDocument.map((document) => parseLifecyclePolicy(JSON.stringify(document, null, 2)));

/** A repository: images with random tags and push times; some are indexes over earlier images. */
const arbImages: fc.Arbitrary<ImageRecord[]> = fc
  .array(fc.record({
    tags: fc.uniqueArray(fc.constantFrom(...TAGS), { maxLength: 3 }),
    ageHours: fc.integer({ min: 0, max: 40 * 24 }),
    children: fc.uniqueArray(fc.nat(), { maxLength: 3 }),
  }), { maxLength: 16 })
  .map((specs) => specs.map(({ tags, ageHours, children }, i): ImageRecord => {
    const childDigests = i === 0 ? [] : [...new Set(children.map((c) => c % i))].map(digestAt);
    return {
      repositoryName: 'app', digest: digestAt(i), mediaType: 'application/vnd.oci.image.manifest.v1+json', manifestBase64: '',
      sizeInBytes: 1, blobs: [], tags, pushedAt: NOW - ageHours * HOUR_MS, ...(childDigests.length ? { children: childDigests } : {}),
    };
  }));
function digestAt(i: number): string {
  return `sha256:${i.toString(16).padStart(64, '0')}`;
}

/** A permutation of `items` drawn from `seed` (a small LCG), for order-independence checks. */
function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let state = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

const byDigest = (result: LifecycleEvaluation) => new Map(result.expired.map((e) => [e.image.digest, e.rule]));
const newestFirst = (a: ImageRecord, b: ImageRecord) => b.pushedAt - a.pushedAt || (a.digest < b.digest ? -1 : 1);

describe('properties', () => {
  test('generated policies are valid ECR policies and survive a parse round trip', () => {
    fc.assert(fc.property(arbPolicyDocument, (document) => {
      const parsed = parseLifecyclePolicy(JSON.stringify(document));
      assert.deepEqual(parseLifecyclePolicy(JSON.stringify(parsed)), parsed);
      assert.deepEqual(parsed.rules.map((r) => r.rulePriority), document.rules.map((r) => r.rulePriority));
    }), { numRuns: 300 });
  });

  test('evaluation is deterministic and does not depend on the order of the images', () => {
    fc.assert(fc.property(arbPolicy, arbImages, fc.nat(), (policy, images, seed) => {
      const once = evaluateLifecyclePolicy(policy, images, NOW);
      assert.deepEqual(evaluateLifecyclePolicy(policy, images, NOW), once);
      assert.deepEqual(evaluateLifecyclePolicy(policy, shuffled(images, seed), NOW), once);
      assert.deepEqual(evaluateLifecyclePolicy({ rules: shuffled(policy.rules, seed) }, images, NOW), once, 'rules apply by priority, not by position');
    }), { numRuns: 300 });
  });

  test('each image expired once, by the first rule that selects it, which marked it', () => {
    fc.assert(fc.property(arbPolicy, arbImages, (policy, images) => {
      const result = evaluateLifecyclePolicy(policy, images, NOW);
      assert.equal(byDigest(result).size, result.expired.length, 'no image twice');
      for (const { image: expired, rule } of result.expired) {
        assert.ok(images.includes(expired));
        const first = policy.rules.find((r) => selectsImage(r.selection, expired));
        assert.equal(first, rule, 'never expired by a rule that does not select it, nor after an earlier rule selected it');
        const selected = images.filter((i) => selectsImage(rule.selection, i)).sort(newestFirst);
        if (rule.selection.countType === 'imageCountMoreThan') {
          assert.ok(selected.indexOf(expired) >= rule.selection.countNumber, 'not among the N newest it selects');
        } else {
          assert.ok(NOW - expired.pushedAt > rule.selection.countNumber * DAY_MS, 'older than N days');
        }
      }
    }), { numRuns: 500 });
  });

  test('imageCountMoreThan N itself never expires below N of the images it selects', () => {
    // Counting every image the rule selects, including those claimed by earlier rules ("can still
    // identify them as if they haven't been expired"); see "counts include images claimed by
    // earlier rules" for why the count of images left to the rule alone can fall below N.
    fc.assert(fc.property(arbPolicy, arbImages, (policy, images) => {
      const expired = byDigest(evaluateLifecyclePolicy(policy, images, NOW));
      for (const rule of policy.rules) {
        if (rule.selection.countType !== 'imageCountMoreThan') continue;
        const selected = images.filter((i) => selectsImage(rule.selection, i));
        const expiredByRule = selected.filter((i) => expired.get(i.digest) === rule).length;
        assert.ok(selected.length - expiredByRule >= Math.min(rule.selection.countNumber, selected.length));
      }
    }), { numRuns: 500 });
  });

  test('evaluating the survivors again expires nothing more', () => {
    fc.assert(fc.property(arbPolicy, arbImages, (policy, images) => {
      const expired = byDigest(evaluateLifecyclePolicy(policy, images, NOW));
      const survivors = images.filter((i) => !expired.has(i.digest));
      assert.deepEqual(evaluateLifecyclePolicy(policy, survivors, NOW).expired, []);
    }), { numRuns: 500 });
  });

  test('no kept image references an expired one, and an expired index comes before its expired children', () => {
    fc.assert(fc.property(arbPolicy, arbImages, (policy, images) => {
      const result = evaluateLifecyclePolicy(policy, images, NOW);
      const position = new Map(result.expired.map((e, i) => [e.image.digest, i]));
      for (const parent of images) {
        for (const child of parent.children ?? []) {
          if (!position.has(child)) continue;
          assert.ok(position.has(parent.digest), 'a child is expired only with its index');
          assert.ok(position.get(parent.digest)! < position.get(child)!, 'the index is deleted first');
        }
      }
    }), { numRuns: 500 });
  });
});
