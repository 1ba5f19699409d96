/**
 * A control plane in this test process (no agent), for API tests that also read its store, with
 * the AWS CLI pointed at it and the assertion for a refused call those tests share.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after } from 'node:test';
import { promisify } from 'node:util';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient, PutUserPolicyCommand } from '@aws-sdk/client-iam';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../src/cli/control-plane.ts';
import { awsCliEnv, credentials, region, rootKeyEnv, tempDir } from './wharf.ts';

const run = promisify(execFile);

/** The account of the control planes these tests start. */
export const ACCOUNT = '123456789012';

/** A control plane for the file's tests: started on the first call (later calls give the same one), stopped after the tests. */
export function inProcessControlPlane(options: Partial<ControlPlaneOptions> = {}): () => Promise<ControlPlane> {
  let plane: Promise<ControlPlane> | undefined;
  after(async () => {
    await (await plane)?.stop();
  });
  return () => {
    plane ??= startControlPlane({
      host: '127.0.0.1', port: 0, dataDir: tempDir(), account: ACCOUNT, region, allowReset: false,
      unknownKeysAsRoot: false, env: rootKeyEnv, log: () => undefined, ...options,
    });
    return plane;
  };
}

/** `aws <service> <args>` against `url` (`cli`, its JSON output parsed) and one that must fail (`cliFails`, its stderr). */
export function awsCli(url: () => string, service: string): {
  cli: (...args: string[]) => Promise<Record<string, any>>;
  cliFails: (...args: string[]) => Promise<string>;
} {
  const env = { ...awsCliEnv, AWS_DEFAULT_REGION: region, AWS_REGION: region, AWS_EC2_METADATA_DISABLED: 'true' };
  const cli = async (...args: string[]) => {
    const { stdout } = await run('/usr/bin/aws', ['--endpoint-url', url(), '--output', 'json', service, ...args], { env });
    return stdout.trim() ? (JSON.parse(stdout) as Record<string, any>) : {};
  };
  const cliFails = async (...args: string[]) => {
    try {
      await cli(...args);
    } catch (error) {
      return String((error as { stderr?: string }).stderr);
    }
    throw new Error(`aws ${service} ${args.join(' ')} succeeded`);
  };
  return { cli, cliFails };
}

/** Asserts the call is refused with `code`, HTTP `status` and (when given) exactly `message` or one matching it. */
export async function refused(call: Promise<unknown>, code: string, message?: string | RegExp, status = 400): Promise<void> {
  await assert.rejects(call.then((ok) => {
    throw new Error(`expected ${code}, got a success: ${JSON.stringify(ok)}`);
  }), (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, code, error.message);
    assert.equal(error.$metadata?.httpStatusCode, status, error.message);
    if (typeof message === 'string') assert.equal(error.message, message);
    else if (message) assert.match(error.message, message);
    return true;
  });
}

/** An access key pair. */
export type Keys = { accessKeyId: string; secretAccessKey: string };

/** Creates IAM user `name` on the control plane at `url` (with an inline policy of `statements`, when given) and an access key for it. */
export async function userWithKey(url: string, name: string, statements?: object[]): Promise<Keys> {
  const iam = new IAMClient({ endpoint: url, region, credentials, maxAttempts: 1 });
  await iam.send(new CreateUserCommand({ UserName: name }));
  if (statements) await iam.send(new PutUserPolicyCommand({ UserName: name, PolicyName: 'p', PolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: statements }) }));
  const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: name }));
  return { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
}
