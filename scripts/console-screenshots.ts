/**
 * Takes the screenshots in docs/console/ of the pages not shown elsewhere there: it starts a
 * `wharf dev` of its own, gives it a small world through the AWS SDK (a cluster with a web
 * service, task definitions, a repository with an image, an EventBridge rule and a schedule),
 * and opens each page in Debian's Chromium. Run it after changing those pages:
 *
 *   npx tsx scripts/console-screenshots.ts
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateClusterCommand, CreateServiceCommand, ECSClient, RegisterTaskDefinitionCommand, waitUntilServicesStable } from '@aws-sdk/client-ecs';
import { CreateRepositoryCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { EventBridgeClient, PutRuleCommand } from '@aws-sdk/client-eventbridge';
import { chromium } from 'playwright-core';

const root = new URL('..', import.meta.url).pathname;
const out = join(root, 'docs/console');
const credentials = { accessKeyId: 'AKIASCREENSHOTS00001', secretAccessKey: 'screenshots' };
const region = 'us-east-1';

async function main(): Promise<void> {
  execFileSync('npm', ['run', 'build:console'], { cwd: root, stdio: 'inherit' });
  const child = spawn(process.execPath, [join(root, 'bin/wharf.js'), 'dev', '--port', '0', '--data-dir', mkdtempSync(join(tmpdir(), 'wharf-shots-')), '--no-dns'], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
  const url = await new Promise<string>((resolve) => {
    let text = '';
    child.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      const m = /Wharf ready at (http:\/\/\S+)/.exec(text);
      if (m) resolve(m[1]!);
    });
  });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  try {
    const config = { endpoint: url, region, credentials };
    const ecs = new ECSClient(config);
    await ecs.send(new CreateClusterCommand({ clusterName: 'demo', settings: [{ name: 'containerInsights', value: 'enabled' }] }));
    for (const family of ['web', 'worker']) {
      await ecs.send(new RegisterTaskDefinitionCommand({
        family,
        containerDefinitions: [{ name: family, image: 'wharf-test/busybox:latest', memory: 64, command: ['sh', '-c', 'httpd -p 8080 -h /www; sleep 3600'], portMappings: [{ containerPort: 8080 }] }],
      }));
    }
    await ecs.send(new CreateServiceCommand({ cluster: 'demo', serviceName: 'web', taskDefinition: 'web', desiredCount: 2 }));
    await waitUntilServicesStable({ client: ecs, maxWaitTime: 120 }, { cluster: 'demo', services: ['web'] });
    const ecr = new ECRClient(config);
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'team/web', imageScanningConfiguration: { scanOnPush: true } }));
    const host = new URL(url).host;
    execFileSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', '--dest-creds', `AWS:${await password(ecr)}`, 'docker-daemon:wharf-test/busybox:latest', `docker://${host}/team/web:1.0`]);
    await new EventBridgeClient(config).send(new PutRuleCommand({ Name: 'task-stopped', EventPattern: JSON.stringify({ source: ['aws.ecs'], 'detail-type': ['ECS Task State Change'], detail: { lastStatus: ['STOPPED'] } }) }));

    const page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await page.goto(`${url}/console/`);
    await page.screenshot({ path: join(out, 'sign-in.png') });
    await page.locator('#access-key-id').fill(credentials.accessKeyId);
    await page.locator('#secret-access-key').fill(credentials.secretAccessKey);
    await page.getByTestId('sign-in').click();
    const shots: [string, string, () => Promise<unknown>][] = [
      ['clusters', '/clusters', () => page.getByRole('link', { name: 'demo' }).waitFor()],
      ['cluster', '/clusters/demo', () => page.getByRole('link', { name: 'web' }).first().waitFor()],
      ['task-definitions', '/task-definitions', () => page.getByRole('link', { name: 'worker' }).first().waitFor()],
      ['ecr-repository', '/ecr/repositories/team%2Fweb', () => page.getByText('1.0').first().waitFor()],
      ['event-rules', '/eventbridge/rules', () => page.getByText('task-stopped').first().waitFor()],
    ];
    for (const [name, path, ready] of shots) {
      await page.goto(`${url}/console${path}`);
      await ready().catch(async (error: Error) => {
        await page.screenshot({ path: join(tmpdir(), `wharf-${name}-failed.png`) });
        throw error;
      });
      await page.waitForTimeout(500);
      await page.screenshot({ path: join(out, `${name}.png`) });
    }
    await page.getByRole('button', { name: 'Switch light or dark mode' }).click();
    await page.goto(`${url}/console/clusters/demo`);
    await page.getByRole('link', { name: 'web' }).first().waitFor();
    await page.waitForTimeout(500);
    await page.screenshot({ path: join(out, 'cluster-dark.png') });
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    execFileSync('sh', ['-c', `docker ps -aq --filter label=com.amazonaws.ecs.cluster=arn:aws:ecs:${region}:123456789012:cluster/demo | xargs -r docker rm -f`], { stdio: 'ignore' });
  }
}

async function password(ecr: ECRClient): Promise<string> {
  const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
  return Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString().slice('AWS:'.length);
}

void main();
