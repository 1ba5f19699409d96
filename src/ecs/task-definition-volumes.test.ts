import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ContainerDefinition, Volume } from '@aws-sdk/client-ecs';
import { checkVolumeReferences } from './task-definition-volumes.ts';

const c = (name: string, over: Partial<ContainerDefinition> = {}): ContainerDefinition => ({ name, image: 'busybox', ...over });
const refused = (containers: ContainerDefinition[], volumes: Volume[], message: string) =>
  assert.throws(() => checkVolumeReferences(containers, volumes), { code: 'ClientException', message });

describe('checkVolumeReferences', () => {
  test('accepts mount points on the task definition\'s volumes and volumesFrom another container', () => {
    checkVolumeReferences(
      [c('app', { mountPoints: [{ sourceVolume: 'data', containerPath: '/data', readOnly: true }] }), c('side', { volumesFrom: [{ sourceContainer: 'app' }] })],
      [{ name: 'data', host: {} }, { name: 'unused', dockerVolumeConfiguration: { scope: 'task' } }],
    );
  });

  test('a mount point on a volume the task definition does not have is an unknown volume', () => {
    refused([c('app', { mountPoints: [{ sourceVolume: 'logs', containerPath: '/logs' }] })], [{ name: 'data' }], "Unknown volume 'logs'.");
  });

  test('volumesFrom must name another container of the task definition', () => {
    refused([c('app', { volumesFrom: [{ sourceContainer: 'db' }] })], [], "Invalid 'volumesFrom' setting. Unknown container: 'db'.");
    refused([c('app', { volumesFrom: [{ sourceContainer: 'app' }] })], [], "Invalid 'volumesFrom' setting. Unknown container: 'app'.");
  });

  test('volume names are unique', () => {
    refused([c('app')], [{ name: 'data' }, { name: 'data', host: { sourcePath: '/srv' } }], "Volume names must be unique within a Task Definition. Duplicate: 'data'.");
  });
});
