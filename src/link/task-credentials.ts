/**
 * The credentials an agent asks for on behalf of a task it runs: a session of the task's role
 * (for the container credentials endpoint) or of its execution role (for the agent's own calls
 * for the task: secrets, registry credentials). Asked on demand, never pushed with the task, so
 * no session sits in a task message or in the agent's checkpoint. A link gets sessions only
 * for tasks placed on its own container instances and not yet stopped.
 */
import type { RoleCredentials, ServerMessage, TaskRoleKind } from '../common/index.ts';
import type { EcsInformers } from '../ecs/index.ts';

/** A session of `roleArn` named `sessionName`, taken as ECS's tasks service (the role's trust policy decides). */
export type RoleSessionSource = (roleArn: string, sessionName: string) => Promise<Omit<RoleCredentials, 'RoleArn'>>;

/** A `credentialsRequest` as the link read it. */
export interface CredentialsRequest {
  requestId: string;
  taskArn: string;
  role: TaskRoleKind;
}

type Answer = Extract<ServerMessage, { type: 'credentials' }>;

/**
 * The answer to `request` from a link holding `instanceIds`: the role's session, or an error
 * (`TaskNotOnInstance`, `NoRole`, or the STS refusal's code) that the agent turns into the
 * task's stop reason or the endpoint's refusal.
 */
export async function answerCredentials(
  informers: EcsInformers, instanceIds: ReadonlySet<string>, request: CredentialsRequest, sessions: RoleSessionSource | undefined,
): Promise<Answer> {
  const { requestId, taskArn, role } = request;
  const fail = (code: string, message: string): Answer => ({ type: 'credentials', requestId, taskArn, error: { code, message } });
  let task;
  for (const id of instanceIds) {
    task = informers.tasksOn(id).find((d) => d.value.arn === taskArn)?.value;
    if (task) break;
  }
  if (!task || task.lastStatus === 'STOPPED') return fail('TaskNotOnInstance', `Task ${taskArn} is not running on this agent's container instances.`);
  const roleArn = role === 'task' ? task.spec.taskRoleArn : task.spec.executionRoleArn;
  if (!roleArn) return fail('NoRole', `Task ${taskArn} has no ${role === 'task' ? 'task role (taskRoleArn)' : 'execution role (executionRoleArn)'}.`);
  if (!sessions) return fail('NoRole', 'This control plane issues no role sessions.');
  try {
    // ECS names a task's role sessions after the task's id.
    const credentials = await sessions(roleArn, taskArn.slice(taskArn.lastIndexOf('/') + 1));
    return { type: 'credentials', requestId, taskArn, credentials: { ...credentials, RoleArn: roleArn } };
  } catch (error) {
    const e = error as { code?: unknown; message?: unknown };
    return fail(typeof e.code === 'string' ? e.code : 'InternalError', typeof e.message === 'string' ? e.message : String(error));
  }
}
