/**
 * The web console in Debian's Chromium against a real `wharf dev` (IAM enforced): sign in with a
 * key pair, work with clusters, task definitions, services, tasks, logs and images as a user of
 * the AWS console does, and see changes made elsewhere (the CLI, docker) appear without a reload.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ECSClient, ListTaskDefinitionsCommand } from '@aws-sdk/client-ecs';
import { CreateAccessKeyCommand, CreateUserCommand, IAMClient } from '@aws-sdk/client-iam';
import type { Browser, Page } from 'playwright-core';
import { browserForTests, newPage, noPageErrors, signIn } from './support/browser.ts';
import { removeClusterContainers, TEST_IMAGE } from './support/docker.ts';
import { credentials, region, startDev, type WharfProcess } from './support/wharf.ts';

const browserOf = browserForTests();
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
