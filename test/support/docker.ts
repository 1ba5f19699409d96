/** Docker-side checks for integration tests, through the docker CLI a user would use. */
import { execFileSync } from 'node:child_process';
import { getWhenServing } from '../../src/agent/testing.ts';

/** The image every test task runs (built by scripts/build-test-images.sh). */
export const TEST_IMAGE = 'wharf-test/busybox:latest';

export function docker(...args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8' }).trim();
}

/** Ids of the containers Wharf made for tasks of a cluster (ECS's own label names them). */
export function containersOfCluster(clusterArn: string, all = true): string[] {
  const out = docker('ps', ...(all ? ['-a'] : []), '-q', '--no-trunc', '--filter', `label=com.amazonaws.ecs.cluster=${clusterArn}`);
  return out ? out.split('\n') : [];
}

/** Removes the containers of a test's cluster. */
export function removeClusterContainers(clusterArn: string): void {
  const ids = containersOfCluster(clusterArn);
  if (ids.length) docker('rm', '-f', ...ids);
}

/** GET a URL's body, retrying while the container's server starts (each attempt bounded). */
export async function httpGet(url: string, attempts = 50): Promise<string> {
  return (await getWhenServing(url, attempts)).text();
}
