/**
 * Which certificates a load balancer's listeners use, told to the certificates' owner (ACM's
 * InUseBy, which keeps DeleteCertificate from removing a certificate in use) in the same
 * transaction as the listener change, so that a deletion and a listener taking the certificate
 * cannot both commit: each writes the certificate's record the other read.
 */
import type { Tx } from '../state/index.ts';
import { LbErrors } from './errors.ts';
import { keys, type ListenerRecord, type Scope } from './records.ts';

/**
 * Marks a certificate as used (or no longer used) by a load balancer in the caller's
 * transaction; resolves false when there is no such certificate to mark used. ACM fills it.
 */
export type CertificateUse = (tx: Tx, certificateArn: string, loadBalancerArn: string, inUse: boolean) => Promise<boolean>;

/** Every certificate of the load balancer's listeners, as `tx` sees them (its own writes applied). */
export async function certificatesOfLoadBalancer(tx: Tx, scope: Scope, loadBalancerId: string): Promise<Set<string>> {
  const listeners = await tx.list<ListenerRecord>(keys.listeners(scope, loadBalancerId));
  return new Set(listeners.flatMap((l) => l.certificates.map((c) => c.certificateArn)));
}

/**
 * After the transaction changed a load balancer's listeners: marks the certificates they use now
 * and did not use `before`, and unmarks those they no longer use. Throws CertificateNotFound for a
 * certificate gone since the request was checked.
 */
export async function stageCertificateUses(
  tx: Tx, scope: Scope, lb: { id: string; arn: string }, before: Set<string>, uses: CertificateUse | undefined,
): Promise<void> {
  if (!uses) return;
  const now = await certificatesOfLoadBalancer(tx, scope, lb.id);
  for (const arn of now) if (!before.has(arn) && !(await uses(tx, arn, lb.arn, true))) throw LbErrors.certificateNotFound(arn);
  for (const arn of before) if (!now.has(arn)) await uses(tx, arn, lb.arn, false);
}
