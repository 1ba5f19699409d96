/**
 * Which images Wharf's own registry serves: an image named by ECR's host form
 * (`<account>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`, as real task definitions name
 * them) or by the registry's own host is pulled from Wharf's registry. Shared by the agent
 * (which pulls) and the registry (which serves).
 */

/** The host docker uses for ECR. */
export const ECR_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;

/**
 * The reference to pull `image` by from the registry at `registryHost` (host:port), or
 * undefined when the image lives elsewhere (Docker Hub, another registry, a local image).
 */
export function registryImageRef(image: string, registryHost: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const host = image.slice(0, slash);
  if (host === registryHost) return image;
  return ECR_HOST.test(host) ? `${registryHost}${image.slice(slash)}` : undefined;
}
