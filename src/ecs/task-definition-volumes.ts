/**
 * Pure: the rules RegisterTaskDefinition applies between a task definition's volumes and its
 * containers' `mountPoints` and `volumesFrom`, with the messages ECS gives (ClientException).
 * The API adapter reads each member alone; these are the rules across members.
 */
import type { ContainerDefinition, Volume } from '@aws-sdk/client-ecs';
import { EcsErrors } from './errors.ts';

/**
 * Volume names are unique; every mountPoint names a volume of the task definition; every
 * volumesFrom names another container of it. Throws the ClientException ECS returns.
 */
export function checkVolumeReferences(containers: readonly ContainerDefinition[], volumes: readonly Volume[]): void {
  const volumeNames = new Set<string>();
  for (const v of volumes) {
    if (volumeNames.has(v.name ?? '')) throw EcsErrors.client(`Volume names must be unique within a Task Definition. Duplicate: '${v.name}'.`);
    volumeNames.add(v.name ?? '');
  }
  const containerNames = new Set(containers.map((c) => c.name));
  for (const c of containers) {
    for (const m of c.mountPoints ?? []) {
      if (!volumeNames.has(m.sourceVolume ?? '')) throw EcsErrors.client(`Unknown volume '${m.sourceVolume}'.`);
    }
    for (const v of c.volumesFrom ?? []) {
      if (v.sourceContainer === c.name || !containerNames.has(v.sourceContainer)) {
        throw EcsErrors.client(`Invalid 'volumesFrom' setting. Unknown container: '${v.sourceContainer}'.`);
      }
    }
  }
}
