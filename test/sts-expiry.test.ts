/**
 * Temporary credentials work until they expire, then every API refuses them with its
 * protocol's ExpiredToken, in both modes, changing nothing. The control plane runs in this
 * process on a clock the test moves forward (Wharf reads time only through its Clock), and the
 * SDK clients sign with the same offset, so only the session's expiry is past, not the
 * signature's date.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { CreateAccessKeyCommand, CreateRoleCommand, CreateUserCommand, IAMClient, ListUsersCommand, PutRolePolicyCommand, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, GetSessionTokenCommand, STSClient, type Credentials } from '@aws-sdk/client-sts';
import { startControlPlane, type ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region, rootKeyEnv, tempDir } from './support/wharf.ts';

const ACCOUNT = '123456789012';
const planes: ControlPlane[] = [];
after(async () => {
  for (const plane of planes) await plane.stop();
});

type Keys = { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
const asKeys = (c: Credentials): Keys => ({ accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! });

/** Asserts the call is refused with `name` and HTTP `status`. */
async function refused(call: Promise<unknown>, name: string, status: number): Promise<void> {
  await assert.rejects(call, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, error.message);
    assert.equal(error.$metadata?.httpStatusCode, status);
    assert.match(error.message, /security token included in the request is expired/);
    return true;
  });
}

for (const mode of ['server', 'dev'] as const) {
  describe(`temporary credentials expire (${mode} mode)`, () => {
    let offset = 0;
    const clock = { now: () => Date.now() + offset };
    let url = '';
    const clients = (keys: Keys) => ({
      ecs: new ECSClient({ endpoint: url, region, credentials: keys, maxAttempts: 1, systemClockOffset: offset }),
      iam: new IAMClient({ endpoint: url, region, credentials: keys, maxAttempts: 1, systemClockOffset: offset }),
      sts: new STSClient({ endpoint: url, region, credentials: keys, maxAttempts: 1, systemClockOffset: offset }),
    });

    it('a role session and a user session act until their expiry, then get ExpiredToken from every protocol', async () => {
      const plane = await startControlPlane({
        host: '127.0.0.1', port: 0, dataDir: tempDir(), account: ACCOUNT, region, allowReset: false,
        unknownKeysAsRoot: mode === 'dev', env: rootKeyEnv, clock, log: () => undefined,
      });
      planes.push(plane);
      url = plane.url;
      const root = clients(credentials);
      await root.iam.send(new CreateUserCommand({ UserName: 'worker' }));
      await root.iam.send(new PutUserPolicyCommand({
        UserName: 'worker', PolicyName: 'all',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['sts:*', 'ecs:*', 'iam:ListUsers'], Resource: '*' }] }),
      }));
      const { AccessKey } = await root.iam.send(new CreateAccessKeyCommand({ UserName: 'worker' }));
      const worker = clients({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
      await root.iam.send(new CreateRoleCommand({
        RoleName: 'deployer',
        AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:user/worker` }, Action: 'sts:AssumeRole' }] }),
      }));
      await root.iam.send(new PutRolePolicyCommand({
        RoleName: 'deployer', PolicyName: 'ecs',
        PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'ecs:*', Resource: '*' }] }),
      }));

      const role = await worker.sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/deployer`, RoleSessionName: 'ci', DurationSeconds: 900 }));
      const user = await worker.sts.send(new GetSessionTokenCommand({ DurationSeconds: 900 }));

      // Fourteen minutes on: both still act.
      offset = 14 * 60_000;
      const roleSession = clients(asKeys(role.Credentials!));
      const userSession = clients(asKeys(user.Credentials!));
      assert.equal((await roleSession.sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/deployer/ci`);
      await roleSession.ecs.send(new ListClustersCommand({}));
      assert.equal((await userSession.sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:user/worker`);
      await userSession.iam.send(new ListUsersCommand({}));

      // Sixteen minutes on: expired, whatever the protocol; nothing they ask for happens.
      offset = 16 * 60_000;
      const [roleLater, userLater] = [clients(asKeys(role.Credentials!)), clients(asKeys(user.Credentials!))];
      const clustersBefore = (await clients(credentials).ecs.send(new ListClustersCommand({}))).clusterArns;
      await refused(roleLater.ecs.send(new CreateClusterCommand({ clusterName: 'too-late' })), 'ExpiredTokenException', 400);
      await refused(roleLater.sts.send(new GetCallerIdentityCommand({})), 'ExpiredToken', 403);
      await refused(userLater.iam.send(new ListUsersCommand({})), 'ExpiredToken', 403);
      await refused(userLater.ecs.send(new CreateClusterCommand({ clusterName: 'too-late' })), 'ExpiredTokenException', 400);
      assert.deepEqual((await clients(credentials).ecs.send(new ListClustersCommand({}))).clusterArns, clustersBefore);
      // The long-term key that asked for them still works.
      await clients({ accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! }).ecs.send(new ListClustersCommand({}));
    });
  });
}
