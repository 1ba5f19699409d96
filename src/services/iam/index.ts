/**
 * AWS Identity and Access Management, as served by Wharf: the Query-protocol IAM API over the
 * identity domain (users, groups, roles, managed and inline policies, access keys, instance
 * profiles, service-linked roles, tags, permissions boundaries, the policy simulator). The
 * platform decodes, authenticates, authorizes (each operation's `authorization`), validates
 * against IAM's model and encodes; the handlers here only call the domain.
 */
import { AwsError, coralValidationMessage, iamModel, type IamOperations, type ServiceDefinition } from '../../aws/index.ts';
import type { IamDeps } from './common.ts';
import { attachmentOperations, inlinePolicyOperations, managedPolicyOperations } from './policies.ts';
import { instanceProfileOperations, roleOperations } from './roles.ts';
import { simulationOperations } from './simulate.ts';
import { accessKeyOperations, groupOperations, userOperations } from './users.ts';

export type { IamDeps } from './common.ts';

/** The IAM API over the given store, clock and ids. */
export function iamService(deps: IamDeps): ServiceDefinition<IamOperations> {
  return {
    model: iamModel,
    iamPrefix: 'iam',
    operations: {
      ...userOperations(deps),
      ...groupOperations(deps),
      ...accessKeyOperations(deps),
      ...roleOperations(deps),
      ...instanceProfileOperations(deps),
      ...managedPolicyOperations(deps),
      ...attachmentOperations(deps),
      ...inlinePolicyOperations(deps),
      ...simulationOperations(deps),
    },
    // IAM words model violations as its service framework does: ValidationError, 400.
    validationError: (violations) => new AwsError('ValidationError', coralValidationMessage(violations), 400),
    partly: {
      ListPolicies: 'the AWS managed policies Wharf carries as data are the ones ECS users attach (ECS, ECR, ReadOnlyAccess for the services Wharf serves, AdministratorAccess), not all of AWS\'s.',
      CreateServiceLinkedRole: 'for ecs.amazonaws.com (AWSServiceRoleForECS) only.',
      SimulatePrincipalPolicy: 'no MissingContextValues and no statement positions in MatchedStatements.',
      SimulateCustomPolicy: 'no MissingContextValues and no statement positions in MatchedStatements.',
      GetAccountSummary: 'counts of entities Wharf has (no MFA devices, providers or server certificates).',
    },
  };
}
