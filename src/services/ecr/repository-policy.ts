/**
 * The ECR repository policy operations: SetRepositoryPolicy, GetRepositoryPolicy,
 * DeleteRepositoryPolicy. The policy is a resource-based policy: IAM evaluates it beside the
 * caller's identity policies for every ECR action on the repository (the API's and the
 * registry's pushes and pulls alike; see `registry/resource-info.ts`). It is checked with the
 * policy engine when set and kept on the repository record as the text given (ECR returns it
 * as set).
 */
import { parsePolicy, PolicyDocumentError } from '../../identity/index.ts';
import { findRepository, need, repositoryNamed, repositoryResource, storeReader, updateRepository, type EcrOperationTable } from './common.ts';
import type { EcrDeps } from './deps.ts';
import { EcrErrors } from './errors.ts';

/** ECR's own answer to policy text it cannot accept, whatever is wrong with it. */
const invalidPolicy = () => EcrErrors.constraint('PolicyText', 'Invalid repository policy provided');

/** Checks a repository policy as IAM reads resource-based policies; anything it refuses is ECR's invalid policy. */
export function checkRepositoryPolicy(text: string): void {
  try {
    parsePolicy(text, 'resource');
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw invalidPolicy();
    throw error;
  }
}

/** The repository policy operations, bound to their dependencies. */
export function repositoryPolicyOperations(deps: EcrDeps): EcrOperationTable {
  return {
    SetRepositoryPolicy: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const policyText = need(i.policyText, 'policyText');
        checkRepositoryPolicy(policyText);
        const repo = await updateRepository(deps.store, registry, name, (r) => (r.policyText === policyText ? r : { ...r, policyText }));
        return { registryId: repo.registryId, repositoryName: repo.name, policyText };
      },
    },

    GetRepositoryPolicy: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        const repo = await findRepository(storeReader(deps.store), registry, name);
        if (repo.policyText === undefined) throw EcrErrors.repositoryPolicyNotFound(name, registry.registryId);
        return { registryId: repo.registryId, repositoryName: repo.name, policyText: repo.policyText };
      },
    },

    DeleteRepositoryPolicy: {
      authorization: { resources: repositoryResource },
      handler: async (i, ctx) => {
        const { registry, name } = repositoryNamed(i, ctx);
        let policyText: string | undefined;
        const repo = await updateRepository(deps.store, registry, name, (r) => {
          if (r.policyText === undefined) throw EcrErrors.repositoryPolicyNotFound(name, registry.registryId);
          policyText = r.policyText;
          const { policyText: _removed, ...rest } = r;
          return rest;
        });
        return { registryId: repo.registryId, repositoryName: repo.name, policyText };
      },
    },
  };
}
