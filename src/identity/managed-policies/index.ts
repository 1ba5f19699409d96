/**
 * The AWS managed policies Wharf ships, as data: each with IAM's name, ARN (with its path),
 * id, description, default version and the default version's document, plus that document
 * parsed once as an identity policy. The IAM API lists and attaches them; the authorizer
 * evaluates their `policy`.
 */
import { AWS_MANAGED_ACCOUNT, entityArn } from '../identifiers.ts';
import { parsePolicy, type Policy } from '../policy/index.ts';
import { AmazonECSServiceRolePolicy } from './ecs-service-role.ts';
import { AmazonEC2ContainerServiceforEC2Role, AmazonECS_FullAccess, AmazonECSTaskExecutionRolePolicy } from './ecs.ts';
import { AmazonEC2ContainerRegistryFullAccess, AmazonEC2ContainerRegistryPowerUser, AmazonEC2ContainerRegistryReadOnly } from './ecr.ts';
import { AdministratorAccess, ReadOnlyAccess } from './job-functions.ts';
import type { ManagedPolicyData } from './types.ts';

export type { ManagedPolicyData, PolicyDocumentData } from './types.ts';

/** An AWS managed policy: its metadata, its document as IAM returns it, and the parsed policy. */
export interface ManagedPolicy extends Omit<ManagedPolicyData, 'document'> {
  /** `arn:aws:iam::aws:policy<path><name>`. */
  readonly arn: string;
  /** The default version's document, as JSON text. */
  readonly document: string;
  /** The document parsed as an identity policy (ARN attached, for denial messages). */
  readonly policy: Policy;
}

function managed(data: ManagedPolicyData): ManagedPolicy {
  const arn = entityArn(AWS_MANAGED_ACCOUNT, 'policy', data.path, data.name);
  const document = JSON.stringify(data.document, null, 4);
  return Object.freeze({ ...data, arn, document, policy: parsePolicy(document, 'identity', { arn }) });
}

/** Every AWS managed policy Wharf ships, in ARN order. */
export const managedPolicies: readonly ManagedPolicy[] = Object.freeze(
  [
    AmazonECSTaskExecutionRolePolicy,
    AmazonEC2ContainerServiceforEC2Role,
    AmazonECS_FullAccess,
    AmazonECSServiceRolePolicy,
    AmazonEC2ContainerRegistryReadOnly,
    AmazonEC2ContainerRegistryPowerUser,
    AmazonEC2ContainerRegistryFullAccess,
    ReadOnlyAccess,
    AdministratorAccess,
  ]
    .map(managed)
    .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0)),
);

const byArn = new Map(managedPolicies.map((p) => [p.arn, p]));
const byName = new Map(managedPolicies.map((p) => [p.name, p]));

/** The shipped AWS managed policy with this ARN, if any. */
export function managedPolicyByArn(arn: string): ManagedPolicy | undefined {
  return byArn.get(arn);
}

/** The shipped AWS managed policy with this name (names are unique among AWS managed policies). */
export function managedPolicyByName(name: string): ManagedPolicy | undefined {
  return byName.get(name);
}
