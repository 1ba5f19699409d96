import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTaskRoles } from './task-roles.ts';

describe('a task’s roles at launch', () => {
  const trusted = new Set(['arn:aws:iam::123456789012:role/app']);
  const roles = { mayAssume: async (arn: string) => trusted.has(arn) };

  it('passes roles ECS may assume, and tasks without roles', async () => {
    await checkTaskRoles(roles, { taskRoleArn: 'arn:aws:iam::123456789012:role/app', executionRoleArn: 'arn:aws:iam::123456789012:role/app' });
    await checkTaskRoles(roles, {});
    await checkTaskRoles(undefined, { taskRoleArn: 'arn:aws:iam::123456789012:role/none' });
  });

  it('refuses either role ECS cannot assume, in ECS’s words', async () => {
    const arn = 'arn:aws:iam::123456789012:role/exec';
    await assert.rejects(checkTaskRoles(roles, { taskRoleArn: 'arn:aws:iam::123456789012:role/app', executionRoleArn: arn }), (e: Error) =>
      e.name === 'InvalidParameterException' && e.message.startsWith(`ECS was unable to assume the role '${arn}' that was provided for this task. Please verify`));
  });
});
