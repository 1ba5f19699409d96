/**
 * A task's roles checked as ECS checks them when it launches the task: each role it names (the
 * task role and the execution role) must exist and trust ECS's tasks service, else the launch is
 * refused — RunTask with ECS's message, a service with it in its "failed to launch a task" event.
 */
import { EcsErrors } from './errors.ts';
import type { TaskSpec } from '../common/index.ts';

/** Whether ECS's tasks service (`ecs-tasks.amazonaws.com`) may assume a role. */
export interface TaskRolesPort {
  mayAssume(roleArn: string): Promise<boolean>;
}

/** Refuses (InvalidParameterException) a task whose task role or execution role ECS could not assume. */
export async function checkTaskRoles(roles: TaskRolesPort | undefined, spec: Pick<TaskSpec, 'taskRoleArn' | 'executionRoleArn'>): Promise<void> {
  if (!roles) return;
  for (const arn of [spec.taskRoleArn, spec.executionRoleArn]) {
    if (arn && !(await roles.mayAssume(arn))) {
      throw EcsErrors.invalidParameter(`ECS was unable to assume the role '${arn}' that was provided for this task. `
        + 'Please verify that the role being passed has the proper trust relationship and permissions and that your IAM user has permissions to pass this role.');
    }
  }
}
