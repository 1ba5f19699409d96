/**
 * The ECR tagging operations: TagResource, UntagResource, ListTagsForResource. The only
 * resource ECR tags is a repository, named by its ARN (which is also what IAM authorizes the
 * operation on); its tags live on the repository record.
 */
import { requestTagConditions, tagKeyConditions, type RequestContext } from '../../aws/index.ts';
import { parseRepositoryArn } from '../../registry/index.ts';
import {
  checkTags, findRepository, isRepositoryName, mergeTags, need, scopeOf, storeReader, updateRepository, REPOSITORY_NAME_PATTERN,
  type EcrOperationTable, type Registry,
} from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/**
 * The repository a `resourceArn` names, as a registry and name. An ARN of another region or
 * account names a repository this caller cannot see: RepositoryNotFoundException, as ECR says.
 */
function repositoryOfArn(arn: string, ctx: RequestContext): { registry: Registry; name: string } {
  const named = parseRepositoryArn(arn);
  if (!named) throw EcrErrors.constraint('resourceArn', 'must be a repository ARN: arn:aws:ecr:<region>:<account>:repository/<repository name>');
  const { scope: { account, region }, name } = named;
  if (!isRepositoryName(name)) throw EcrErrors.constraint('resourceArn', `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`);
  const scope = scopeOf(ctx);
  return { registry: { scope, registryId: account, own: account === scope.account && region === scope.region }, name };
}

/** The ARN a tagging request is authorized on: the one it names. */
const named = (input: { resourceArn?: string }): string[] => (input.resourceArn ? [input.resourceArn] : ['*']);

/** The tagging operations, bound to their dependencies. */
export function tagOperations(deps: EcrDeps): EcrOperationTable {
  return {
    TagResource: {
      authorization: { resources: named, conditions: (i) => requestTagConditions(i.tags) },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryOfArn(need(i.resourceArn, 'resourceArn'), ctx);
        const tags = checkTags(need(i.tags, 'tags'));
        await updateRepository(deps.store, registry, name, (r) => (tags.length === 0 ? r : { ...r, tags: mergeTags(r.tags, tags) }));
        return {};
      },
    },

    UntagResource: {
      authorization: { resources: named, conditions: (i) => tagKeyConditions(i.tagKeys) },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryOfArn(need(i.resourceArn, 'resourceArn'), ctx);
        const tagKeys = new Set(need(i.tagKeys, 'tagKeys'));
        await updateRepository(deps.store, registry, name, (r) => {
          const remaining = r.tags.filter((t) => !tagKeys.has(t.Key));
          return remaining.length === r.tags.length ? r : { ...r, tags: remaining };
        });
        return {};
      },
    },

    ListTagsForResource: {
      authorization: { resources: named },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryOfArn(need(i.resourceArn, 'resourceArn'), ctx);
        const repo = await findRepository(storeReader(deps.store), registry, name);
        return { tags: repo.tags.map((t) => ({ ...t })) };
      },
    },
  };
}
