/**
 * Tags on applications and deployment groups (TagResource, UntagResource, ListTagsForResource),
 * by ARN, and what IAM reads of a CodeDeploy ARN (its tags) to authorize on it.
 */
import { getDoc, transact, type Store } from '../state/index.ts';
import type { CodeDeployEnv } from './env.ts';
import { CodeDeployErrors } from './errors.ts';
import { keys, parseCodeDeployArn, type ApplicationRecord, type CodeDeployTag, type DeploymentGroupRecord, type Scope } from './records.ts';

/** Tags one resource may carry. */
export const MAX_TAGS = 50;

/** Refuses keys beginning with `aws:` and more than 50 tags. */
export function checkTags(tags: readonly CodeDeployTag[]): void {
  if (new Set(tags.map((t) => t.key)).size > MAX_TAGS) throw CodeDeployErrors.invalidTagsToAdd(`tags: a resource can have at most ${MAX_TAGS} tags.`);
  const reserved = tags.find((t) => t.key.toLowerCase().startsWith('aws:'));
  if (reserved) throw CodeDeployErrors.invalidTagsToAdd(`tags: the key ${reserved.key} is reserved: keys beginning with aws: are for AWS use.`);
}

function keyOf(scope: Scope, arn: string): string {
  const p = parseCodeDeployArn(arn);
  if (!p) throw CodeDeployErrors.invalidArn(arn);
  if (p.kind === 'deploymentconfig') throw CodeDeployErrors.arnNotSupported(arn);
  if (p.scope.account !== scope.account || p.scope.region !== scope.region) throw CodeDeployErrors.invalidArn(arn);
  return p.kind === 'application' ? keys.application(scope, p.application) : keys.group(scope, p.application, p.group);
}

/** The error for a tagged resource that is not there. */
function missing(arn: string) {
  const p = parseCodeDeployArn(arn)!;
  if (p.kind === 'deploymentgroup') return CodeDeployErrors.groupDoesNotExist(p.application, p.group);
  return p.kind === 'application' ? CodeDeployErrors.applicationDoesNotExist(p.application) : CodeDeployErrors.configDoesNotExist(p.config);
}

async function change(env: CodeDeployEnv, scope: Scope, arn: string, edit: (tags: CodeDeployTag[]) => CodeDeployTag[]): Promise<void> {
  const key = keyOf(scope, arn);
  await transact(env.store, async (tx) => {
    const record = await tx.get<ApplicationRecord | DeploymentGroupRecord>(key);
    if (!record) throw missing(arn);
    const tags = edit(record.tags);
    checkTags(tags);
    tx.put(key, { ...record, tags });
  });
}

/** TagResource: a key already there takes the new value. */
export const tagResource = (env: CodeDeployEnv, scope: Scope, arn: string, tags: readonly CodeDeployTag[]) => change(env, scope, arn, (old) => {
  const byKey = new Map(old.map((t) => [t.key, t]));
  for (const t of tags) byKey.set(t.key, t);
  return [...byKey.values()];
});

/** UntagResource: keys not there are ignored. */
export const untagResource = (env: CodeDeployEnv, scope: Scope, arn: string, tagKeys: readonly string[]) =>
  change(env, scope, arn, (old) => old.filter((t) => !tagKeys.includes(t.key)));

/** ListTagsForResource. */
export async function listTags(env: CodeDeployEnv, scope: Scope, arn: string): Promise<CodeDeployTag[]> {
  const record = (await getDoc<ApplicationRecord | DeploymentGroupRecord>(env.store, keyOf(scope, arn)))?.value;
  if (!record) throw CodeDeployErrors.invalidArn(arn); // ListTagsForResource's errors name no missing resource
  return record.tags;
}

/** IAM's lookup of a CodeDeploy ARN's tags; undefined for an ARN that is not CodeDeploy's. */
export function codeDeployResourceInfo(store: Store): (arn: string) => Promise<{ tags: Record<string, string>; account: string } | undefined> {
  return async (arn) => {
    const p = parseCodeDeployArn(arn);
    if (!p) return undefined;
    const key = p.kind === 'application' ? keys.application(p.scope, p.application) : p.kind === 'deploymentgroup' ? keys.group(p.scope, p.application, p.group) : undefined;
    const record = key ? (await getDoc<ApplicationRecord | DeploymentGroupRecord>(store, key))?.value : undefined;
    return { tags: Object.fromEntries((record?.tags ?? []).map((t) => [t.key, t.value])), account: p.scope.account };
  };
}
