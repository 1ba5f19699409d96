/**
 * The ECR repository policy actions: SetRepositoryPolicy, GetRepositoryPolicy,
 * DeleteRepositoryPolicy. The policy is kept on the repository record as the text given (ECR
 * returns it as set); it must be a JSON object, at most 10,240 characters. Wharf does not
 * evaluate it yet.
 */
import type { DeleteRepositoryPolicyResponse, GetRepositoryPolicyResponse, SetRepositoryPolicyResponse } from '@aws-sdk/client-ecr';
import type { ActionHandler } from '../../aws/index.ts';
import { ecrFields, findRepository, readRegistry, readRepositoryName, storeReader, updateRepository } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/** ECR's own answer to policy text it cannot accept. */
const invalidPolicy = () => EcrErrors.constraint('PolicyText', 'Invalid repository policy provided');

/** True when `text` parses as a JSON object (a policy document), not a list, string or number. */
function isJsonObject(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed);
  } catch {
    return false;
  }
}

/** The repository policy actions, bound to their dependencies. */
export function repositoryPolicyActions(deps: EcrDeps): Record<string, ActionHandler> {
  return {
    async SetRepositoryPolicy(input, ctx): Promise<SetRepositoryPolicyResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const policyText = f.string('policyText');
      if (policyText === undefined) throw EcrErrors.invalidParameter(`${f.at('policyText')} can not be null.`);
      f.bool('force');
      if (policyText.length > 10240) throw EcrErrors.constraint(f.at('policyText'), 'Member must have length less than or equal to 10240');
      if (!isJsonObject(policyText)) throw invalidPolicy();
      const repo = await updateRepository(deps.store, registry, name, (r) => (r.policyText === policyText ? r : { ...r, policyText }));
      return { registryId: repo.registryId, repositoryName: repo.name, policyText };
    },

    async GetRepositoryPolicy(input, ctx): Promise<GetRepositoryPolicyResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      const repo = await findRepository(storeReader(deps.store), registry, name);
      if (repo.policyText === undefined) throw EcrErrors.repositoryPolicyNotFound(name, registry.registryId);
      return { registryId: repo.registryId, repositoryName: repo.name, policyText: repo.policyText };
    },

    async DeleteRepositoryPolicy(input, ctx): Promise<DeleteRepositoryPolicyResponse> {
      const f = ecrFields(input);
      const registry = readRegistry(f, ctx);
      const name = readRepositoryName(f);
      let policyText: string | undefined;
      const repo = await updateRepository(deps.store, registry, name, (r) => {
        if (r.policyText === undefined) throw EcrErrors.repositoryPolicyNotFound(name, registry.registryId);
        policyText = r.policyText;
        const { policyText: _removed, ...rest } = r;
        return rest;
      });
      return { registryId: repo.registryId, repositoryName: repo.name, policyText };
    },
  };
}
