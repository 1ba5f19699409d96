/**
 * What the ACM API's handlers share: their ports, the operation table's type, the scope of a
 * request, and the records as API shapes (never a private key).
 */
import type { AcmOperations, OperationSpec, RequestContext } from '../../aws/index.ts';
import type {
  CertificateDetail, CertificateKeyPairOrigin, CertificateSummary, DomainValidation, ExtendedKeyUsageName, KeyUsageName, Tag,
} from '@aws-sdk/client-acm';
import type { Clock, Ids, Sealer } from '../../common/index.ts';
import * as acm from '../../acm/index.ts';
import type { Store } from '../../state/index.ts';

/** What the ACM API runs on: the store, the clock, ids, and the sealer of private keys at rest. */
export interface AcmDeps {
  store: Store;
  clock: Clock;
  ids: Ids;
  sealer: Sealer;
}

/** Some of ACM's operations, as one file of the adapter implements them. */
export type AcmOperationTable = { [K in keyof AcmOperations]?: OperationSpec<AcmOperations[K]['input'], AcmOperations[K]['output']> };

/** The account and region a request acts in. */
export const scopeOf = (ctx: RequestContext): acm.Scope => ({ account: ctx.account, region: ctx.region });

/** The ACM domain's environment, read when a request runs (the coverage docs build the adapter without ports). */
export const envOf = (deps: AcmDeps): acm.AcmEnv => ({
  get store() { return deps.store; },
  get clock() { return deps.clock; },
  get ids() { return deps.ids; },
  get sealer() { return deps.sealer; },
});

/** The resource of an operation on one certificate: its ARN. */
export const onCertificate = (i: { CertificateArn?: string }): string[] => [i.CertificateArn ?? '*'];

/** SDK tags → domain tags. */
export const tagsIn = (tags: readonly Tag[] | undefined): acm.CertificateTag[] =>
  (tags ?? []).map((t) => ({ key: t.Key ?? '', ...(t.Value !== undefined ? { value: t.Value } : {}) }));

/** Domain tags → SDK tags. */
export const tagsOut = (tags: readonly acm.CertificateTag[]): Tag[] => tags.map((t) => ({ Key: t.key, ...(t.value !== undefined ? { Value: t.value } : {}) }));

/** A domain's validation, shown as done. */
function validationShape(v: acm.DomainValidationRecord): DomainValidation {
  return {
    DomainName: v.domainName, ValidationDomain: v.validationDomain, ValidationStatus: 'SUCCESS', ValidationMethod: v.validationMethod,
    ...(v.resourceRecord ? { ResourceRecord: { Name: v.resourceRecord.name, Type: v.resourceRecord.type, Value: v.resourceRecord.value } } : {}),
    ...(v.validationEmails ? { ValidationEmails: v.validationEmails } : {}),
  };
}

const date = (ms: number | undefined) => (ms !== undefined ? { value: new Date(ms) } : undefined);

/** ELIGIBLE for a certificate Wharf issued that is in use, as ACM renews only those. */
const renewalEligibility = (r: acm.CertificateRecord) => (r.type === 'AMAZON_ISSUED' && r.inUseBy.length > 0 ? 'ELIGIBLE' : 'INELIGIBLE');

/** What DescribeCertificate shows. */
export function detailShape(r: acm.CertificateRecord, now: number): CertificateDetail {
  const imported = date(r.importedAt);
  const issued = date(r.issuedAt);
  return {
    CertificateArn: r.arn, DomainName: r.domainName, SubjectAlternativeNames: r.subjectAlternativeNames,
    ...(r.domainValidation.length ? { DomainValidationOptions: r.domainValidation.map(validationShape) } : {}),
    Serial: r.serial, Subject: r.subject, Issuer: r.issuer, CreatedAt: new Date(r.createdAt),
    ...(issued ? { IssuedAt: issued.value } : {}), ...(imported ? { ImportedAt: imported.value } : {}),
    Status: acm.statusAt(r, now), NotBefore: new Date(r.notBefore), NotAfter: new Date(r.notAfter),
    KeyAlgorithm: r.keyAlgorithm, SignatureAlgorithm: r.signatureAlgorithm, InUseBy: r.inUseBy, Type: r.type,
    ...(r.renewal ? { RenewalSummary: { RenewalStatus: r.renewal.status, DomainValidationOptions: r.domainValidation.map(validationShape), UpdatedAt: new Date(r.renewal.updatedAt) } } : {}),
    KeyUsages: r.keyUsages.map((Name) => ({ Name: Name as KeyUsageName })),
    ExtendedKeyUsages: r.extendedKeyUsages.map((e) => ({ Name: e.name as ExtendedKeyUsageName, OID: e.oid })),
    RenewalEligibility: renewalEligibility(r),
    Options: { CertificateTransparencyLoggingPreference: r.transparencyLogging, Export: r.exportOption },
    CertificateKeyPairOrigin: acm.keyPairOrigin(r) as CertificateKeyPairOrigin,
  };
}

/** The SANs a summary lists (the rest are told of by HasAdditionalSubjectAlternativeNames). */
const SUMMARY_SANS = 100;

/** What ListCertificates shows of a certificate. */
export function summaryShape(r: acm.CertificateRecord, status: acm.CertificateStatus): CertificateSummary {
  return {
    CertificateArn: r.arn, DomainName: r.domainName,
    SubjectAlternativeNameSummaries: r.subjectAlternativeNames.slice(0, SUMMARY_SANS),
    HasAdditionalSubjectAlternativeNames: r.subjectAlternativeNames.length > SUMMARY_SANS,
    Status: status, Type: r.type, KeyAlgorithm: r.keyAlgorithm,
    KeyUsages: r.keyUsages as KeyUsageName[], ExtendedKeyUsages: r.extendedKeyUsages.map((e) => e.name as ExtendedKeyUsageName),
    ExportOption: r.exportOption, InUse: r.inUseBy.length > 0, Exported: r.exported ?? false, RenewalEligibility: renewalEligibility(r),
    NotBefore: new Date(r.notBefore), NotAfter: new Date(r.notAfter), CreatedAt: new Date(r.createdAt),
    ...(r.issuedAt !== undefined ? { IssuedAt: new Date(r.issuedAt) } : {}), ...(r.importedAt !== undefined ? { ImportedAt: new Date(r.importedAt) } : {}),
    CertificateKeyPairOrigin: acm.keyPairOrigin(r) as CertificateKeyPairOrigin,
  };
}
