/**
 * Service-linked roles: roles a service owns, created on request (CreateServiceLinkedRole) with
 * the name, path, trust policy and managed policy the service defines, and protected from every
 * other change. Wharf knows the services it runs; ECS's role is `AWSServiceRoleForECS`.
 * Deletion is immediate (no resources of the service are checked), so its status is read back
 * from whether the role is gone.
 */
import { transact } from '../state/index.ts';
import type { IamEnv } from './env.ts';
import { IamErrors } from './errors.ts';
import { countUse, requireAttachable } from './managed.ts';
import { managedPolicies } from './managed-policies/index.ts';
import { iamKeys } from './records.ts';
import { loadEntity } from './entities.ts';
import { insertRole, removeRole } from './roles.ts';
import { roleView, type RoleView } from './views.ts';

/** What a service defines for its service-linked role. */
interface ServiceLinkedRoleSpec {
  roleName: string;
  description: string;
  policyArn: string;
}

/** The descriptions AWS gives the service-linked roles Wharf creates. */
const DESCRIPTIONS: Record<string, string> = {
  'ecs.amazonaws.com': 'Role to enable Amazon ECS to manage your cluster.',
};

/** The services whose service-linked roles Wharf creates: those whose role policy Wharf ships. */
const SERVICES: Record<string, ServiceLinkedRoleSpec> = Object.fromEntries(
  managedPolicies.flatMap((p) =>
    p.serviceLinkedRole
      ? [[p.serviceLinkedRole.servicePrincipal, { roleName: p.serviceLinkedRole.roleName, policyArn: p.arn, description: DESCRIPTIONS[p.serviceLinkedRole.servicePrincipal] ?? '' }]]
      : [],
  ),
);

/** The trust policy of a service-linked role: only its service may assume it. */
function trustPolicyFor(service: string): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: ['sts:AssumeRole'] }],
  });
}

/** Creates a service's service-linked role with its managed policy attached. */
export async function createServiceLinkedRole(
  env: IamEnv, account: string, input: { awsServiceName: string; description?: string; customSuffix?: string },
): Promise<RoleView> {
  const spec = SERVICES[input.awsServiceName];
  if (!spec) {
    throw IamErrors.invalidInput(
      `Service ${input.awsServiceName} does not support service-linked roles in Wharf. Supported: ${Object.keys(SERVICES).join(', ')}.`,
    );
  }
  if (input.customSuffix !== undefined) throw IamErrors.invalidInput(`Custom suffix is not allowed for ${input.awsServiceName}`);
  return transact(env.store, async (tx) => {
    if (await tx.get(iamKeys.role(account, spec.roleName))) throw IamErrors.serviceLinkedRoleExists(spec.roleName);
    const role = await insertRole(
      tx, env, account,
      {
        roleName: spec.roleName,
        path: `/aws-service-role/${input.awsServiceName}/`,
        assumeRolePolicyDocument: trustPolicyFor(input.awsServiceName),
        description: input.description ?? (spec.description || undefined),
      },
      { serviceLinkedTo: input.awsServiceName, attachedPolicies: [spec.policyArn] },
    );
    await countUse(tx, account, await requireAttachable(tx, account, spec.policyArn), 'attachment', 1);
    return roleView(account, role);
  });
}

/** The id DeleteServiceLinkedRole answers with; it names the role, so its status can be read back. */
function deletionTaskId(service: string, roleName: string, uuid: string): string {
  return `task/aws-service-role/${service}/${roleName}/${uuid}`;
}

/** Deletes a service-linked role (with its policy attachments); answers the deletion task's id. */
export async function deleteServiceLinkedRole(env: IamEnv, account: string, roleName: string): Promise<string> {
  return transact(env.store, async (tx) => {
    const role = await loadEntity(tx, 'role', account, roleName);
    if (!role.serviceLinkedTo) throw IamErrors.invalidInput(`Role ${role.name} is not a service-linked role.`);
    await removeRole(tx, account, role);
    return deletionTaskId(role.serviceLinkedTo, role.name, env.ids.uuid());
  });
}

/** The status of a deletion task: SUCCEEDED once the role it names is gone. */
export async function getServiceLinkedRoleDeletionStatus(env: IamEnv, account: string, taskId: string): Promise<'SUCCEEDED' | 'IN_PROGRESS'> {
  const m = /^task\/aws-service-role\/[^/]+\/([^/]+)\/[0-9a-f-]+$/.exec(taskId);
  if (!m) throw IamErrors.invalidInput(`Invalid deletion task id ${taskId}.`);
  const exists = await env.store.get(iamKeys.role(account, m[1]));
  return exists ? 'IN_PROGRESS' : 'SUCCEEDED';
}
