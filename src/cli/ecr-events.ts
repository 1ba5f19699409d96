/**
 * ECR's events on EventBridge's default bus: "ECR Image Action" for each image pushed (docker
 * push, PutImage) or deleted (the registry's DELETE, BatchDeleteImage), "ECR Image Scan" for
 * each basic scan that finishes — each staged in the transaction that records the change.
 */
import type { Ids } from '../common/index.ts';
import { imageActionEvent, imageScanEvent, type ImageEventHooks } from '../registry/index.ts';
import { stageServiceEvent } from './ecs-events.ts';

/** ECR's image event hooks, staging on the default bus of the registry's account and region. */
export function registryEvents(ids: Ids): ImageEventHooks {
  return {
    imageActions: async (tx, scope, actions, now) => {
      for (const action of actions) await stageServiceEvent(tx, ids, imageActionEvent(action), now, scope);
    },
    imageScanned: async (tx, scope, image, scan, now) => {
      const e = imageScanEvent(scope, image, scan);
      if (e) await stageServiceEvent(tx, ids, e, now, scope);
    },
  };
}
