import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { createRole } from './roles.ts';
import { assumeRoleAsService } from './service-sessions.ts';
import { SessionTokens } from './sessions.ts';
import { ACCOUNT, identityTestbed, trust, type IdentityTestbed } from './testing.ts';

describe('role sessions a service takes (ECS for a task)', () => {
  let bed: IdentityTestbed;
  const tokens = new SessionTokens(Buffer.alloc(32, 7));
  beforeEach(() => {
    bed = identityTestbed();
  });
  afterEach(() => bed.close());
  const sts = () => ({ ...bed.env, tokens });
  const roleArn = (name: string) => `arn:aws:iam::${ACCOUNT}:role/${name}`;

  it('issues a session named as asked when the trust policy lets the service assume the role', async () => {
    await createRole(bed.env, ACCOUNT, { roleName: 'app', maxSessionDuration: 7200, assumeRolePolicyDocument: trust({ Service: 'ecs-tasks.amazonaws.com' }) });
    const { credentials, arn } = await assumeRoleAsService(sts(), 'ecs-tasks.amazonaws.com', roleArn('app'), 'task-1');
    assert.equal(arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/task-1`);
    assert.match(credentials.accessKeyId, /^ASIA/);
    assert.equal(credentials.expiration.getTime(), bed.clock.now() + 7200 * 1000, 'as long as the role allows');
    const claims = tokens.open(credentials.sessionToken)!;
    assert.equal(claims.arn, arn);
    assert.equal(claims.role?.arn, roleArn('app'));
  });

  it('is refused for a role that trusts another service or an account, or that does not exist', async () => {
    await createRole(bed.env, ACCOUNT, { roleName: 'ec2', assumeRolePolicyDocument: trust({ Service: 'ec2.amazonaws.com' }) });
    await createRole(bed.env, ACCOUNT, { roleName: 'acct', assumeRolePolicyDocument: trust(`arn:aws:iam::${ACCOUNT}:root`) });
    for (const name of ['ec2', 'acct', 'none']) {
      await assert.rejects(assumeRoleAsService(sts(), 'ecs-tasks.amazonaws.com', roleArn(name), 't'), (e: Error & { code?: string }) =>
        e.code === 'AccessDenied' && e.message === `ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole on resource: ${roleArn(name)}`);
    }
  });
});
