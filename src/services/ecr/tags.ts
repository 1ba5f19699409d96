/**
 * The ECR tagging actions: TagResource, UntagResource, ListTagsForResource. The only resource
 * ECR tags is a repository, named by its ARN; its tags live on the repository record.
 */
import type { ListTagsForResourceResponse, TagResourceResponse, UntagResourceResponse } from '@aws-sdk/client-ecr';
import type { ActionHandler, Fields, JsonRequestContext as RequestContext } from '../../aws/index.ts';
import {
  checkRepositoryName, ecrFields, findRepository, mergeTags, readTags, scopeOf, storeReader, updateRepository, type Registry,
} from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

const REPOSITORY_ARN = /^arn:aws[a-z-]*:ecr:([a-z0-9-]+):([0-9]{12}):repository\/(.+)$/;

/**
 * The repository a `resourceArn` names, as a registry and name. An ARN of another region or
 * account names a repository this caller cannot see: RepositoryNotFoundException, as ECR says.
 */
function readRepositoryArn(f: Fields, ctx: RequestContext): { registry: Registry; name: string } {
  const arn = f.string('resourceArn', { required: true });
  const m = REPOSITORY_ARN.exec(arn);
  if (!m) {
    throw EcrErrors.constraint(f.at('resourceArn'), 'must be a repository ARN: arn:aws:ecr:<region>:<account>:repository/<repository name>');
  }
  const [, region, account, name] = m;
  checkRepositoryName(name, f.at('resourceArn'));
  const scope = scopeOf(ctx);
  return { registry: { scope, registryId: account, own: account === scope.account && region === scope.region }, name };
}

/** The tagging actions, bound to their dependencies. */
export function tagActions(deps: EcrDeps): Record<string, ActionHandler> {
  return {
    async TagResource(input, ctx): Promise<TagResourceResponse> {
      const f = ecrFields(input);
      const { registry, name } = readRepositoryArn(f, ctx);
      if (!f.has('tags')) throw EcrErrors.invalidParameter(`${f.at('tags')} can not be null.`);
      const tags = readTags(f)!;
      await updateRepository(deps.store, registry, name, (r) => (tags.length === 0 ? r : { ...r, tags: mergeTags(r.tags, tags) }));
      return {};
    },

    async UntagResource(input, ctx): Promise<UntagResourceResponse> {
      const f = ecrFields(input);
      const { registry, name } = readRepositoryArn(f, ctx);
      if (!f.has('tagKeys')) throw EcrErrors.invalidParameter(`${f.at('tagKeys')} can not be null.`);
      const tagKeys = new Set(f.strings('tagKeys'));
      await updateRepository(deps.store, registry, name, (r) => {
        const remaining = r.tags.filter((t) => !tagKeys.has(t.Key));
        return remaining.length === r.tags.length ? r : { ...r, tags: remaining };
      });
      return {};
    },

    async ListTagsForResource(input, ctx): Promise<ListTagsForResourceResponse> {
      const f = ecrFields(input);
      const { registry, name } = readRepositoryArn(f, ctx);
      const repo = await findRepository(storeReader(deps.store), registry, name);
      return { tags: repo.tags.map((t) => ({ ...t })) };
    },
  };
}
