/**
 * The lifecycle controller's shell: every `intervalMs` (and on `runOnce()`), for each
 * repository with a lifecycle policy, it re-reads the policy and the repository's images,
 * asks the pure core which expire, and deletes them with the registry's `deleteImage` in one
 * transaction per repository, guarded on everything it read, in the order the core returned (an
 * index before its children). A deleted image is gone from pulls and listings at once; the
 * blobs it alone used go with the next registry maintenance (`runRegistryMaintenance`).
 *
 *   timer / runOnce ──▶ list repositories ──▶ per repository with a policy, one transaction:
 *       read policy + images ──▶ lifecycleExpirations (pure) ──▶ deleteImage × n, lastEvaluatedAt
 *
 * Nothing is remembered between passes, so a pass run twice deletes nothing more the second
 * time, and one interrupted mid-way left either all or none of a repository's deletions.
 */
import { SerialPasses } from '../passes.ts';
import type { Clock } from '../../common/index.ts';
import {
  deleteImage, lifecycleKeys, registryKeys, type ImageRecord, type LifecycleEvaluationRecord, type RegistryScope, type RepositoryRecord,
} from '../../registry/index.ts';
import { listDocs, transact, type Store } from '../../state/index.ts';
import { lifecycleExpirations } from './expirations.ts';

/** What the lifecycle controller is given. */
export interface LifecycleControllerOptions {
  store: Store;
  clock: Clock;
  log?: (message: string) => void;
  /** How often every policy is applied; ECR applies them within a day, Wharf hourly by default. */
  intervalMs?: number;
}

/** One image a pass deleted, and the rule that expired it. */
export interface LifecycleDeletion {
  scope: RegistryScope;
  repositoryName: string;
  imageDigest: string;
  imageTags: string[];
  appliedRulePriority: number;
}

/** What one pass did. */
export interface LifecycleRunResult {
  /** Repositories whose policy was applied. */
  repositories: number;
  deleted: LifecycleDeletion[];
}

/** The default pass interval: one hour. */
export const DEFAULT_LIFECYCLE_INTERVAL_MS = 3_600_000;

/** Where a repository key's scope and name are: `ecr/repositories/<account>/<region>/<name>` (names may hold `/`). */
function parseRepositoryKey(key: string): { scope: RegistryScope; name: string } | undefined {
  const [account, region, ...name] = key.slice(registryKeys.allRepositories.length).split('/');
  return account && region && name.length ? { scope: { account, region }, name: name.join('/') } : undefined;
}

/** Applies every repository's lifecycle policy, periodically. */
export class LifecycleController {
  private timer?: NodeJS.Timeout;
  private readonly passes = new SerialPasses(() => this.runPass());

  constructor(private readonly o: LifecycleControllerOptions) {}

  /** Runs a pass now and then every `intervalMs`. */
  start(): void {
    const tick = () => void this.runOnce().catch((error: unknown) => this.o.log?.(`lifecycle controller: ${String(error)}`));
    tick();
    this.timer = setInterval(tick, this.o.intervalMs ?? DEFAULT_LIFECYCLE_INTERVAL_MS);
    this.timer.unref();
  }

  /** Stops the timer; resolves once a pass in progress is done. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.passes.idle();
  }

  /** One pass over every repository, after any pass in progress. A repository that fails is logged and left for the next pass. */
  runOnce(): Promise<LifecycleRunResult> {
    return this.passes.run();
  }

  private async runPass(): Promise<LifecycleRunResult> {
    const result: LifecycleRunResult = { repositories: 0, deleted: [] };
    for (const { key, value } of await listDocs<RepositoryRecord>(this.o.store, registryKeys.allRepositories)) {
      if (value.lifecyclePolicyText === undefined) continue;
      const at = parseRepositoryKey(key);
      if (!at) continue;
      try {
        result.deleted.push(...await this.applyPolicy(at.scope, at.name));
        result.repositories++;
      } catch (error) {
        this.o.log?.(`lifecycle controller: ${at.scope.account}/${at.scope.region}/${at.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    return result;
  }

  /** Applies one repository's policy as it stands now, in one transaction; returns what it deleted. */
  private applyPolicy(scope: RegistryScope, name: string): Promise<LifecycleDeletion[]> {
    return transact(this.o.store, async (tx) => {
      const now = this.o.clock.now();
      const repo = await tx.get<RepositoryRecord>(registryKeys.repository(scope, name));
      if (repo?.lifecyclePolicyText === undefined) return [];
      const images = await tx.list<ImageRecord>(registryKeys.images(scope, name));
      const deleted: LifecycleDeletion[] = [];
      for (const { image, rule } of lifecycleExpirations(repo.lifecyclePolicyText, images, now)) {
        await deleteImage(tx, scope, name, image.digest);
        deleted.push({ scope, repositoryName: name, imageDigest: image.digest, imageTags: [...image.tags], appliedRulePriority: rule.rulePriority });
      }
      const evaluation: LifecycleEvaluationRecord = { repositoryCreatedAt: repo.createdAt, lastEvaluatedAt: now };
      tx.put(lifecycleKeys.evaluation(scope, name), evaluation);
      return deleted;
    });
  }
}
