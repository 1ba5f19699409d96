import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock, type RoleCredentials } from '../common/index.ts';
import { REFRESH_BEFORE_MS, TaskCredentials } from './task-credentials.ts';

describe('task role sessions on the agent', () => {
  const session = (n: number, expiresAt: number): RoleCredentials => ({
    AccessKeyId: `ASIA${n}`, SecretAccessKey: 's', Token: 't', Expiration: new Date(expiresAt).toISOString(), RoleArn: 'arn:aws:iam::1:role/r',
  });

  it('keeps a session until shortly before it expires, per task and role, and forgets a task’s', async () => {
    const clock = new ManualClock(0);
    let asked = 0;
    const creds = new TaskCredentials(async () => session(++asked, clock.now() + 3_600_000), clock);
    const first = await creds.get('t1', 'task');
    assert.equal((await creds.get('t1', 'task')).AccessKeyId, first.AccessKeyId);
    assert.equal(asked, 1);
    await creds.get('t1', 'execution');
    await creds.get('t2', 'task');
    assert.equal(asked, 3);
    clock.advance(3_600_000 - REFRESH_BEFORE_MS + 1);
    assert.notEqual((await creds.get('t1', 'task')).AccessKeyId, first.AccessKeyId, 'near its expiry a new session is asked for');
    creds.forget('t2');
    await creds.get('t2', 'task');
    assert.equal(asked, 5);
  });

  it('asks once for concurrent requests, and again after a refusal', async () => {
    const clock = new ManualClock(0);
    let asked = 0;
    let refuse = true;
    const creds = new TaskCredentials(async () => {
      asked++;
      if (refuse) throw new Error('not yet');
      return session(asked, 3_600_000);
    }, clock);
    await Promise.allSettled([creds.get('t', 'task'), creds.get('t', 'task')]);
    assert.equal(asked, 1);
    refuse = false;
    assert.equal((await creds.get('t', 'task')).AccessKeyId, 'ASIA2');
  });
});
