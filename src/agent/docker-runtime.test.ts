/** The runtime contract against the local Docker Engine, and how a DOCKER_HOST URL is read. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DockerRuntime, dockerHostOptions } from './docker-runtime.ts';
import { runtimeContract } from './runtime-contract.testing.ts';

runtimeContract('Docker', async () => new DockerRuntime());

describe('dockerHostOptions', () => {
  it('reads DOCKER_HOST URLs: a Unix socket, TCP (2375 by default) and TLS (2376)', () => {
    assert.deepEqual(dockerHostOptions('unix:///run/docker.sock'), { socketPath: '/run/docker.sock' });
    assert.deepEqual(dockerHostOptions('tcp://10.0.0.5:2380'), { protocol: 'http', host: '10.0.0.5', port: 2380 });
    assert.deepEqual(dockerHostOptions('tcp://docker-1.internal'), { protocol: 'http', host: 'docker-1.internal', port: 2375 });
    assert.deepEqual(dockerHostOptions('https://10.0.0.6'), { protocol: 'https', host: '10.0.0.6', port: 2376 });
  });
});
