/**
 * What ACM does with certificates, over the store: RequestCertificate (issued at once by Wharf's
 * authority, its domains shown as validated), ImportCertificate (new, or re-imported into the
 * same ARN), DescribeCertificate, GetCertificate, ListCertificates' filters and order,
 * DeleteCertificate (refused while in use), RenewCertificate and ExportCertificate. Every write
 * is one transaction guarded on what it read; private keys are sealed before they are written.
 */
import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { getDoc, listDocs, transact, type Tx } from '../state/index.ts';
import { issueLeaf, issuingAuthority, randomSerial, type AuthorityEnv } from './authority.ts';
import { AcmErrors } from './errors.ts';
import { factsOf, readImport } from './pem.ts';
import {
  REQUESTABLE_KEY_ALGORITHMS, certificateArn, keySealContext, keys, parseCertificateArn,
  type CertificateRecord, type CertificateStatus, type CertificateTag, type DomainValidationRecord, type KeyAlgorithm, type Scope, type TokenRecord,
  type ValidationMethod,
} from './records.ts';
import { checkTags } from './tags.ts';

/** What the ACM domain runs on: the store, the clock, ids, and the sealer of private keys. */
export type AcmEnv = AuthorityEnv;

/** How long a RequestCertificate idempotency token names its certificate. */
const TOKEN_TTL_MS = 60 * 60_000;

/** Domain names one certificate may have (ACM's default quota). */
export const MAX_DOMAINS = 10;

/** Certificates an account may hold in a region (ACM's default quota). */
export const MAX_CERTIFICATES = 2500;

/** The status a certificate reads as at `now`: an issued one past its NotAfter has expired. */
export const statusAt = (r: CertificateRecord, now: number): CertificateStatus => (r.status === 'ISSUED' && now > r.notAfter ? 'EXPIRED' : r.status);

/** The scope and id of `arn`, refusing a malformed ARN and one of another account or region. */
function locate(scope: Scope, arn: string): string {
  const parsed = parseCertificateArn(arn);
  if (!parsed) throw AcmErrors.invalidArn(arn);
  if (parsed.scope.account !== scope.account || parsed.scope.region !== scope.region) throw AcmErrors.notFound(arn);
  return parsed.id;
}

/** The certificate `arn` names, read through `tx` (so a write is guarded on it). */
export async function findCertificate(tx: Tx, scope: Scope, arn: string): Promise<CertificateRecord> {
  const record = await tx.get<CertificateRecord>(keys.certificate(scope, locate(scope, arn)));
  if (!record) throw AcmErrors.notFound(arn);
  return record;
}

/** Reads `arn` without writing. */
export const describeCertificate = (env: AcmEnv, scope: Scope, arn: string): Promise<CertificateRecord> =>
  transact(env.store, (tx) => findCertificate(tx, scope, arn));

/** Applies `change` to the certificate and writes it. */
export async function modifyCertificate(env: AcmEnv, scope: Scope, arn: string, change: (r: CertificateRecord) => CertificateRecord): Promise<CertificateRecord> {
  return transact(env.store, async (tx) => {
    const record = await findCertificate(tx, scope, arn);
    const updated = change(record);
    tx.put(keys.certificate(scope, record.id), updated);
    return updated;
  });
}

/** `*.example.com` is validated at `example.com`. */
const baseDomain = (name: string) => name.replace(/^\*\./, '');

/** What RequestCertificate asks for. */
export interface RequestCertificateRequest {
  domainName: string;
  subjectAlternativeNames?: string[];
  validationMethod?: ValidationMethod;
  domainValidationOptions?: { domainName: string; validationDomain: string }[];
  keyAlgorithm?: KeyAlgorithm;
  idempotencyToken?: string;
  tags?: CertificateTag[];
  transparencyLogging?: 'ENABLED' | 'DISABLED';
  exportOption?: 'ENABLED' | 'DISABLED';
}

/** The domains' validation as ACM shows it once validated: the DNS record or emails it would have used. */
function validations(env: AcmEnv, names: string[], method: ValidationMethod, options: RequestCertificateRequest['domainValidationOptions']): DomainValidationRecord[] {
  for (const o of options ?? []) {
    if (!names.includes(o.domainName)) {
      throw AcmErrors.invalidDomainValidationOptions(`DomainValidationOptions ${o.domainName} is not one of the certificate's domain names.`);
    }
    const base = baseDomain(o.domainName);
    if (base !== o.validationDomain && !base.endsWith(`.${o.validationDomain}`)) {
      throw AcmErrors.invalidDomainValidationOptions(`ValidationDomain ${o.validationDomain} is not ${base} or a superdomain of it.`);
    }
  }
  return names.map((domainName) => {
    const validationDomain = options?.find((o) => o.domainName === domainName)?.validationDomain ?? baseDomain(domainName);
    if (method === 'EMAIL') {
      return { domainName, validationDomain, validationMethod: method, validationEmails: ['admin', 'administrator', 'hostmaster', 'postmaster', 'webmaster'].map((u) => `${u}@${validationDomain}`) };
    }
    const label = createHash('md5').update(baseDomain(domainName)).digest('hex');
    return {
      domainName, validationDomain, validationMethod: method,
      resourceRecord: { name: `_${label}.${baseDomain(domainName)}.`, type: 'CNAME' as const, value: `_${env.ids.hex32()}.${env.ids.hex32().slice(0, 10)}.acm-validations.aws.` },
    };
  });
}

/** Refuses a new certificate past the account's quota. */
async function checkQuota(env: AcmEnv, scope: Scope): Promise<void> {
  const held = await env.store.range(keys.certificates(scope), { limit: MAX_CERTIFICATES });
  if (held.kvs.length >= MAX_CERTIFICATES) throw AcmErrors.limitExceeded(`Error: you have reached your limit of ${MAX_CERTIFICATES} certificates in the last year.`);
}

/** RequestCertificate: a certificate issued at once by Wharf's authority. A retry with the same token within an hour is the same certificate. */
export async function requestCertificate(env: AcmEnv, scope: Scope, req: RequestCertificateRequest): Promise<CertificateRecord> {
  const names = [...new Set([req.domainName, ...(req.subjectAlternativeNames ?? [])])];
  if (names.length > MAX_DOMAINS) throw AcmErrors.limitExceeded(`Cannot request a certificate with more than ${MAX_DOMAINS} domain names.`);
  if (Buffer.byteLength(req.domainName) > 64) throw AcmErrors.invalidParameter('The first domain name can be no longer than 64 octets.');
  const keyAlgorithm = req.keyAlgorithm ?? 'RSA_2048';
  if (!REQUESTABLE_KEY_ALGORITHMS.includes(keyAlgorithm)) {
    throw AcmErrors.validation(`Key algorithm ${keyAlgorithm} is not supported for requesting certificates; use one of ${REQUESTABLE_KEY_ALGORITHMS.join(', ')}.`);
  }
  checkTags(req.tags ?? []);
  const now = env.clock.now();
  const token = req.idempotencyToken;
  if (token) {
    const existing = await transact(env.store, async (tx) => {
      const t = await tx.get<TokenRecord>(keys.token(scope, token));
      return t && t.expiresAt > now ? tx.get<CertificateRecord>(keys.certificate(scope, locate(scope, t.arn))) : undefined;
    });
    if (existing) return existing;
  }
  await checkQuota(env, scope);
  const method = req.validationMethod ?? 'DNS';
  const domainValidation = validations(env, names, method, req.domainValidationOptions);
  const authority = await issuingAuthority(env);
  const leaf = await issueLeaf(authority, { domainName: req.domainName, names, keyAlgorithm, serial: randomSerial(env.ids), now });
  const id = env.ids.uuid();
  const arn = certificateArn(scope, id);
  const record: CertificateRecord = {
    arn, id, type: 'AMAZON_ISSUED', status: 'ISSUED', ...factsOf(new X509Certificate(leaf.certificatePem)),
    createdAt: now, issuedAt: now, inUseBy: [], domainValidation,
    transparencyLogging: req.transparencyLogging ?? 'ENABLED', exportOption: req.exportOption ?? 'DISABLED', tags: req.tags ?? [],
    certificatePem: leaf.certificatePem, chainPem: authority.record.certificatePem,
    sealedKey: env.sealer.seal(leaf.privateKeyPem, keySealContext(arn)),
  };
  return transact(env.store, async (tx) => {
    if (token) {
      const t = await tx.get<TokenRecord>(keys.token(scope, token));
      const raced = t && t.expiresAt > now ? await tx.get<CertificateRecord>(keys.certificate(scope, locate(scope, t.arn))) : undefined;
      if (raced) return raced;
      tx.put<TokenRecord>(keys.token(scope, token), { arn, expiresAt: now + TOKEN_TTL_MS });
    }
    tx.put(keys.certificate(scope, id), record);
    return record;
  });
}

/** What ImportCertificate asks for. */
export interface ImportCertificateRequest {
  certificateArn?: string;
  certificate: Buffer;
  privateKey: Buffer;
  certificateChain?: Buffer;
  tags?: CertificateTag[];
}

/** ImportCertificate: a new IMPORTED certificate, or a new certificate and key in an imported one's ARN (its tags and uses kept). */
export async function importCertificate(env: AcmEnv, scope: Scope, req: ImportCertificateRequest): Promise<CertificateRecord> {
  const now = env.clock.now();
  if (req.certificateArn !== undefined) {
    locate(scope, req.certificateArn);
    if (req.tags?.length) throw AcmErrors.invalidParameter('You cannot add tags while reimporting a certificate. Use AddTagsToCertificate instead.');
  }
  checkTags(req.tags ?? []);
  const material = readImport(req.certificate, req.privateKey, req.certificateChain, now);
  if (req.certificateArn === undefined) await checkQuota(env, scope);
  const id = req.certificateArn !== undefined ? locate(scope, req.certificateArn) : env.ids.uuid();
  const arn = certificateArn(scope, id);
  const sealedKey = env.sealer.seal(material.privateKeyPem, keySealContext(arn));
  return transact(env.store, async (tx) => {
    const existing = req.certificateArn !== undefined ? await findCertificate(tx, scope, arn) : undefined;
    if (existing && existing.type !== 'IMPORTED') throw AcmErrors.invalidParameter(`Certificate ${arn} was not imported: only an imported certificate can be reimported.`);
    const record: CertificateRecord = {
      arn, id, type: 'IMPORTED', status: 'ISSUED', ...material.facts,
      createdAt: existing?.createdAt ?? now, importedAt: now, inUseBy: existing?.inUseBy ?? [], domainValidation: [],
      transparencyLogging: existing?.transparencyLogging ?? 'ENABLED', exportOption: 'DISABLED', tags: existing?.tags ?? req.tags ?? [],
      certificatePem: material.certificatePem, ...(material.chainPem ? { chainPem: material.chainPem } : {}), sealedKey,
    };
    tx.put(keys.certificate(scope, id), record);
    return record;
  });
}

/** GetCertificate: the certificate and its chain, once issued. */
export async function getCertificate(env: AcmEnv, scope: Scope, arn: string): Promise<{ certificatePem: string; chainPem?: string }> {
  const record = await describeCertificate(env, scope, arn);
  const status = statusAt(record, env.clock.now());
  if (status !== 'ISSUED' && status !== 'EXPIRED') throw AcmErrors.inProgress(arn, scope.account);
  return { certificatePem: record.certificatePem, ...(record.chainPem ? { chainPem: record.chainPem } : {}) };
}

/** What ListCertificates asks for. */
export interface ListCertificatesRequest {
  statuses?: CertificateStatus[];
  keyTypes?: KeyAlgorithm[];
  keyUsage?: string[];
  extendedKeyUsage?: string[];
  exportOption?: 'ENABLED' | 'DISABLED';
  keyPairOrigins?: string[];
  sortOrder?: 'ASCENDING' | 'DESCENDING';
}

/** ListCertificates' key types when Includes names none: RSA 1024 and 2048 only, as ACM does. */
export const DEFAULT_KEY_TYPES: readonly KeyAlgorithm[] = ['RSA_1024', 'RSA_2048'];

/** ACM's name of where a certificate's key pair came from. */
export const keyPairOrigin = (r: CertificateRecord): string => (r.type === 'IMPORTED' ? 'CUSTOMER_PROVIDED' : 'AWS_MANAGED');

/** ListCertificates: the certificates its filters pass, by creation time, each with a sort key for paging. */
export async function listCertificates(env: AcmEnv, scope: Scope, req: ListCertificatesRequest): Promise<{ record: CertificateRecord; status: CertificateStatus; sortKey: string }[]> {
  const now = env.clock.now();
  const keyTypes = req.keyTypes?.length ? req.keyTypes : DEFAULT_KEY_TYPES;
  const descending = req.sortOrder === 'DESCENDING';
  return (await listDocs<CertificateRecord>(env.store, keys.certificates(scope)))
    .map((d) => ({ record: d.value, status: statusAt(d.value, now) }))
    .filter(({ record, status }) => (!req.statuses?.length || req.statuses.includes(status))
      && keyTypes.includes(record.keyAlgorithm)
      && (!req.keyUsage?.length || req.keyUsage.some((u) => u === 'ANY' || record.keyUsages.includes(u)))
      && (!req.extendedKeyUsage?.length || req.extendedKeyUsage.some((u) => u === 'ANY' || (u === 'NONE' ? record.extendedKeyUsages.length === 0 : record.extendedKeyUsages.some((e) => e.name === u))))
      && (req.exportOption === undefined || record.exportOption === req.exportOption)
      && (!req.keyPairOrigins?.length || req.keyPairOrigins.includes(keyPairOrigin(record))))
    .map((x) => ({ ...x, sortKey: `${String(descending ? 9e15 - x.record.createdAt : x.record.createdAt).padStart(16, '0')}#${x.record.id}` }))
    .sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0));
}

/** DeleteCertificate: refused while a load balancer's listener uses it. */
export async function deleteCertificate(env: AcmEnv, scope: Scope, arn: string): Promise<void> {
  await transact(env.store, async (tx) => {
    const record = await findCertificate(tx, scope, arn);
    if (record.inUseBy.length > 0) throw AcmErrors.inUse(arn, scope.account);
    tx.delete(keys.certificate(scope, record.id));
  });
}

/** RenewCertificate: a certificate Wharf issued is issued again (new key, serial and validity), its names and uses kept. */
export async function renewCertificate(env: AcmEnv, scope: Scope, arn: string): Promise<CertificateRecord> {
  const current = await describeCertificate(env, scope, arn);
  if (current.type !== 'AMAZON_ISSUED') throw AcmErrors.validation(`Certificate ${arn} is not eligible for renewal: ACM does not renew imported certificates.`);
  const now = env.clock.now();
  const authority = await issuingAuthority(env);
  const leaf = await issueLeaf(authority, { domainName: current.domainName, names: current.subjectAlternativeNames, keyAlgorithm: current.keyAlgorithm, serial: randomSerial(env.ids), now });
  const facts = factsOf(new X509Certificate(leaf.certificatePem));
  const sealedKey = env.sealer.seal(leaf.privateKeyPem, keySealContext(arn));
  return modifyCertificate(env, scope, arn, (r) => ({
    ...r, ...facts, status: 'ISSUED', issuedAt: now, renewal: { status: 'SUCCESS', updatedAt: now },
    certificatePem: leaf.certificatePem, chainPem: authority.record.certificatePem, sealedKey,
  }));
}

/**
 * ExportCertificate: the certificate, its chain and its private key encrypted with the
 * passphrase (PKCS #8, AES-256-CBC). ACM exports only certificates requested as exportable
 * (Options.Export ENABLED); imported ones and the rest are refused.
 */
export async function exportCertificate(env: AcmEnv, scope: Scope, arn: string, passphrase: Buffer): Promise<{ certificatePem: string; chainPem?: string; privateKeyPem: string }> {
  const record = await describeCertificate(env, scope, arn);
  if (record.type !== 'AMAZON_ISSUED' || record.exportOption !== 'ENABLED') {
    throw AcmErrors.validation(`Certificate ${arn} is not exportable: only certificates requested with the Export option ENABLED can be exported.`);
  }
  if (statusAt(record, env.clock.now()) !== 'ISSUED') throw AcmErrors.inProgress(arn, scope.account);
  if (/[#$%]/.test(passphrase.toString('latin1'))) throw AcmErrors.validation('The passphrase may not contain #, $ or %.');
  const key = createPrivateKey(env.sealer.open(record.sealedKey, keySealContext(arn)).toString('utf8'));
  const privateKeyPem = key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase }) as string;
  await modifyCertificate(env, scope, arn, (r) => ({ ...r, exported: true }));
  return { certificatePem: record.certificatePem, ...(record.chainPem ? { chainPem: record.chainPem } : {}), privateKeyPem };
}

/** Reads a certificate by ARN without a scope of its own (the data plane's and IAM's lookups). */
export async function certificateByArn(env: Pick<AcmEnv, 'store'>, arn: string): Promise<CertificateRecord | undefined> {
  const parsed = parseCertificateArn(arn);
  return parsed ? (await getDoc<CertificateRecord>(env.store, keys.certificate(parsed.scope, parsed.id)))?.value : undefined;
}
