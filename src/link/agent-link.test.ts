/**
 * The control plane's end of the agent link, in process, on a real in-memory store: signed
 * upgrades only, identity proven by the issued secret and the principal, IAM at hello, one
 * hello per link, reports only for the link's own tasks and each refused alone, and a start
 * that skips unreadable records. What a hostile client did to earlier Wharf is repeated here.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { arns, keys, type ContainerInstanceRecord, type TaskRecord } from '../ecs/index.ts';
import { instanceRecord, scope, seed, seedCluster, seedTask, storedInstance, taskRecord } from '../ecs/testing.ts';
import { AGENT_LINK_PATH, ManualClock, signRequest, type ServerMessage } from '../common/index.ts';
import { getDoc } from '../state/index.ts';
import { hashAgentSecret } from './identity.ts';
import {
  ACCOUNT, connectLink, helloOf, isError, isRegistered, isTasks, linkWorld, rootKey, userKey, type LinkWorld,
} from './testing.ts';

const agent = userKey('agent');

describe('agent link', () => {
  let w: LinkWorld;
  beforeEach(async () => {
    w = await linkWorld();
  });
  afterEach(() => w.close());

  /** Registers `agentId` as `key` and returns the client, its instance id and the issued secret. */
  async function register(agentId: string, key = agent, over: Record<string, unknown> = {}) {
    const c = await connectLink(w.url, key);
    c.send(helloOf(agentId, over));
    const registered = await c.next(isRegistered);
    return { c, registered, instanceId: registered.containerInstanceArns[0].split('/').pop()!, secret: registered.agentSecret };
  }

  it('refuses unsigned, badly signed and browser upgrades before upgrading', async () => {
    const unsigned = await connectLink(w.url, null);
    assert.equal(unsigned.status, 401);
    assert.match(unsigned.body ?? '', /MissingAuthenticationToken/);
    const wrong = await connectLink(w.url, { ...agent, secretAccessKey: 'not-the-secret-0000000000000000000000000' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body ?? '', /SignatureDoesNotMatch|signature/i);
    const unknown = await connectLink(w.url, { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x'.repeat(40) });
    assert.equal(unknown.status, 401);
    const browser = await connectLink(w.url, agent, { headers: { origin: 'https://evil.example' } });
    assert.equal(browser.status, 403);
    assert.equal((await w.store.range('ecs/')).kvs.length, 0, 'nothing stored');
  });

  it('registers a signed agent, issues its secret once, and takes it back as the same instance', async () => {
    const first = await register('agent-1');
    assert.match(first.secret ?? '', /^[A-Za-z0-9_-]{43}$/);
    await first.c.next(isTasks);
    const ref = await getDoc<Record<string, unknown>>(w.store, keys.agentInstance('agent-1', scope, 'default'));
    assert.deepEqual(ref?.value, { instanceId: first.instanceId, principal: agent.principal.arn, secretHash: hashAgentSecret(first.secret!) });
    assert.equal(JSON.stringify(ref?.value).includes(first.secret!), false, 'only the hash is stored');
    first.c.ws.close();
    await first.c.closed;

    const again = await register('agent-1', agent, { agentSecret: first.secret });
    assert.equal(again.instanceId, first.instanceId, 'the same container instance');
    assert.equal(again.secret, undefined, 'issued once');
    assert.equal((await storedInstance(w.store, 'default', first.instanceId)).agentConnected, true);
    const actions = new Set(w.authority.asked.map((a) => `${a.action} ${a.resource}`));
    assert.ok(actions.has(`ecs:RegisterContainerInstance ${arns.cluster(scope, 'default')}`));
    assert.ok(actions.has(`ecs:SubmitTaskStateChange ${arns.cluster(scope, 'default')}`));
    assert.ok(actions.has(`ecs:Poll ${arns.containerInstance(scope, 'default', first.instanceId)}`));
    assert.ok(actions.has('ecs:CreateCluster *'), 'default was created for it');
  });

  it("refuses a client claiming a registered agent's id, and leaves the real instance untouched", async () => {
    const real = await register('agent-1');
    await real.c.next(isTasks);
    const before = await storedInstance(w.store, 'default', real.instanceId);
    for (const [key, secret] of [[agent, undefined], [agent, 'guessed-secret'], [userKey('other'), real.secret]] as const) {
      const impostor = await connectLink(w.url, key);
      impostor.send(helloOf('agent-1', { ...(secret && { agentSecret: secret }), cpu: 1, memory: 1 }));
      const refused = await impostor.next(isError);
      assert.equal(refused.code, 'AgentIdentityRefused');
      assert.equal((await impostor.closed).code, 1008);
    }
    assert.deepEqual(await storedInstance(w.store, 'default', real.instanceId), before, 'not a byte changed');
    real.c.send({ type: 'heartbeat' });
    assert.equal(real.c.ws.readyState, real.c.ws.OPEN, 'the real agent keeps its link');
  });

  it('refuses a principal IAM does not allow to register or poll, and the follow-all agent of anyone but the root', async () => {
    for (const action of ['ecs:RegisterContainerInstance', 'ecs:Poll', 'ecs:SubmitTaskStateChange']) {
      w.authority.denied.set(userKey('nobody').principal.arn, new Set([action]));
      await seedCluster(w.store, 'default');
      const c = await connectLink(w.url, userKey('nobody'));
      c.send(helloOf(`nobody-${action}`));
      const refused = await c.next(isError);
      assert.equal(refused.code, 'AccessDenied', action);
      assert.match(refused.message, new RegExp(`not authorized to perform: ${action}`));
      assert.equal((await c.closed).code, 1008);
    }
    assert.equal((await w.store.range(keys.allInstances)).kvs.length, 0, 'no instance registered');
    const follow = await connectLink(w.url, agent);
    follow.send(helloOf('follower', { followAllClusters: true }));
    assert.match((await follow.next(isError)).message, /Only the account root/);
    const root = await connectLink(w.url, rootKey);
    root.send(helloOf('root-follower', { followAllClusters: true, cluster: undefined, region: undefined }));
    assert.equal((await root.next(isRegistered)).containerInstanceArns.length, 1);
  });

  it('refuses a hello in a region Wharf does not serve, or in an account not its own; stores nothing', async () => {
    for (const [over, code] of [[{ region: 'x_y' }, 'InvalidHello'], [{ region: 'eu-west-1' }, 'InvalidHello'], [{ account: '999999999999' }, 'AccessDenied']] as const) {
      const c = await connectLink(w.url, agent);
      c.send(helloOf('agent-x', over));
      assert.equal((await c.next(isError)).code, code, JSON.stringify(over));
      await c.closed;
    }
    assert.equal((await w.store.range('ecs/')).kvs.length, 0);
  });

  it('takes one hello per link: a second one closes it', async () => {
    const { c } = await register('agent-1');
    c.send(helloOf('agent-2'));
    assert.equal((await c.next(isError)).code, 'HelloRepeated');
    assert.equal((await c.closed).code, 1008);
    assert.equal((await w.store.range(keys.allInstances)).kvs.length, 1, 'one socket, one instance');
  });

  it("applies a link's reports for its own tasks; refuses others' tasks and malformed reports, each alone", async () => {
    const { c, instanceId } = await register('agent-1');
    await c.next(isTasks);
    const other = instanceRecord('default', 'f'.repeat(32));
    await seed(w.store, keys.instance(scope, 'default', other.id), other);
    const id = (n: number) => String(n).repeat(32);
    const pending = (n: number, on: string): TaskRecord => taskRecord('default', id(n), {
      lastStatus: 'PENDING', containerInstanceId: on, containerInstanceArn: arns.containerInstance(scope, 'default', on),
      containers: [{ containerArn: 'arn:c', name: 'web', image: 'x', lastStatus: 'PENDING', networkBindings: [], essential: true }],
    });
    for (const [n, on] of [[1, instanceId], [2, other.id], [3, instanceId]] as const) await seedTask(w.store, pending(n, on));
    const report = (n: number, over: Record<string, unknown> = {}) => ({
      type: 'taskStateChange', change: { taskArn: arns.task(scope, 'default', id(n)), lastStatus: 'RUNNING', containers: [{ name: 'web', lastStatus: 'RUNNING' }], ...over },
    });
    c.send(report(1));
    c.send(report(3, { containers: 'not a list' }));
    c.send(report(2));
    c.send(report(3));
    c.send({ type: 'taskStateChange', change: { ...report(4).change, taskArn: 'arn:aws:ecs:us-east-1:123456789012:task/elsewhere/' + id(4) } });
    const task = async (n: number) => (await getDoc<TaskRecord>(w.store, keys.task(scope, 'default', id(n))))!.value;
    for (let i = 0; i < 100 && (await task(3)).lastStatus !== 'RUNNING'; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual([(await task(1)).lastStatus, (await task(2)).lastStatus, (await task(3)).lastStatus], ['RUNNING', 'PENDING', 'RUNNING']);
    const errors = c.messages.filter(isError);
    for (let i = 0; i < 100 && errors.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 20));
      errors.splice(0, errors.length, ...c.messages.filter(isError));
    }
    assert.deepEqual(errors.map((e) => [e.code, e.taskArn?.split('/').slice(-2).join('/')]).sort(), [
      ['InvalidReport', `default/${id(3)}`], ['TaskNotOnInstance', `default/${id(2)}`], ['TaskNotOnInstance', `elsewhere/${id(4)}`],
    ].sort());
  });

  it('registers an agent whose key predates agent secrets as a new instance, with a secret', async () => {
    await seedCluster(w.store, 'default');
    const old = instanceRecord('default', 'a'.repeat(32), { agentId: 'legacy', agentConnected: false });
    await seed(w.store, keys.instance(scope, 'default', old.id), old);
    await seed(w.store, keys.agentInstance('legacy', scope, 'default'), { instanceId: old.id });
    const { instanceId, secret } = await register('legacy');
    assert.notEqual(instanceId, old.id);
    assert.ok(secret);
    assert.equal((await storedInstance(w.store, 'default', old.id)).agentConnected, false, 'the old one is left as it was');
    assert.ok(w.log.some((l) => /registered before agent secrets/.test(l)));
  });

  it('starts over stored records it cannot read, and the follow-all agent skips a cluster it cannot read', async () => {
    const good = instanceRecord('default', 'b'.repeat(32));
    await seed(w.store, keys.instance(scope, 'default', good.id), good);
    const bad: ContainerInstanceRecord = { ...instanceRecord('default', 'c'.repeat(32)), arn: 'arn:aws:ecs:x_y:123456789012:container-instance/default/c' };
    await seed(w.store, keys.instance({ account: ACCOUNT, region: 'x_y' }, 'default', 'c'.repeat(32)), bad);
    await w.store.txn([], [{ type: 'put', key: keys.instance(scope, 'default', 'd'.repeat(32)), value: '{not json' }]);
    await seed(w.store, keys.cluster({ account: ACCOUNT, region: 'x_y' }, 'default'), { name: 'default', arn: 'arn:aws:ecs:x_y:123456789012:cluster/default', status: 'ACTIVE' });
    await seedCluster(w.store, 'default');
    await w.link.markAllDisconnected();
    assert.equal((await storedInstance(w.store, 'default', good.id)).agentConnected, false);
    assert.equal(w.log.filter((l) => /skipped container instance record/.test(l)).length, 2);
    const root = await connectLink(w.url, rootKey);
    root.send(helloOf('dev-agent', { followAllClusters: true, cluster: undefined, region: undefined }));
    assert.deepEqual((await root.next(isRegistered)).containerInstanceArns.map((a) => a.split(':')[3]), ['us-east-1']);
  });

  it('closes a link that says no hello in time', async () => {
    await w.close();
    w = await linkWorld({ limits: { helloTimeoutMs: 100 } });
    const c = await connectLink(w.url, agent);
    assert.equal(c.ws.readyState, c.ws.OPEN);
    const closed = await Promise.race([c.closed, new Promise((r) => setTimeout(() => r('still open'), 3000))]);
    assert.notEqual(closed, 'still open');
  });

  it('refuses upgrades from one address beyond its burst with 429', async () => {
    await w.close();
    w = await linkWorld({ limits: { upgradeBurst: 3, upgradesPerSecond: 0.001 } });
    const statuses: Array<number | undefined> = [];
    for (let i = 0; i < 5; i++) {
      const c = await connectLink(w.url, agent, { localAddress: '127.0.0.1' });
      statuses.push(c.status);
      c.ws.terminate();
    }
    assert.deepEqual(statuses, [undefined, undefined, undefined, 429, 429]);
    const elsewhere = await connectLink(w.url, agent, { localAddress: '127.0.0.2' });
    assert.equal(elsewhere.status, undefined, 'another address is not held up');
    elsewhere.ws.terminate();
  });

  it('survives a client that resets its connection while its upgrade is being authenticated', async () => {
    w.authority.lookupDelayMs = 200;
    const url = new URL(AGENT_LINK_PATH, w.url);
    const headers = await signRequest({ method: 'GET', url, credentials: agent, region: 'us-east-1', service: 'ecs' });
    const socket = net.connect(Number(url.port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const lines = Object.entries({ ...headers, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    socket.write(`GET ${AGENT_LINK_PATH} HTTP/1.1\r\n${lines.map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    await new Promise((r) => setTimeout(r, 50));
    socket.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 300));
    w.authority.lookupDelayMs = 0;
    const { registered } = await register('after-reset');
    assert.equal(registered.containerInstanceArns.length, 1, 'the link still serves');
  });

  it('issues the registry credentials sent with a task to the link\'s principal', async () => {
    await w.close();
    const holders: string[] = [];
    w = await linkWorld({ registryAuth: (_scope, holder) => (holders.push(holder.principal.arn), { username: 'AWS', password: `for ${holder.principal.arn}` }) });
    const { c, instanceId } = await register('agent-1');
    await c.next(isTasks);
    await seedTask(w.store, taskRecord('default', '9'.repeat(32), {
      lastStatus: 'PENDING', containerInstanceId: instanceId, containerInstanceArn: arns.containerInstance(scope, 'default', instanceId),
    }));
    const sent = await c.next((m): m is Extract<typeof m, { type: 'tasks' }> => m.type === 'tasks' && !m.complete);
    assert.equal(sent.tasks[0].registryAuth?.password, `for ${agent.principal.arn}`);
    assert.deepEqual([...new Set(holders)], [agent.principal.arn]);
  });

  it('answers a credentials request with a session of the task\'s role, only for a task on the link\'s instances', async () => {
    await w.close();
    const asked: string[] = [];
    w = await linkWorld({
      roleSessions: async (roleArn, sessionName) => {
        asked.push(`${roleArn} ${sessionName}`);
        if (roleArn.endsWith('/untrusted')) throw Object.assign(new Error('ecs-tasks.amazonaws.com is not authorized to perform: sts:AssumeRole'), { code: 'AccessDenied' });
        return { AccessKeyId: 'ASIATASK', SecretAccessKey: 's', Token: 't', Expiration: '2026-01-01T06:00:00Z' };
      },
    });
    const { c, instanceId } = await register('agent-1');
    const other = await register('agent-2');
    await c.next(isTasks);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/app`;
    const placed = (n: string, on: string, roles: Partial<TaskRecord['spec']>) => taskRecord('default', n.repeat(32), {
      lastStatus: 'RUNNING', containerInstanceId: on, containerInstanceArn: arns.containerInstance(scope, 'default', on),
      spec: { family: 'web', revision: 1, networkMode: 'bridge', containers: [], ...roles },
    });
    const mine = placed('a', instanceId, { taskRoleArn: roleArn, executionRoleArn: `arn:aws:iam::${ACCOUNT}:role/untrusted` });
    const theirs = placed('b', other.instanceId, { taskRoleArn: roleArn });
    await seedTask(w.store, mine);
    await seedTask(w.store, theirs);
    await c.next((m): m is Extract<typeof m, { type: 'tasks' }> => m.type === 'tasks' && !m.complete);
    const ask = async (taskArn: string, role: 'task' | 'execution', requestId: string) => {
      c.send({ type: 'credentialsRequest', requestId, taskArn, role });
      return c.next((m): m is Extract<ServerMessage, { type: 'credentials' }> => m.type === 'credentials' && m.requestId === requestId);
    };
    const granted = await ask(mine.arn, 'task', '1');
    assert.deepEqual(granted.credentials, { AccessKeyId: 'ASIATASK', SecretAccessKey: 's', Token: 't', Expiration: '2026-01-01T06:00:00Z', RoleArn: roleArn });
    assert.deepEqual(asked, [`${roleArn} ${'a'.repeat(32)}`], 'the session is named after the task id');
    assert.equal((await ask(theirs.arn, 'task', '2')).error?.code, 'TaskNotOnInstance');
    assert.equal((await ask(mine.arn, 'execution', '3')).error?.code, 'AccessDenied');
    c.send({ type: 'credentialsRequest', requestId: '4', taskArn: mine.arn, role: 'admin' });
    assert.match((await c.next(isError)).message, /credentialsRequest.role must be task or execution/);
  });

  it('keeps a link through a wall clock set forward, and closes one that falls silent', async () => {
    await w.close();
    const clock = new ManualClock(Date.now());
    w = await linkWorld({ clock, heartbeatMs: 500, limits: { helloTimeoutMs: 100 } }); // silence limit 1.5 s; the sweep runs every 100 ms
    const talking = await register('agent-1');
    const silent = await register('agent-2');
    clock.advance(10 * 60_000);
    await new Promise((r) => setTimeout(r, 400)); // several sweeps see the jump before the next heartbeat
    assert.equal(talking.c.ws.readyState, talking.c.ws.OPEN, 'a clock set forward 10 minutes is not silence');
    const beat = setInterval(() => talking.c.send({ type: 'heartbeat' }), 200);
    try {
      const closed = await Promise.race([silent.c.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
      assert.ok(closed, 'the silent link is closed after 3 intervals');
      assert.equal(talking.c.ws.readyState, talking.c.ws.OPEN, 'the heartbeating link stays open');
    } finally {
      clearInterval(beat);
    }
  });

  it('closes a link signed with temporary credentials when they expire; the agent signs again', async () => {
    await w.close();
    w = await linkWorld({ limits: { helloTimeoutMs: 100 } }); // the sweep runs every 100 ms
    const session = { ...userKey('session'), accessKeyId: 'ASIASESSION000000001', sessionToken: 'token-1', expiresAt: Date.now() + 400 };
    session.principal = { ...session.principal, kind: 'assumed-role', arn: `arn:aws:sts::${ACCOUNT}:assumed-role/ecsInstanceRole/i-1`, accessKeyId: session.accessKeyId };
    w.authority.add(session);
    const c = await connectLink(w.url, session);
    c.send(helloOf('agent-s'));
    await c.next(isRegistered);
    const closed = await Promise.race([c.closed, new Promise<undefined>((r) => setTimeout(() => r(undefined), 3000))]);
    assert.match(closed?.reason ?? 'still open', /credentials expired/);
  });

  it('gives an agent whose link closed before its secret was sent a new secret for the same instance', async () => {
    w.authority.authorizeDelayMs = 50;
    const gone = await connectLink(w.url, agent);
    gone.send(helloOf('agent-1'));
    await new Promise((r) => setTimeout(r, 20));
    gone.ws.terminate();
    const refKey = keys.agentInstance('agent-1', scope, 'default');
    let ref: Record<string, unknown> | undefined;
    for (let i = 0; i < 100 && !(ref && !ref.secretHash); i++) {
      await new Promise((r) => setTimeout(r, 20));
      ref = (await getDoc<Record<string, unknown>>(w.store, refKey))?.value;
    }
    assert.deepEqual(Object.keys(ref ?? {}).sort(), ['instanceId', 'principal'], 'the undelivered secret is unbound');
    w.authority.authorizeDelayMs = 0;
    const back = await register('agent-1');
    assert.equal(back.instanceId, ref!.instanceId, 'the same instance');
    assert.ok(back.secret, 'with a secret, delivered this time');
    const bound = (await getDoc<Record<string, unknown>>(w.store, refKey))?.value;
    assert.equal(bound?.secretHash, hashAgentSecret(back.secret!));
  });
});
