/**
 * The web console in Debian's Chromium against a real `wharf dev` (IAM enforced): sign in with a
 * key pair, work with clusters, task definitions, services, tasks, logs and images as a user of
 * the AWS console does, and see changes made elsewhere (the CLI, docker) appear without a reload.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, DescribeRepositoriesCommand, ECRClient, GetAuthorizationTokenCommand } from '@aws-sdk/client-ecr';
import { CloudWatchLogsClient, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeTaskDefinitionCommand, DescribeTasksCommand, ECSClient, ListTaskDefinitionsCommand, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput,
} from '@aws-sdk/client-ecs';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Browser, Locator, Page } from 'playwright-core';
import { browserForTests, newPage, noPageErrors, signIn } from './support/browser.ts';
import { docker, removeClusterContainers, TEST_IMAGE } from './support/docker.ts';
import { until } from './support/services.ts';
import { awsCliEnv, credentials, region, startDev, type WharfProcess } from './support/wharf.ts';

const browserOf = browserForTests();
const work = mkdtempSync(join(tmpdir(), 'wharf-console-'));
const localImages: string[] = [];
let wharf: WharfProcess;
let browser: Browser;
const clusterArns: string[] = [];

before(async () => {
  wharf = await startDev(undefined, ['--enforce-iam', '--no-dns']);
  browser = await browserOf();
});
after(async () => {
  await wharf?.stop();
  for (const arn of clusterArns) removeClusterContainers(arn);
  for (const image of localImages) spawnSync('docker', ['rmi', '-f', image]);
  rmSync(work, { recursive: true, force: true });
});

const ecs = () => new ECSClient({ endpoint: wharf.url, region, credentials });

/** A web container answering on 8080 and printing `version` to its awslogs stream every second. */
function webDefinition(version: string) {
  return {
    family: 'console-web',
    containerDefinitions: [{
      name: 'web', image: TEST_IMAGE, memory: 64, essential: true, stopTimeout: 2,
      command: ['sh', '-c', `httpd -p 8080 -h /www; while true; do echo "${version} $(date +%s)"; sleep 1; done`],
      portMappings: [{ containerPort: 8080 }],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/console-web', 'awslogs-create-group': 'true', 'awslogs-region': region, 'awslogs-stream-prefix': 'web' },
      },
    }],
  };
}

/** Whether the keyboard's focus is in `target` (a control or the element wrapping it). */
const hasFocus = (target: Locator) => target.evaluate((el) => el.contains(document.activeElement));

/** Waits until the keyboard's focus is in `target`. */
async function focused(target: Locator): Promise<void> {
  for (let i = 0; i < 50 && !(await hasFocus(target)); i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(await hasFocus(target), 'the focus moved there');
}

/** Presses Tab, as a keyboard user does, until the focus is in `target` (at most 100 times). */
async function tabTo(page: Page, target: Locator): Promise<void> {
  await target.waitFor();
  for (let i = 0; i < 100; i++) {
    if (await hasFocus(target)) return;
    await page.keyboard.press('Tab');
  }
  assert.fail('Tab never reached the control');
}

async function rootPage(): Promise<{ page: Page; errors: string[] }> {
  const opened = await newPage(browser);
  await signIn(opened.page, wharf.url, credentials);
  return opened;
}

describe('the web console', { timeout: 600_000 }, () => {
  it('signs in with a key pair and shows the account; creates a cluster, which the list shows', async () => {
    const { page, errors } = await rootPage();
    await page.getByRole('button', { name: /Account 123456789012/ }).waitFor();
    await page.getByRole('link', { name: 'Create cluster' }).click();
    await page.locator('#cluster-name').fill('console-web');
    await page.getByTestId('create-cluster').click();
    await page.getByRole('heading', { name: 'console-web', level: 1 }).waitFor();
    clusterArns.push(`arn:aws:ecs:${region}:123456789012:cluster/console-web`);
    await page.getByRole('link', { name: 'Clusters' }).first().click();
    await page.getByTestId('clusters').getByRole('link', { name: 'console-web' }).waitFor();
    noPageErrors(errors);
  });

  it('registers a task definition in the JSON editor, showing ECS\'s validation error inline first', async () => {
    const { page, errors } = await rootPage();
    await page.goto(`${wharf.url}/console/task-definitions/create`);
    const editor = page.locator('#task-definition-json');
    await editor.fill(JSON.stringify({ family: 'console-web', containerDefinitions: [{ name: 'web', image: '', memory: 64 }] }, null, 2));
    await page.getByTestId('create-task-definition').click();
    await page.getByTestId('editor-error').getByText('Container.image should not be null or empty.').waitFor();
    const { taskDefinitionArns } = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: 'console-web' }));
    assert.deepEqual(taskDefinitionArns, [], 'nothing registered');

    await editor.fill(JSON.stringify(webDefinition('v1'), null, 2));
    await page.getByTestId('create-task-definition').click();
    await page.waitForURL(/\/console\/task-definitions\/console-web\/1$/);
    await page.getByRole('heading', { name: /console-web:1/ }).waitFor();
    noPageErrors(errors);
  });

  it('creates a service in the form and follows it live: steady state, logs, a killed container replaced, a new revision rolled out', async () => {
    const { page, errors } = await rootPage();
    await page.goto(`${wharf.url}/console/clusters/console-web/create-service`);
    await page.locator('#service-name').fill('web');
    await page.getByTestId('family').click();
    await page.getByRole('option', { name: 'console-web' }).click();
    await page.locator('#desired-count').fill('2');
    await page.getByTestId('submit-service').click();
    await page.waitForURL(/\/console\/clusters\/console-web\/services\/web$/);
    // Nothing below reloads the page: a mark set now must still be there at the end.
    await page.evaluate(() => ((window as unknown as { mark: string }).mark = 'not reloaded'));
    await page.getByTestId('task-counts').getByText('2 running · 0 pending · 2 desired').waitFor({ timeout: 120_000 });
    await page.getByRole('tab', { name: 'Events' }).click();
    await page.getByRole('tabpanel').getByTestId('events').getByText(/has reached a steady state/).waitFor({ timeout: 60_000 });

    // A container killed under the service: its replacement shows up in the service's tasks.
    const tasksTab = page.getByRole('tab', { name: 'Tasks' });
    await tasksTab.click();
    const shown = async () => (await page.getByRole('tabpanel').getByTestId('tasks').getByRole('link').allInnerTexts()).filter((t) => /^[0-9a-f]{32}$/.test(t)).sort();
    await until('both tasks listed', async () => ((await shown()).length === 2 ? true : undefined));
    const before = await shown();
    const victim = docker('ps', '-q', '--filter', `label=com.amazonaws.ecs.task-arn=arn:aws:ecs:${region}:123456789012:task/console-web/${before[0]}`);
    assert.ok(victim, 'the task has a container');
    docker('kill', victim);
    await until('a replacement task listed', async () => {
      const now = await shown();
      return now.length === 2 && !now.includes(before[0]!) && now.includes(before[1]!) ? true : undefined;
    }, 120_000);

    // Its logs, and new lines as they are written.
    const survivor = before[1]!;
    await page.getByRole('tabpanel').getByTestId('tasks').getByRole('link', { name: survivor }).click();
    await page.waitForURL(new RegExp(`/tasks/${survivor}`));
    await page.getByRole('tab', { name: 'Logs' }).click();
    const lines = page.getByTestId('log-event');
    await until('v1 lines shown', async () => ((await lines.count()) >= 2 ? true : undefined), 60_000);
    const first = await lines.count();
    await until('newer lines shown live', async () => ((await lines.count()) >= first + 2 ? true : undefined), 60_000);
    assert.match(await lines.last().innerText(), /v1 \d+/);

    // A new revision rolled out from the update form, followed to completion.
    await ecs().send(new RegisterTaskDefinitionCommand(webDefinition('v2') as RegisterTaskDefinitionCommandInput));
    await page.goBack();
    await page.getByTestId('update-service').click();
    await page.getByTestId('revision').click();
    await page.getByRole('option', { name: /console-web:2/ }).click();
    await page.getByTestId('submit-service').click();
    await page.waitForURL(/\/services\/web$/);
    // (Cloudscape names each tab by its id too: the table is the one in the tab's panel.)
    const deployments = page.getByRole('tabpanel').getByTestId('deployments');
    await deployments.getByText('console-web:2').waitFor();
    await until('the rollout completed', async () => {
      const text = await deployments.innerText();
      return /console-web:2/.test(text) && !/console-web:1/.test(text) && /COMPLETED/.test(text) ? true : undefined;
    }, 180_000);
    await page.getByTestId('task-counts').getByText('2 running · 0 pending · 2 desired').waitFor({ timeout: 60_000 });
    assert.equal(await page.evaluate(() => (window as unknown as { mark?: string }).mark), 'not reloaded');
    noPageErrors(errors);
  });

  it("browses an image's scan findings, pushed with docker and scanned against an imported feed", async () => {
    const ecr = new ECRClient({ endpoint: wharf.url, region, credentials });
    await ecr.send(new CreateRepositoryCommand({ repositoryName: 'console/scanned', imageScanningConfiguration: { scanOnPush: true } }));
    const feed = join(work, 'feed.json');
    writeFileSync(feed, JSON.stringify([{
      id: 'DSA-0000-9', summary: 'openssl: an advisory the console shows', modified: '2026-01-01T00:00:00Z',
      affected: [{ package: { ecosystem: 'Debian:12', name: 'openssl' }, ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.13-1~deb12u1' }] }] }],
      database_specific: { severity: 'high' },
    }]));
    execFileSync('node', ['bin/wharf.js', 'import-osv-feed', feed, '--server', wharf.url], { env: awsCliEnv });
    const context = join(work, 'image');
    mkdirSync(context);
    writeFileSync(join(context, 'status'), 'Package: openssl\nStatus: install ok installed\nVersion: 3.0.11-1~deb12u1\n\n');
    writeFileSync(join(context, 'os-release'), 'ID=debian\nVERSION_ID="12"\n');
    writeFileSync(join(context, 'Dockerfile'), `FROM ${TEST_IMAGE}\nCOPY status /var/lib/dpkg/status\nCOPY os-release /etc/os-release\n`);
    const host = new URL(wharf.url).host;
    const ref = `${host}/console/scanned:1`;
    localImages.push(ref);
    const dockerEnv = { ...process.env, DOCKER_CONFIG: join(work, 'docker'), DOCKER_BUILDKIT: '0' };
    execFileSync('docker', ['build', '-q', '-t', ref, context], { env: dockerEnv, stdio: 'pipe' });
    const { authorizationData } = await ecr.send(new GetAuthorizationTokenCommand({}));
    const password = Buffer.from(authorizationData![0]!.authorizationToken!, 'base64').toString().slice('AWS:'.length);
    execFileSync('docker', ['login', '--username', 'AWS', '--password-stdin', host], { env: dockerEnv, input: password, stdio: 'pipe' });
    execFileSync('docker', ['push', ref], { env: dockerEnv, stdio: 'pipe' });

    const { page, errors } = await rootPage();
    await page.goto(`${wharf.url}/console/ecr/repositories`);
    await page.getByTestId('repositories').getByRole('link', { name: 'console/scanned' }).click();
    const digest = page.getByRole('tabpanel').getByTestId('images').getByRole('link', { name: /^sha256:/ });
    await digest.click();
    await page.getByTestId('scan-status').getByText(/Complete/i).waitFor({ timeout: 60_000 });
    const finding = page.getByTestId('findings').getByRole('row', { name: /DSA-0000-9/ });
    await finding.waitFor();
    assert.match(await finding.innerText(), /HIGH/);
    assert.match(await finding.innerText(), /openssl/);
    noPageErrors(errors);
  });

  it('works by keyboard alone: Tab reaches the actions, a modal takes the focus, Enter in its field submits it, Escape dismisses it', async () => {
    const { page, errors } = await rootPage();
    await page.goto(`${wharf.url}/console/ecr/repositories`);
    await page.getByTestId('repositories').waitFor();
    await tabTo(page, page.getByTestId('create-repository'));
    await page.keyboard.press('Enter');
    await focused(page.getByTestId('create-repository-modal'));
    await tabTo(page, page.getByTestId('repository-name'));
    await page.keyboard.type('console/keyboard');
    await page.keyboard.press('Enter');
    const link = page.getByTestId('repositories').getByRole('link', { name: 'console/keyboard' });
    await link.waitFor();
    const ecr = new ECRClient({ endpoint: wharf.url, region, credentials });
    assert.equal((await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: ['console/keyboard'] }))).repositories?.length, 1);

    await tabTo(page, page.getByTestId('create-repository'));
    await page.keyboard.press('Enter');
    await focused(page.getByTestId('create-repository-modal'));
    await page.keyboard.press('Escape');
    await page.getByTestId('repository-name').waitFor({ state: 'detached' });

    await tabTo(page, link);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'console/keyboard', level: 1 }).waitFor();
    noPageErrors(errors);
  });

  it("acts through its dialogs: AWS's error shown in the dialog, which stays open; create and delete a log group; run a task and stop it; deregister", async () => {
    const { page, errors } = await rootPage();
    const logs = new CloudWatchLogsClient({ endpoint: wharf.url, region, credentials });
    await page.goto(`${wharf.url}/console/cloudwatch/log-groups`);
    await page.getByTestId('create-log-group').click();
    await page.getByTestId('log-group-name').locator('input').fill('bad name!');
    await page.getByTestId('create-log-group-submit').click();
    await page.getByTestId('api-error').getByText(/logGroupName/).waitFor();
    await page.getByTestId('log-group-name').locator('input').fill('/console/dialogs');
    await page.getByTestId('create-log-group-submit').click();
    const row = page.getByTestId('log-groups').getByRole('row', { name: /\/console\/dialogs/ });
    await row.waitFor();
    await row.getByRole('radio').check({ force: true });
    await page.getByTestId('delete-log-group').click();
    await page.getByTestId('delete-log-group-submit').click();
    await row.waitFor({ state: 'detached' });
    assert.deepEqual((await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/console/dialogs' }))).logGroups, []);

    const definition: RegisterTaskDefinitionCommandInput = {
      family: 'console-dialogs', containerDefinitions: [{ name: 'sleeper', image: TEST_IMAGE, memory: 32, essential: true, command: ['sleep', '600'], stopTimeout: 2 }],
    };
    await ecs().send(new RegisterTaskDefinitionCommand(definition));
    await page.goto(`${wharf.url}/console/task-definitions/console-dialogs/1`);
    await page.getByTestId('run-task').click();
    await page.getByTestId('run-cluster').getByRole('button').click();
    await page.getByRole('option', { name: 'console-web' }).click();
    await page.getByTestId('confirm-run').click();
    const started = page.getByTestId('run-result').getByRole('link');
    await started.waitFor();
    await started.click();
    await page.getByTestId('stop-task').click();
    await page.getByTestId('confirm-stop').click();
    await page.getByTestId('stopped-reason').getByText(/Task stopped/).waitFor({ timeout: 60_000 });
    const { tasks } = await ecs().send(new DescribeTasksCommand({ cluster: 'console-web', tasks: [page.url().split('/').pop()!] }));
    assert.equal(tasks?.[0]?.stoppedReason, 'Stopped from the Wharf console');

    await page.goto(`${wharf.url}/console/task-definitions/console-dialogs/1`);
    await page.getByTestId('deregister').click();
    await page.getByTestId('confirm-deregister').click();
    await page.getByTestId('deregister-modal').waitFor({ state: 'detached' });
    await until('the revision INACTIVE', async () =>
      ((await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: 'console-dialogs:1' }))).taskDefinition?.status === 'INACTIVE' ? true : undefined), 5_000);
    noPageErrors(errors);
  });

  it('a refused sign-in and a key without permissions see AWS\'s messages, not a blank page', async () => {
    const { page, errors } = await newPage(browser);
    await page.goto(`${wharf.url}/console/`);
    await page.locator('#access-key-id').fill('AKIANOSUCHKEY0000000');
    await page.locator('#secret-access-key').fill('wrong');
    await page.getByTestId('sign-in').click();
    await page.getByText(/The security token included in the request is invalid|InvalidClientTokenId/).waitFor();

    const iam = new IAMClient({ endpoint: wharf.url, region, credentials });
    await iam.send(new CreateUserCommand({ UserName: 'no-permissions' }));
    const { AccessKey } = await iam.send(new CreateAccessKeyCommand({ UserName: 'no-permissions' }));
    await signIn(page, wharf.url, { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! });
    const denied = page.getByTestId('api-error');
    await denied.waitFor();
    assert.match(await denied.innerText(), /AccessDenied.*not authorized to perform: ecs:ListClusters/s);
    noPageErrors(errors);
  });
});
