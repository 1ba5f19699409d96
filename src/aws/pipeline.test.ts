/**
 * The middleware chain end to end, through real SDK clients against a real HTTP endpoint: an
 * AWS JSON API (ECS's model) and a Query API (IAM's model) with a few operations each, an
 * Authority that knows two keys and refuses one action, and every stage's refusal as each
 * protocol words it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { DescribeClustersCommand, ECSClient, ListClustersCommand, type ListClustersRequest, type ListClustersResponse } from '@aws-sdk/client-ecs';
import { CreateUserCommand, GetUserCommand, IAMClient, ListUsersCommand } from '@aws-sdk/client-iam';
import { systemClock } from '../common/index.ts';
import type { Authority, KeyLookup } from './auth.ts';
import { createEndpoint } from './endpoint.ts';
import { AwsError } from './errors.ts';
import { coralValidationMessage } from './model/index.ts';
import { ecsModel, type EcsOperations } from './models/ecs.ts';
import { iamModel, type IamOperations } from './models/iam.ts';
import type { Principal, ServiceDefinition } from './operation.ts';
import type { Stage } from './pipeline.ts';

const ACCOUNT = '123456789012';
const user = (name: string, accessKeyId: string): Principal => ({
  arn: `arn:aws:iam::${ACCOUNT}:user/${name}`, account: ACCOUNT, userId: `AIDA${name.toUpperCase()}`, kind: 'user', accessKeyId,
});
const ADMIN = { accessKeyId: 'AKIAADMIN00000000001', secretAccessKey: 'admin-secret' };
const READER = { accessKeyId: 'AKIAREADER0000000001', secretAccessKey: 'reader-secret' };

/** Knows two keys; the reader may not call iam:CreateUser nor ecs:DescribeClusters on cluster `secret`. */
const authority: Authority = {
  async findSigningKey(accessKeyId): Promise<KeyLookup> {
    if (accessKeyId === ADMIN.accessKeyId) return { status: 'found', key: { ...ADMIN, principal: user('admin', accessKeyId) } };
    if (accessKeyId === READER.accessKeyId) return { status: 'found', key: { ...READER, principal: user('reader', accessKeyId) } };
    return { status: 'unknown' };
  },
  async authorize(principal, request) {
    const refused = principal.arn.endsWith('/reader')
      && (request.action === 'iam:CreateUser' || request.resource.endsWith(':cluster/secret'));
    return refused
      ? { allowed: false, message: `User: ${principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource}` }
      : { allowed: true };
  },
};

const seen: { operation: string; input: unknown; principal: string; region: string }[] = [];

const ecs: ServiceDefinition<EcsOperations> = {
  model: ecsModel,
  iamPrefix: 'ecs',
  validationError: (violations) => new AwsError('InvalidParameterException', coralValidationMessage(violations)),
  operations: {
    ListClusters: {
      async handler(input: ListClustersRequest, ctx): Promise<ListClustersResponse> {
        seen.push({ operation: 'ListClusters', input, principal: ctx.principal.arn, region: ctx.region });
        return { clusterArns: [`arn:aws:ecs:${ctx.region}:${ctx.account}:cluster/a`] };
      },
    },
    DescribeClusters: {
      authorization: { resources: (input, ctx) => (input.clusters ?? []).map((c) => `arn:aws:ecs:${ctx.region}:${ctx.account}:cluster/${c}`) },
      async handler(input) {
        return { clusters: (input.clusters ?? []).map((clusterName) => ({ clusterName })), failures: [] };
      },
    },
  },
};

const iam: ServiceDefinition<IamOperations> = {
  model: iamModel,
  iamPrefix: 'iam',
  validationError: (violations) => new AwsError('ValidationError', coralValidationMessage(violations)),
  operations: {
    CreateUser: {
      authorization: { resources: (input, ctx) => [`arn:aws:iam::${ctx.account}:user/${input.UserName ?? ''}`] },
      async handler(input, ctx) {
        seen.push({ operation: 'CreateUser', input, principal: ctx.principal.arn, region: ctx.region });
        return { User: { Path: '/', UserName: input.UserName, UserId: 'AIDAEXAMPLE', Arn: `arn:aws:iam::${ctx.account}:user/${input.UserName}`, CreateDate: new Date(0) } };
      },
    },
    GetUser: {
      async handler() {
        throw new AwsError('NoSuchEntityException', 'The user with name nobody cannot be found.', 404);
      },
    },
  },
};

let url: string;
const stages = new Map<Stage, number>();
const server = createEndpoint({
  services: [ecs as ServiceDefinition, iam as ServiceDefinition],
  authority,
  clock: systemClock,
  unknownKeysAsRoot: false,
  account: ACCOUNT,
  onStage: (stage, ns) => stages.set(stage, (stages.get(stage) ?? 0) + ns),
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const ecsClient = (credentials = ADMIN, region = 'us-east-1') => new ECSClient({ endpoint: url, region, credentials, maxAttempts: 1 });
const iamClient = (credentials = ADMIN) => new IAMClient({ endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 });

/** Asserts the SDK call fails with `name`, HTTP `status`, and a message matching `message`. */
async function refused(call: Promise<unknown>, name: string, status: number, message: RegExp): Promise<void> {
  await assert.rejects(call, (error: Error & { $metadata?: { httpStatusCode?: number } }) => {
    assert.equal(error.name, name, error.message);
    assert.equal(error.$metadata?.httpStatusCode, status);
    assert.match(error.message, message);
    return true;
  });
}

describe('the middleware chain', () => {
  it('serves a signed request to its handler with the principal and region', async () => {
    seen.length = 0;
    const out = await ecsClient(ADMIN, 'eu-west-1').send(new ListClustersCommand({ maxResults: 5 }));
    assert.deepEqual(out.clusterArns, [`arn:aws:ecs:eu-west-1:${ACCOUNT}:cluster/a`]);
    assert.deepEqual(seen, [{ operation: 'ListClusters', input: { maxResults: 5 }, principal: `arn:aws:iam::${ACCOUNT}:user/admin`, region: 'eu-west-1' }]);
    const created = await iamClient().send(new CreateUserCommand({ UserName: 'dev', Tags: [{ Key: 'team', Value: 'a' }] }));
    assert.equal(created.User?.Arn, `arn:aws:iam::${ACCOUNT}:user/dev`);
    assert.equal(created.User?.CreateDate?.getTime(), 0);
  });

  it('refuses a wrong secret and an unknown key as each protocol words it, before any handler runs', async () => {
    seen.length = 0;
    const wrong = { accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'not-it' };
    await refused(ecsClient(wrong).send(new ListClustersCommand({})), 'InvalidSignatureException', 400, /signature we calculated does not match/);
    await refused(iamClient(wrong).send(new CreateUserCommand({ UserName: 'x' })), 'SignatureDoesNotMatch', 403, /signature we calculated does not match/);
    const unknown = { accessKeyId: 'AKIANOBODY0000000001', secretAccessKey: 'x' };
    await refused(ecsClient(unknown).send(new ListClustersCommand({})), 'UnrecognizedClientException', 400, /security token included in the request is invalid/);
    await refused(iamClient(unknown).send(new ListUsersCommand({})), 'InvalidClientTokenId', 403, /security token included in the request is invalid/);
    assert.deepEqual(seen, []);
  });

  it('refuses a region Wharf does not serve and a request signed for another service', async () => {
    await refused(ecsClient(ADMIN, 'xx-nowhere-1').send(new ListClustersCommand({})), 'InvalidSignatureException', 400, /valid region, not 'xx-nowhere-1'/);
    for (const region of ['x_y', 'US-EAST-1', 'a.b']) {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters', 'content-type': 'application/x-amz-json-1.1',
          authorization: `AWS4-HMAC-SHA256 Credential=${ADMIN.accessKeyId}/20261203/${region}/ecs/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
        },
        body: '{}',
      });
      assert.equal(res.status, 400, region);
      assert.match(await res.text(), /valid region/, region);
    }
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters', 'content-type': 'application/x-amz-json-1.1',
        authorization: `AWS4-HMAC-SHA256 Credential=${ADMIN.accessKeyId}/20261203/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=${'0'.repeat(64)}`,
      },
      body: '{}',
    });
    assert.equal(res.status, 400);
    assert.match(await res.text(), /correct service: 'ecs'/);
  });

  it('refuses an unsigned request with MissingAuthenticationToken', async () => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListUsers&Version=2010-05-08' });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /<Code>MissingAuthenticationToken<\/Code>/);
  });

  it('refuses what IAM does not allow, with the API\'s AccessDenied and IAM\'s message, per resource', async () => {
    await refused(iamClient(READER).send(new CreateUserCommand({ UserName: 'x' })), 'AccessDenied', 403, /user\/reader is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user\/x/);
    await refused(ecsClient(READER).send(new DescribeClustersCommand({ clusters: ['open', 'secret'] })), 'AccessDeniedException', 403, /ecs:DescribeClusters on resource: arn:aws:ecs:us-east-1:123456789012:cluster\/secret/);
    const open = await ecsClient(READER).send(new DescribeClustersCommand({ clusters: ['open'] }));
    assert.equal(open.clusters?.[0].clusterName, 'open');
  });

  it('validates against the model after authorization: AWS\'s wording, naming the member', async () => {
    await refused(iamClient().send(new CreateUserCommand({ UserName: 'bad name!' })), 'ValidationError', 400,
      /1 validation error detected: Value 'bad name!' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern/);
    await refused(iamClient().send(new CreateUserCommand({ UserName: undefined as unknown as string })), 'ValidationError', 400, /at 'userName' failed to satisfy constraint: Member must not be null/);
    await refused(ecsClient().send(new ListClustersCommand({ maxResults: 'many' as unknown as number })), 'SerializationException', 400, /maxResults/);
  });

  it('answers modeled errors as the SDK\'s classes, and operations Wharf lacks clearly', async () => {
    await refused(iamClient().send(new GetUserCommand({ UserName: 'nobody' })), 'NoSuchEntityException', 404, /cannot be found/);
    await refused(iamClient().send(new ListUsersCommand({})), 'InvalidAction', 400, /ListUsers is not implemented by Wharf/);
    const res = await fetch(url, { method: 'POST', headers: { 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.NoSuchThing' }, body: '{}' });
    assert.equal(res.status, 400);
    assert.equal((await res.json() as { __type: string }).__type, 'UnknownOperationException');
  });

  it('measures every stage', () => {
    for (const stage of ['route', 'decode', 'authenticate', 'authorize', 'validate', 'handler', 'encode'] as const) {
      assert.ok((stages.get(stage) ?? 0) > 0, `${stage} was timed`);
    }
  });
});

describe('wharf dev\'s easy keys', () => {
  it('lets an unknown key act as the account root, unverified, but holds a known key to its signature', async () => {
    const dev = createEndpoint({ services: [ecs as ServiceDefinition], authority, clock: systemClock, unknownKeysAsRoot: true, account: ACCOUNT });
    await new Promise<void>((resolve) => dev.listen(0, '127.0.0.1', resolve));
    const devUrl = `http://127.0.0.1:${(dev.address() as AddressInfo).port}`;
    try {
      seen.length = 0;
      const test = new ECSClient({ endpoint: devUrl, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
      await test.send(new ListClustersCommand({}));
      assert.equal(seen[0].principal, `arn:aws:iam::${ACCOUNT}:root`);
      const wrong = new ECSClient({ endpoint: devUrl, region: 'us-east-1', credentials: { accessKeyId: ADMIN.accessKeyId, secretAccessKey: 'no' }, maxAttempts: 1 });
      await refused(wrong.send(new ListClustersCommand({})), 'InvalidSignatureException', 400, /does not match/);
    } finally {
      await new Promise<void>((resolve) => dev.close(() => resolve()));
    }
  });
});
