import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { containerEnvironment, definitionToRun, endpointVariables } from './task-environment.ts';
import { newTask } from './task-lifecycle.ts';

describe('a container’s environment', () => {
  const added = endpointVariables({ credentialsId: 'c-1', metadataId: 'm-1', region: 'eu-west-1', launchType: 'EC2' });

  it('names the task’s endpoints, the region and Wharf’s endpoint as ECS names them', () => {
    assert.deepEqual(added, {
      AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '/v2/credentials/c-1',
      ECS_CONTAINER_METADATA_URI: 'http://169.254.170.2/v3/m-1',
      ECS_CONTAINER_METADATA_URI_V4: 'http://169.254.170.2/v4/m-1',
      AWS_EXECUTION_ENV: 'AWS_ECS_EC2',
      AWS_REGION: 'eu-west-1',
      AWS_DEFAULT_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL: 'http://169.254.170.2',
    });
    const fargate = endpointVariables({ metadataId: 'm', region: 'us-east-1', launchType: 'FARGATE' });
    assert.equal(fargate.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, undefined, 'no task role, no credentials URI');
    assert.equal(fargate.AWS_EXECUTION_ENV, 'AWS_ECS_FARGATE');
  });

  it('lets the definition’s own values win over the agent’s, and secrets over both', () => {
    const env = containerEnvironment(
      { name: 'app', environment: [{ name: 'AWS_ENDPOINT_URL', value: 'http://mine' }, { name: 'MODE', value: 'x' }, { name: 'TOKEN', value: 'plain' }] },
      added,
      { TOKEN: 's3cret' },
    );
    const byName = Object.fromEntries(env.map((e) => [e.name, e.value]));
    assert.equal(byName.AWS_ENDPOINT_URL, 'http://mine');
    assert.equal(byName.MODE, 'x');
    assert.equal(byName.TOKEN, 's3cret');
    assert.equal(byName.AWS_REGION, 'eu-west-1');
    assert.equal(env.filter((e) => e.name === 'TOKEN').length, 1);
  });

  it('runs a definition with its secrets in its environment and its secret log options beside the others', () => {
    const t = newTask({
      taskArn: 'arn:aws:ecs:eu-west-1:123456789012:task/c/abc', clusterArn: 'c', containerInstanceArn: 'ci', desiredStatus: 'RUNNING', containerArns: {},
      spec: { family: 'f', revision: 1, networkMode: 'bridge', containers: [{ name: 'app', logConfiguration: { logDriver: 'gelf', options: { 'gelf-address': 'udp://x' } } }] },
    });
    const def = definitionToRun({ ...t, endpoints: { credentialsId: 'c', containers: { app: 'm' } } }, t.containers[0]!, { environment: { PW: 's' }, logOptions: { token: 't' } }, 'http://169.254.170.2');
    assert.deepEqual(def.logConfiguration?.options, { 'gelf-address': 'udp://x', token: 't' });
    const env = Object.fromEntries((def.environment ?? []).map((e) => [e.name, e.value]));
    assert.equal(env.PW, 's');
    assert.equal(env.ECS_CONTAINER_METADATA_URI_V4, 'http://169.254.170.2/v4/m');
    assert.equal(env.AWS_REGION, 'eu-west-1');
    assert.equal(env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, undefined, 'no task role');
    assert.equal(definitionToRun(t, t.containers[0]!, undefined, undefined).environment?.length, 0, 'no endpoints on this host: nothing added');
  });
});
