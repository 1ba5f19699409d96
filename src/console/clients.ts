/**
 * AWS SDK clients for the console: the same `@aws-sdk/client-*` a script uses, pointed at the
 * page's own origin (the control plane serves every API there), signing with the active profile.
 */
import { activeProfile, getSession } from './session.ts';

interface ClientConfig {
  region: string;
  endpoint: string;
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
}

const cache = new Map<unknown, { key: string; client: unknown }>();

/** The client of `Ctor` for the active profile and region (one per kind, remade when they change). */
export function client<C>(Ctor: new (config: ClientConfig) => C): C {
  const session = getSession();
  const p = activeProfile();
  const key = `${p.accessKeyId}/${session?.region}`;
  const hit = cache.get(Ctor);
  if (hit && hit.key === key) return hit.client as C;
  const made = new Ctor(configFor(p, session!.region));
  cache.set(Ctor, { key, client: made });
  return made;
}

/** A client's configuration for a key pair (sign-in checks keys before they are a profile). */
export function configFor(credentials: ClientConfig['credentials'], region: string): ClientConfig {
  const { accessKeyId, secretAccessKey, sessionToken } = credentials;
  return { region, endpoint: window.location.origin, credentials: { accessKeyId, secretAccessKey, sessionToken }, maxAttempts: 2 };
}
