/**
 * Task role sessions on the agent: asked of the control plane when first needed (by the
 * credentials endpoint, or to fetch a task's secrets with its execution role), kept in memory
 * only, and asked again before they expire. Nothing here is ever written to disk.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Clock, RoleCredentials, TaskRoleKind } from '../common/index.ts';
import type { SecretStores } from './task-secrets.ts';

/** Asks the control plane for a session of a task's role. */
export type RoleCredentialsSource = (taskArn: string, role: TaskRoleKind) => Promise<RoleCredentials>;

/** A session is asked for again this long before it expires (the SDKs refresh 5 minutes before; ECS rotates well ahead). */
export const REFRESH_BEFORE_MS = 15 * 60_000;

/** Sessions of the tasks' roles, per task and role. */
export class TaskCredentials {
  /** Each session asked for, with its expiry once it came (undefined while it is coming). */
  private readonly held = new Map<string, { session: Promise<RoleCredentials>; expiresAt?: number }>();

  constructor(private readonly source: RoleCredentialsSource, private readonly clock: Clock) {}

  /** A session that is good for a while yet: the one held (or coming), or a new one. */
  get(taskArn: string, role: TaskRoleKind): Promise<RoleCredentials> {
    const key = `${role} ${taskArn}`;
    const held = this.held.get(key);
    if (held && (held.expiresAt === undefined || held.expiresAt - REFRESH_BEFORE_MS > this.clock.now())) return held.session;
    const entry: { session: Promise<RoleCredentials>; expiresAt?: number } = { session: this.source(taskArn, role) };
    this.held.set(key, entry);
    entry.session.then(
      (c) => (entry.expiresAt = Date.parse(c.Expiration)),
      () => {
        // A refusal is shared by those who waited for it; the next asks again.
        if (this.held.get(key) === entry) this.held.delete(key);
      },
    );
    return entry.session;
  }

  /** The task is gone: its sessions go with it. */
  forget(taskArn: string): void {
    for (const role of ['task', 'execution'] as const) this.held.delete(`${role} ${taskArn}`);
  }
}

/** Secrets Manager and Parameter Store on Wharf's API at `endpoint`, called as `credentials` (a task's execution role). */
export function secretStores(endpoint: string, region: string, credentials: () => Promise<RoleCredentials>): SecretStores {
  const sdkCredentials = async () => {
    const c = await credentials();
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.Token, expiration: new Date(c.Expiration) };
  };
  const options = { endpoint, region, credentials: sdkCredentials, maxAttempts: 2 };
  const asm = new SecretsManagerClient(options);
  const ssm = new SSMClient(options);
  return {
    async getSecretValue(secretId, version) {
      const out = await asm.send(new GetSecretValueCommand({ SecretId: secretId, VersionStage: version.versionStage, VersionId: version.versionId }));
      if (out.SecretString !== undefined) return out.SecretString;
      return Buffer.from(out.SecretBinary ?? new Uint8Array()).toString('utf8');
    },
    async getParameters(names) {
      const out = await ssm.send(new GetParametersCommand({ Names: [...names], WithDecryption: true }));
      const values = new Map<string, string>();
      for (const p of out.Parameters ?? []) {
        // Asked by name or by ARN: answer under what was asked.
        const asked = names.find((n) => n === p.Name || n === p.ARN) ?? p.Name ?? '';
        values.set(asked, p.Value ?? '');
      }
      return { values, invalid: out.InvalidParameters ?? [] };
    },
  };
}
