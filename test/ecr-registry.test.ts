/**
 * The ECR steps users know, against a real `wharf dev` on its own port: the AWS CLI v2 creates
 * a repository and hands out the login password, docker logs in, pushes and pulls, the ECR
 * API lists what docker pushed, and a task whose image is named in ECR's own host form
 * (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`) runs, pulled from Wharf's registry.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  BatchCheckLayerAvailabilityCommand, BatchDeleteImageCommand, BatchGetImageCommand, CompleteLayerUploadCommand, CreateRepositoryCommand,
  DeleteLifecyclePolicyCommand, DescribeImageScanFindingsCommand, DescribeImagesCommand, ECRClient, GetAuthorizationTokenCommand,
  GetDownloadUrlForLayerCommand, InitiateLayerUploadCommand, PutImageCommand, PutImageTagMutabilityCommand, PutLifecyclePolicyCommand,
  StartImageScanCommand, UploadLayerPartCommand,
} from '@aws-sdk/client-ecr';
import { createHash } from 'node:crypto';
import { CreateClusterCommand, DescribeTasksCommand, ECSClient, RegisterTaskDefinitionCommand, RunTaskCommand, waitUntilTasksRunning } from '@aws-sdk/client-ecs';
import { awsCliEnv, credentials, startDev, type WharfProcess } from './support/wharf.ts';
import { TEST_IMAGE, docker, removeClusterContainers } from './support/docker.ts';

const run = promisify(execFile);
const REGION = 'ap-northeast-2';
const ACCOUNT = '123456789012';

let wharf: WharfProcess;
let host: string;
let dockerConfig: string;
const clusters: string[] = [];
const localImages: string[] = [];

const awsEnv = awsCliEnv;

/** `aws --endpoint-url <wharf> --region ap-northeast-2 ecr ...`, its stdout. */
async function awsEcr(...args: string[]): Promise<string> {
  const { stdout } = await run('/usr/bin/aws', ['--endpoint-url', wharf.url, '--region', REGION, '--output', 'json', 'ecr', ...args], { env: awsEnv });
  return stdout;
}

/** The docker CLI with this file's own login state (its DOCKER_CONFIG). */
function dockerAs(args: string[], input?: string): string {
  return execFileSync('docker', args, { encoding: 'utf8', input, env: { ...process.env, DOCKER_CONFIG: dockerConfig }, stdio: ['pipe', 'pipe', 'pipe'] }).trim();
}

before(async () => {
  wharf = await startDev();
  host = new URL(wharf.url).host;
  dockerConfig = mkdtempSync(join(tmpdir(), 'wharf-docker-config-'));
});

after(async () => {
  for (const arn of clusters) removeClusterContainers(arn);
  for (const image of localImages) {
    try {
      docker('rmi', '-f', image);
    } catch {
      // already gone
    }
  }
  rmSync(dockerConfig, { recursive: true, force: true });
  await wharf?.stop();
});

describe('ECR with docker and the AWS CLI', () => {
  it('create-repository, get-login-password | docker login, push, pull, and DescribeImages sees it', async () => {
    const created = JSON.parse(await awsEcr('create-repository', '--repository-name', 'my-sample-app'));
    assert.equal(created.repository.repositoryUri, `${host}/my-sample-app`);
    assert.equal(created.repository.repositoryArn, `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/my-sample-app`);

    const password = (await awsEcr('get-login-password')).trim();
    assert.match(dockerAs(['login', '--username', 'AWS', '--password-stdin', host], password), /Login Succeeded/);

    const ref = `${host}/my-sample-app:latest`;
    localImages.push(ref);
    docker('tag', TEST_IMAGE, ref);
    dockerAs(['push', ref]);
    docker('rmi', ref);
    dockerAs(['pull', ref]);
    assert.ok(docker('image', 'inspect', ref, '--format', '{{.Id}}'));

    const ecr = new ECRClient({ endpoint: wharf.url, region: REGION, credentials });
    const { imageDetails } = await ecr.send(new DescribeImagesCommand({ repositoryName: 'my-sample-app' }));
    assert.equal(imageDetails?.length, 1);
    assert.deepEqual(imageDetails![0].imageTags, ['latest']);
    assert.ok((imageDetails![0].imageSizeInBytes ?? 0) > 0);
    assert.match(imageDetails![0].imageDigest!, /^sha256:[0-9a-f]{64}$/);
  });

  it('refuses a push without a login', () => {
    const ref = `${host}/my-sample-app:anonymous`;
    localImages.push(ref);
    docker('tag', TEST_IMAGE, ref);
    const empty = mkdtempSync(join(tmpdir(), 'wharf-docker-anon-'));
    try {
      assert.throws(
        () => execFileSync('docker', ['push', ref], { encoding: 'utf8', env: { ...process.env, DOCKER_CONFIG: empty }, stdio: ['pipe', 'pipe', 'pipe'] }),
        (error: { stderr?: string }) => /no basic auth credentials|unauthorized/i.test(String(error.stderr)),
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('runs a task whose image is named in the ECR host form, pulled from the registry with the control plane\'s credentials', async () => {
    await awsEcr('create-repository', '--repository-name', 'team/worker');
    const password = (await awsEcr('get-login-password')).trim();
    dockerAs(['login', '--username', 'AWS', '--password-stdin', host], password);
    const tag = `v${Date.now()}`;
    const pushed = `${host}/team/worker:${tag}`;
    docker('tag', TEST_IMAGE, pushed);
    dockerAs(['push', pushed]);
    docker('rmi', pushed); // only the registry has it under this name now: the agent must pull it
    localImages.push(pushed);

    const ecs = new ECSClient({ endpoint: wharf.url, region: REGION, credentials });
    const { cluster } = await ecs.send(new CreateClusterCommand({ clusterName: `ecr-${Date.now()}` }));
    clusters.push(cluster!.clusterArn!);
    const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/team/worker:${tag}`;
    await ecs.send(new RegisterTaskDefinitionCommand({
      family: 'worker',
      containerDefinitions: [{ name: 'worker', image, memory: 32, essential: true, command: ['sleep', '300'], stopTimeout: 2 }],
    }));
    const { tasks, failures } = await ecs.send(new RunTaskCommand({ cluster: cluster!.clusterName, taskDefinition: 'worker' }));
    assert.deepEqual(failures, []);
    await waitUntilTasksRunning({ client: ecs, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { cluster: cluster!.clusterName, tasks: [tasks![0].taskArn!] });
    const described = await ecs.send(new DescribeTasksCommand({ cluster: cluster!.clusterName, tasks: [tasks![0].taskArn!] }));
    const task = described.tasks![0];
    assert.equal(task.lastStatus, 'RUNNING');
    assert.equal(task.containers![0].image, image, 'the task shows the image as the task definition names it');
    const running = docker('inspect', task.containers![0].runtimeId!, '--format', '{{.Config.Image}}');
    assert.equal(running, pushed, 'the container runs the image pulled from Wharf\'s registry');
  });

  it('scans on push against an imported OSV feed and reports the finding', async () => {
    const ecr = new ECRClient({ endpoint: wharf.url, region: REGION, credentials });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'scanned', imageScanningConfiguration: { scanOnPush: true } }));
    const work = mkdtempSync(join(tmpdir(), 'wharf-scan-'));
    try {
      const feed = join(work, 'feed.json');
      writeFileSync(feed, JSON.stringify([{
        id: 'DSA-0000-1', summary: 'openssl: a test advisory', modified: '2026-01-01T00:00:00Z',
        affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }] }],
        database_specific: { severity: 'high' },
      }]));
      const imported = execFileSync('node', ['bin/wharf.js', 'import-osv-feed', feed, '--server', wharf.url], { encoding: 'utf8', env: awsCliEnv });
      assert.match(imported, /imported 1 advisories/);

      writeFileSync(join(work, 'status'), 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u1\n\n');
      writeFileSync(join(work, 'os-release'), 'ID=debian\nVERSION_ID="12"\n');
      writeFileSync(join(work, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY status /var/lib/dpkg/status\nCOPY os-release /etc/os-release\n`);
      const ref = `${host}/scanned:1`;
      localImages.push(ref);
      execFileSync('docker', ['build', '-q', '-t', ref, work], { env: { ...process.env, DOCKER_BUILDKIT: '0' }, stdio: ['pipe', 'pipe', 'pipe'] });
      dockerAs(['login', '--username', 'AWS', '--password-stdin', host], (await awsEcr('get-login-password')).trim());
      dockerAs(['push', ref]);

      let findings;
      for (let i = 0; i < 100; i++) {
        try {
          const r = await ecr.send(new DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId: { imageTag: '1' } }));
          if (r.imageScanStatus?.status === 'COMPLETE') {
            findings = r.imageScanFindings;
            break;
          }
          assert.equal(r.imageScanStatus?.status, 'IN_PROGRESS');
        } catch (error) {
          assert.equal((error as Error).name, 'ScanNotFoundException'); // not started yet
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(findings, 'the scan completed');
      assert.deepEqual(findings.findings?.map((f) => [f.name, f.severity]), [['DSA-0000-1', 'HIGH']]);
      assert.deepEqual(findings.findingSeverityCounts, { HIGH: 1 });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('uploads layers and puts an image through the ECR API, serves it to docker, and keeps immutable tags', async () => {
    const ecr = new ECRClient({ endpoint: wharf.url, region: REGION, credentials });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'api-built' }));
    const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
    /** Uploads `bytes` in two parts with the layer APIs; returns its digest. */
    const upload = async (bytes: Buffer): Promise<string> => {
      const { uploadId } = await ecr.send(new InitiateLayerUploadCommand({ repositoryName: 'api-built' }));
      const half = Math.floor(bytes.length / 2);
      await ecr.send(new UploadLayerPartCommand({ repositoryName: 'api-built', uploadId, partFirstByte: 0, partLastByte: half - 1, layerPartBlob: bytes.subarray(0, half) }));
      await ecr.send(new UploadLayerPartCommand({ repositoryName: 'api-built', uploadId, partFirstByte: half, partLastByte: bytes.length - 1, layerPartBlob: bytes.subarray(half) }));
      const done = await ecr.send(new CompleteLayerUploadCommand({ repositoryName: 'api-built', uploadId, layerDigests: [sha(bytes)] }));
      assert.equal(done.layerDigest, sha(bytes));
      return sha(bytes);
    };
    // The test image's own layer and config, taken from docker, so the image runs.
    const saved = execFileSync('docker', ['save', TEST_IMAGE], { maxBuffer: 64 * 1024 * 1024 });
    const tar = parseTar(saved);
    const manifest = JSON.parse(tar.get('manifest.json')!.toString()) as Array<{ Config: string; Layers: string[] }>;
    const config = tar.get(manifest[0].Config)!;
    const layer = tar.get(manifest[0].Layers[0])!;
    const configDigest = await upload(config);
    const layerDigest = await upload(layer);

    const check = await ecr.send(new BatchCheckLayerAvailabilityCommand({ repositoryName: 'api-built', layerDigests: [layerDigest, `sha256:${'0'.repeat(64)}`] }));
    assert.deepEqual(check.layers?.map((l) => l.layerAvailability), ['AVAILABLE', 'UNAVAILABLE']);

    const imageManifest = JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar', size: layer.length, digest: layerDigest }],
    });
    const put = await ecr.send(new PutImageCommand({ repositoryName: 'api-built', imageManifest, imageTag: 'v1' }));
    assert.equal(put.image?.imageId?.imageDigest, sha(Buffer.from(imageManifest)));
    const got = await ecr.send(new BatchGetImageCommand({ repositoryName: 'api-built', imageIds: [{ imageTag: 'v1' }] }));
    assert.equal(got.images?.[0].imageManifest, imageManifest);

    // GetDownloadUrlForLayer gives a URL the registry serves the layer's bytes from, with a token.
    const { downloadUrl } = await ecr.send(new GetDownloadUrlForLayerCommand({ repositoryName: 'api-built', layerDigest }));
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const res = await fetch(downloadUrl!, { headers: { authorization: `Basic ${authorizationData![0].authorizationToken}` } });
    assert.equal(res.status, 200);
    assert.equal(sha(Buffer.from(await res.arrayBuffer())), layerDigest);

    // docker pulls and runs what the API put together.
    const ref = `${host}/api-built:v1`;
    localImages.push(ref);
    dockerAs(['login', '--username', 'AWS', '--password-stdin', host], (await awsEcr('get-login-password')).trim());
    dockerAs(['pull', ref]);
    assert.equal(docker('run', '--rm', ref, 'cat', '/www/index.html'), 'hello from wharf');

    // Immutable: neither PutImage nor docker push may move the tag.
    await ecr.send(new PutImageTagMutabilityCommand({ repositoryName: 'api-built', imageTagMutability: 'IMMUTABLE' }));
    const other = JSON.stringify({ ...JSON.parse(imageManifest), annotations: { other: 'yes' } });
    await assert.rejects(ecr.send(new PutImageCommand({ repositoryName: 'api-built', imageManifest: other, imageTag: 'v1' })), { name: 'ImageTagAlreadyExistsException' });
    const moved = `${host}/api-built:v1`;
    docker('tag', TEST_IMAGE, moved);
    assert.throws(() => dockerAs(['push', moved]), (error: { stderr?: string }) => /tag invalid|already exists|immutable/i.test(String(error.stderr)));

    await ecr.send(new StartImageScanCommand({ repositoryName: 'api-built', imageId: { imageTag: 'v1' } }));
    await ecr.send(new PutLifecyclePolicyCommand({
      repositoryName: 'api-built',
      lifecyclePolicyText: JSON.stringify({ rules: [{ rulePriority: 1, selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: 14 }, action: { type: 'expire' } }] }),
    }));
    await ecr.send(new DeleteLifecyclePolicyCommand({ repositoryName: 'api-built' }));

    const deleted = await ecr.send(new BatchDeleteImageCommand({ repositoryName: 'api-built', imageIds: [{ imageTag: 'v1' }] }));
    assert.deepEqual(deleted.failures, []);
    assert.deepEqual((await ecr.send(new DescribeImagesCommand({ repositoryName: 'api-built' }))).imageDetails, []);
  });
});

/** The files of an uncompressed tar archive (docker save's output), by name. */
function parseTar(tar: Buffer): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (let at = 0; at + 512 <= tar.length;) {
    const header = tar.subarray(at, at + 512);
    const name = header.subarray(0, 100).toString().replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(header.subarray(124, 136).toString().replace(/\0.*$/s, '').trim() || '0', 8);
    files.set(name, tar.subarray(at + 512, at + 512 + size));
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
