/**
 * What the IAM API's handlers share: the operation table's type, reading the SDK's request
 * members (required ones are present: the model's validator ran first), paging, tags, and the
 * ARNs each operation is authorized on (built from the input, with the entity's real path
 * where it exists, as IAM's own authorization sees it).
 */
import { requestTagConditions, tagKeyConditions as tagKeys, type ConditionValues, type OperationSpec, type RequestContext, type IamOperations } from '../../aws/index.ts';
import type { Tag as SdkTag } from '@aws-sdk/client-iam';
import { entityArn, iamKeys, IamErrors, type PageRequest, type TagRecord } from '../../identity/index.ts';
import type { IamEnv, Page } from '../../identity/index.ts';

/** The ports the IAM API runs on. */
export type IamDeps = IamEnv;

/** Some of IAM's operations, as one file of the adapter implements them. */
export type IamOperationTable = { [K in keyof IamOperations]?: OperationSpec<IamOperations[K]['input'], IamOperations[K]['output']> };

/** A required member: present once validation passed (a missing one is the validator's error). */
export function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw IamErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

/** SDK tags → domain tags. */
export function tagsIn(tags: readonly SdkTag[] | undefined): TagRecord[] {
  return (tags ?? []).map((t) => ({ key: t.Key ?? '', value: t.Value ?? '' }));
}

/** Domain tags → SDK tags. */
export function tagsOut(tags: readonly TagRecord[]): SdkTag[] {
  return tags.map((t) => ({ Key: t.key, Value: t.value }));
}

/** Marker / MaxItems of a list request. */
export function pageIn(input: { Marker?: string; MaxItems?: number }): PageRequest {
  return { marker: input.Marker, maxItems: input.MaxItems };
}

/** IsTruncated / Marker of a list answer. */
export function pageOut(page: Page<unknown>): { IsTruncated: boolean; Marker?: string } {
  return page.isTruncated ? { IsTruncated: true, Marker: page.marker } : { IsTruncated: false };
}

/** `aws:RequestTag/*` and `aws:TagKeys` of a request that carries tags. */
export function tagConditions(input: { Tags?: SdkTag[] }): ConditionValues {
  return requestTagConditions(input.Tags);
}

/** `aws:TagKeys` of an untag request. */
export function tagKeyConditions(input: { TagKeys?: string[] }): ConditionValues {
  return tagKeys(input.TagKeys);
}

type Named = 'user' | 'group' | 'role' | 'instance-profile';

const keyOf: Record<Named, (account: string, name: string) => string> = {
  user: iamKeys.user,
  group: iamKeys.group,
  role: iamKeys.role,
  'instance-profile': iamKeys.instanceProfile,
};

/**
 * The ARN of the user, group, role or instance profile `name`: with its stored path when it
 * exists (IAM authorizes on the real ARN), else the path the request gives, else `/`.
 */
export async function arnOf(deps: IamDeps, ctx: RequestContext, type: Named, name: string | undefined, path?: string): Promise<string[]> {
  if (!name) return ['*'];
  const kv = await deps.store.get(keyOf[type](ctx.account, name));
  const stored = kv ? (JSON.parse(kv.value) as { path: string; name: string }) : undefined;
  return [entityArn(ctx.account, type, stored?.path ?? path ?? '/', stored?.name ?? name)];
}

/** A policy ARN given in the request, as the resource. */
export function policyResource(arn: string | undefined): string[] {
  return arn ? [arn] : ['*'];
}
