import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { SharedTaskServices } from './shared-task-services.ts';
import type { TaskEndpointsOptions } from './task-endpoints.ts';
import type { TaskModel } from './task-lifecycle.ts';
import type { ContainerRuntime } from './runtime.ts';
import type { TaskCredentials } from './task-credentials.ts';

/** An agent's endpoint options with one host-network task of a task role, whose credentials id is `id`. */
function agentWith(id: string, role: string, api: string): TaskEndpointsOptions {
  const task = {
    taskArn: `arn:aws:ecs:us-east-1:123456789012:task/c/${id}`,
    desired: { spec: { taskRoleArn: role, networkMode: 'host' } },
    containers: [],
  } as unknown as TaskModel;
  return {
    tasks: { byCredentialsId: (x) => (x === id ? task : undefined), byMetadataId: () => undefined },
    runtime: {} as ContainerRuntime,
    credentials: { get: async () => ({ RoleArn: role, AccessKeyId: `ASIA${id}`, SecretAccessKey: 's', Token: 't', Expiration: '2030-01-01T00:00:00Z' }) } as unknown as TaskCredentials,
    apiServer: () => api,
    availabilityZone: 'us-east-1a',
    log: () => undefined,
  };
}

async function get(port: number, path: string): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.json() };
}

describe('SharedTaskServices', () => {
  it('serves several agents on one listener, each task answered by its own agent, until the last leaves', async () => {
    const api = http.createServer((req, res) => res.end(JSON.stringify({ api: req.url })));
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}`;
    const shared = new SharedTaskServices({ endpoints: { address: '127.0.0.1', port: 0 }, log: () => undefined });
    const a = (await shared.joinEndpoints(agentWith('aaaa', 'arn:aws:iam::123456789012:role/a', apiUrl)))!;
    const b = (await shared.joinEndpoints(agentWith('bbbb', 'arn:aws:iam::123456789012:role/b', apiUrl)))!;
    try {
      assert.equal(a.port, b.port);
      assert.deepEqual((await get(a.port, '/v2/credentials/aaaa')).body.RoleArn, 'arn:aws:iam::123456789012:role/a');
      assert.deepEqual((await get(a.port, '/v2/credentials/bbbb')).body.RoleArn, 'arn:aws:iam::123456789012:role/b');
      assert.equal((await get(a.port, '/v2/credentials/cccc')).status, 400);
      assert.deepEqual((await get(a.port, '/v1/clusters')).body, { api: '/v1/clusters' });
      await a.close();
      // The first agent gone, the listener stays for the other's tasks.
      assert.equal((await get(b.port, '/v2/credentials/aaaa')).status, 400);
      assert.equal((await get(b.port, '/v2/credentials/bbbb')).status, 200);
      await b.close();
      await assert.rejects(get(b.port, '/v2/credentials/bbbb'));
    } finally {
      await a.close();
      await b.close();
      api.close();
    }
  });
});
