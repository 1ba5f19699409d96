/**
 * What the rest of Wharf uses of ACM: the load balancers' data plane asks for a certificate's
 * PEM chain and private key (opened in memory, never written anywhere), listeners mark the
 * certificates they use (ACM's InUseBy, which keeps DeleteCertificate from removing them), and
 * IAM reads a certificate's tags for `aws:ResourceTag/*`.
 */
import { X509Certificate } from 'node:crypto';
import type { Sealer } from '../common/index.ts';
import { getDoc, type Store, type Tx } from '../state/index.ts';
import { AcmErrors } from './errors.ts';
import { statusAt } from './certificates.ts';
import { keySealContext, keys, parseCertificateArn, type CertificateRecord, type CertificateStatus } from './records.ts';

/** A certificate as a TLS server needs it. */
export interface ServingCertificate {
  arn: string;
  /** ISSUED, or EXPIRED past NotAfter (the caller decides whether to serve it then). */
  status: CertificateStatus;
  /** The leaf. */
  certificatePem: string;
  /** The leaf followed by its chain: what a server sends (`cert` of node's TLS options). */
  fullChainPem: string;
  /** PKCS #8 PEM: keep in memory only. */
  privateKeyPem: string;
  /** The names the certificate is valid for (SNI selection), wildcards as `*.example.com`. */
  domainNames: string[];
  notAfter: number;
}

/**
 * The certificate `arn` names with its private key opened, for the load balancers' TLS
 * listeners; undefined when there is no such certificate.
 */
export async function certificateForServing(env: { store: Store; sealer: Sealer; clock: { now(): number } }, arn: string): Promise<ServingCertificate | undefined> {
  const parsed = parseCertificateArn(arn);
  if (!parsed) return undefined;
  const record = (await getDoc<CertificateRecord>(env.store, keys.certificate(parsed.scope, parsed.id)))?.value;
  if (!record) return undefined;
  const privateKeyPem = env.sealer.open(record.sealedKey, keySealContext(record.arn)).toString('utf8');
  return {
    arn: record.arn, status: statusAt(record, env.clock.now()), certificatePem: record.certificatePem,
    fullChainPem: record.certificatePem + (record.chainPem ?? ''), privateKeyPem,
    domainNames: record.subjectAlternativeNames, notAfter: record.notAfter,
  };
}

/** Whether `name` (a TLS client's SNI) is covered by one of `domainNames` (a wildcard covers one label). */
export function coversName(domainNames: readonly string[], name: string): boolean {
  const host = name.toLowerCase();
  return domainNames.some((d) => {
    const pattern = d.toLowerCase();
    if (!pattern.startsWith('*.')) return pattern === host;
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot + 1) === pattern.slice(2);
  });
}

/**
 * Marks `certificateArn` as used (or no longer used) by `resourceArn` — a listener — in the
 * caller's transaction, so the listener and the mark commit together. Throws ACM's
 * ResourceNotFoundException for a certificate that does not exist when marking it used.
 */
export async function setCertificateInUse(tx: Tx, certificateArn: string, resourceArn: string, inUse: boolean): Promise<void> {
  const parsed = parseCertificateArn(certificateArn);
  if (!parsed) throw AcmErrors.invalidArn(certificateArn);
  const key = keys.certificate(parsed.scope, parsed.id);
  const record = await tx.get<CertificateRecord>(key);
  if (!record) {
    if (inUse) throw AcmErrors.notFound(certificateArn);
    return;
  }
  const has = record.inUseBy.includes(resourceArn);
  if (has === inUse) return;
  tx.put<CertificateRecord>(key, { ...record, inUseBy: inUse ? [...record.inUseBy, resourceArn].sort() : record.inUseBy.filter((a) => a !== resourceArn) });
}

/**
 * `setCertificateInUse` as the load balancers' port takes it: false, rather than ACM's error, for
 * a certificate that does not exist (the caller answers with its own CertificateNotFound).
 */
export async function markCertificateUse(tx: Tx, certificateArn: string, resourceArn: string, inUse: boolean): Promise<boolean> {
  const parsed = parseCertificateArn(certificateArn);
  if (!parsed) return true; // not ACM's (an IAM server certificate): nothing to mark
  if (inUse && !(await tx.get<CertificateRecord>(keys.certificate(parsed.scope, parsed.id)))) return false;
  await setCertificateInUse(tx, certificateArn, resourceArn, inUse);
  return true;
}

/** A certificate as IAM sees it (the shape of identity's ResourceInfo). */
export interface CertificateResourceInfo {
  tags: Record<string, string>;
  account: string;
}

/** Looks certificates up by ARN for IAM: undefined for an ARN that is not a certificate's; for one that does not exist, only its account. */
export function certificateResourceInfo(store: Store): (arn: string) => Promise<CertificateResourceInfo | undefined> {
  return async (arn) => {
    const parsed = parseCertificateArn(arn);
    if (!parsed) return undefined;
    const record = (await getDoc<CertificateRecord>(store, keys.certificate(parsed.scope, parsed.id)))?.value;
    return { tags: Object.fromEntries((record?.tags ?? []).map((t) => [t.key, t.value ?? ''])), account: parsed.scope.account };
  };
}

/** Whether a PEM is a certificate signed by the root `caPem` (for checks of what is served). */
export function issuedBy(certificatePem: string, caPem: string): boolean {
  const cert = new X509Certificate(certificatePem);
  const ca = new X509Certificate(caPem);
  return cert.checkIssued(ca) && cert.verify(ca.publicKey);
}
