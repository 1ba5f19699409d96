/**
 * Who an agent is, beyond holding valid credentials. An agent's container instances are bound
 * to the principal that registered them and to a secret the control plane issued at the
 * agent's first registration (sent once in `registered`, kept in the agent's checkpoint, said in
 * every later `hello`). Only its SHA-256 is stored, beside each instance's agent-instance key
 * (`keys.agentInstance`), and compared in constant time.
 *
 *   hello{agentId, agentSecret?} ──▶ every agent-instance key of agentId (one prefix, any cluster)
 *       none bound yet ──▶ a new secret is issued (the agent's first registration)
 *       bound ──▶ the secret's hash and the principal must match every one, else AgentIdentityRefused
 *
 * Keys written before agent secrets existed carry neither: such an agent registers as a new
 * container instance (its old one stays, disconnected, for an operator to deregister). A key
 * with a principal but no secret is one whose secret never reached the agent (its link closed
 * first): the same principal gets a new secret for the same instance.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from '../aws/index.ts';
import { keys } from '../ecs/index.ts';
import type { Store } from '../state/index.ts';

/** The document at `keys.agentInstance`: which instance an agent is in one cluster, and whose it is. */
export interface AgentInstanceRef {
  instanceId: string;
  /** `principalBinding` of the principal that registered it (absent on keys written before agent secrets). */
  principal?: string;
  /** SHA-256 (hex) of the agent's secret (absent on keys written before agent secrets, and while an issued one is undelivered). */
  secretHash?: string;
}

/** What a link proved about its agent, or was issued at its first registration. */
export interface AgentIdentity {
  agentId: string;
  /** The principal binding every instance of the agent carries. */
  principal: string;
  secretHash: string;
  /** The secret itself, only on the registration that issued it (sent in `registered`, then forgotten). */
  issued?: string;
}

/** Why a hello was refused as not being the agent it names. */
export class AgentIdentityRefused extends Error {}

/**
 * What an instance is bound to: the principal's ARN, except that a role session is bound to its
 * role (`arn:aws:sts::123456789012:assumed-role/Role`), since each refresh of an instance role's
 * credentials may name a new session.
 */
export function principalBinding(principal: Principal): string {
  if (principal.kind !== 'assumed-role') return principal.arn;
  const at = principal.arn.lastIndexOf('/');
  return at > principal.arn.indexOf('assumed-role/') ? principal.arn.slice(0, at) : principal.arn;
}

/** A new agent secret: 32 random bytes, base64url. */
export const newAgentSecret = (): string => randomBytes(32).toString('base64url');

/** The stored form of a secret. */
export const hashAgentSecret = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Whether two stored hashes are the same, in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The prefix under which every agent-instance key of `agentId` lives, whatever its account, region and cluster. */
export function agentRefsPrefix(agentId: string): string {
  const sample = keys.agentInstance(agentId, { account: '0', region: '0' }, '0');
  return sample.slice(0, sample.length - '0/0/0'.length);
}

/** A stored agent-instance document (parsed JSON), or undefined when it is not one: never trusted. */
export function decodeAgentInstanceRef(v: unknown): AgentInstanceRef | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const r = v as Partial<AgentInstanceRef>;
  if (typeof r.instanceId !== 'string') return undefined;
  if (r.principal !== undefined && typeof r.principal !== 'string') return undefined;
  if (r.secretHash !== undefined && typeof r.secretHash !== 'string') return undefined;
  return { instanceId: r.instanceId, ...(r.principal !== undefined && { principal: r.principal }), ...(r.secretHash !== undefined && { secretHash: r.secretHash }) };
}

/** Whether a stored key is bound to this identity; a key bound to another refuses the registration. */
export function checkRef(ref: AgentInstanceRef | undefined, identity: AgentIdentity): 'unbound' | 'bound' {
  if (!ref?.secretHash) return 'unbound';
  if (!sameHash(ref.secretHash, identity.secretHash) || ref.principal !== identity.principal) {
    throw new AgentIdentityRefused(
      `Agent ${identity.agentId} is registered by another principal or with another secret; this hello does not prove it is that agent.`,
    );
  }
  return 'bound';
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Agent-instance keys read per agent at most (one per cluster it joined). */
const MAX_REFS = 10_000;

/**
 * The identity a hello establishes: proven against every key the agent has (secret and
 * principal), or newly issued when none is bound yet. Throws AgentIdentityRefused.
 */
export async function establishIdentity(
  store: Store, agentId: string, presented: string | undefined, principal: Principal, newSecret: () => string,
): Promise<AgentIdentity> {
  const binding = principalBinding(principal);
  const { kvs } = await store.range(agentRefsPrefix(agentId), { limit: MAX_REFS });
  const bound = kvs.map((kv) => decodeAgentInstanceRef(parseJson(kv.value))).filter((r) => r?.secretHash !== undefined);
  if (bound.length === 0) {
    const issued = newSecret();
    return { agentId, principal: binding, secretHash: hashAgentSecret(issued), issued };
  }
  if (presented === undefined) {
    throw new AgentIdentityRefused(`Agent ${agentId} is registered with a secret, and this hello has none.`);
  }
  const identity: AgentIdentity = { agentId, principal: binding, secretHash: hashAgentSecret(presented) };
  for (const ref of bound) checkRef(ref, identity);
  return identity;
}
