/**
 * The control plane's own routes and files, as a hostile neighbour would try them: the root key
 * `wharf server` makes on its first start (its file owner-only, usable by the AWS CLI as it is),
 * owner-only data files, a reset no web page can trigger, and a vulnerability-feed import that
 * needs a signature, IAM's permission and a bounded body.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateClusterCommand, ECSClient, ListClustersCommand } from '@aws-sdk/client-ecs';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { signRequest } from '../src/common/index.ts';
import { awsCliEnv, credentials, ecsClient, region, spawnWharf, startDev, tempDir, type WharfProcess } from './support/wharf.ts';

const run = promisify(execFile);
const ACCOUNT = '123456789012';
const processes: WharfProcess[] = [];
after(async () => {
  for (const p of processes) await p.stop();
});

const mode = (path: string) => statSync(path).mode & 0o777;

describe('wharf server\'s root key and data files', () => {
  let server: WharfProcess;
  let dir: string;
  before(async () => {
    dir = tempDir();
    // No seed in the environment: the server makes the key itself.
    server = await spawnWharf(['server', '--port', '0', '--data-dir', dir], /Wharf server ready at http:\/\//, {
      WHARF_ROOT_ACCESS_KEY_ID: undefined, WHARF_ROOT_SECRET_ACCESS_KEY: undefined,
    });
    processes.push(server);
  });

  it('creates the root key on first start, prints where it is, and keeps it for its owner only', async () => {
    const file = join(dir, 'root-credentials');
    assert.match(server.output(), new RegExp(`root's access key is in ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(created now`));
    assert.equal(mode(file), 0o600);
    assert.equal(mode(dir), 0o700);
    assert.equal(mode(join(dir, 'wharf.db')), 0o600);
    const text = readFileSync(file, 'utf8');
    const id = /aws_access_key_id = (AKIA[A-Z2-7]{16})/.exec(text)?.[1];
    const secret = /aws_secret_access_key = (\S{40})/.exec(text)?.[1];
    assert.ok(id && secret, text);
    const sts = new STSClient({ endpoint: server.url, region, credentials: { accessKeyId: id, secretAccessKey: secret }, maxAttempts: 1 });
    assert.equal((await sts.send(new GetCallerIdentityCommand({}))).Arn, `arn:aws:iam::${ACCOUNT}:root`);
    // The file is an AWS CLI credentials file as it is.
    const { AWS_ACCESS_KEY_ID: _id, AWS_SECRET_ACCESS_KEY: _secret, ...base } = awsCliEnv;
    const env = { ...base, AWS_SHARED_CREDENTIALS_FILE: file, AWS_REGION: region };
    const { stdout } = await run('/usr/bin/aws', ['--endpoint-url', server.url, '--output', 'json', 'sts', 'get-caller-identity'], { env });
    assert.equal(JSON.parse(stdout).Arn, `arn:aws:iam::${ACCOUNT}:root`);
    // The tests' usual key is nobody here.
    await assert.rejects(ecsClient(server.url).send(new ListClustersCommand({})), { name: 'UnrecognizedClientException' });
  });

  it('keeps the same key over a restart and does not write the file again', async () => {
    const before = readFileSync(join(dir, 'root-credentials'), 'utf8');
    await server.stop();
    server = await spawnWharf(['server', '--port', '0', '--data-dir', dir], /Wharf server ready at http:\/\//, {
      WHARF_ROOT_ACCESS_KEY_ID: undefined, WHARF_ROOT_SECRET_ACCESS_KEY: undefined,
    });
    processes.push(server);
    assert.doesNotMatch(server.output(), /created now/);
    assert.equal(readFileSync(join(dir, 'root-credentials'), 'utf8'), before);
  });
});

describe('operator routes of wharf dev', () => {
  let dev: WharfProcess;
  before(async () => {
    dev = await startDev();
    processes.push(dev);
    await ecsClient(dev.url).send(new CreateClusterCommand({ clusterName: 'keep-me' }));
  });

  it('/metrics: Wharf\'s own metrics in Prometheus text — API calls by operation and status, latency, store transactions, agent links', async () => {
    const ecs = ecsClient(dev.url);
    await ecs.send(new ListClustersCommand({}));
    await assert.rejects(ecs.send(new CreateClusterCommand({ clusterName: 'bad name!' })));
    const res = await fetch(`${dev.url}/metrics`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    assert.match(text, /^wharf_api_requests_total\{service="ecs",operation="ListClusters",status="200"\} [1-9]\d*$/m);
    assert.match(text, /^wharf_api_requests_total\{service="ecs",operation="CreateCluster",status="400"\} 1$/m);
    assert.match(text, /^wharf_api_request_duration_seconds_count\{service="ecs",operation="ListClusters"\} [1-9]/m);
    assert.match(text, /^wharf_store_txn_duration_seconds_count\{outcome="committed"\} [1-9]/m);
    assert.match(text, /^wharf_agent_links\{state="registered"\} 1$/m, 'wharf dev\'s own agent');
  });

  const clusters = async () => (await ecsClient(dev.url).send(new ListClustersCommand({}))).clusterArns ?? [];

  it('refuses a reset a web page could send: a simple (text/plain) POST, or one from another origin', async () => {
    const simple = await fetch(`${dev.url}/_wharf/reset`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
    assert.equal(simple.status, 415);
    const foreign = await fetch(`${dev.url}/_wharf/reset`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' } });
    assert.equal(foreign.status, 403);
    const crossSite = await fetch(`${dev.url}/_wharf/reset`, { method: 'POST', headers: { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site' } });
    assert.equal(crossSite.status, 403);
    assert.ok((await clusters()).some((arn) => arn.endsWith('/keep-me')), 'nothing was wiped');
  });

  it('imports a vulnerability feed only when signed by a principal IAM allows, and refuses an oversized body unread', async () => {
    const url = new URL('/_wharf/registry/osv-feed', dev.url);
    const body = '[]';
    const unsigned = await fetch(url, { method: 'PUT', body });
    assert.equal(unsigned.status, 400);
    assert.equal((await unsigned.json() as { __type: string }).__type, 'MissingAuthenticationTokenException');

    const iam = new IAMClient({ endpoint: dev.url, region, credentials, maxAttempts: 1 });
    await iam.send(new CreateUserCommand({ UserName: 'no-feed' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'no-feed' }));
    const user = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
    const refused = await fetch(url, { method: 'PUT', body, headers: await signRequest({ method: 'PUT', url, body, credentials: user, region, service: 'ecr' }) });
    assert.equal(refused.status, 400);
    assert.match(await refused.text(), /AccessDeniedException.*user\/no-feed is not authorized to perform: wharf:ImportVulnerabilityFeed/);

    const wrong = await fetch(url, { method: 'PUT', body, headers: await signRequest({ method: 'PUT', url, body, credentials: { ...user, secretAccessKey: 'x'.repeat(40) }, region, service: 'ecr' }) });
    assert.equal(wrong.status, 400);
    assert.match(await wrong.text(), /InvalidSignatureException/);

    const ok = await fetch(url, { method: 'PUT', body, headers: await signRequest({ method: 'PUT', url, body, credentials, region, service: 'ecr' }) });
    assert.equal(ok.status, 200);

    // A declared length over the limit is refused before any of the body is read.
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: 'PUT', headers: { 'content-length': String(300 * 1024 * 1024) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('[');
    });
    assert.equal(status, 413);
  });

  it('still answers the API after all that', async () => {
    const ecs = new ECSClient({ endpoint: dev.url, region, credentials, maxAttempts: 1 });
    assert.ok((await ecs.send(new ListClustersCommand({}))).clusterArns?.some((arn) => arn.endsWith('/keep-me')));
  });
});
