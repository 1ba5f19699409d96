/**
 * ACM's certificate operations: RequestCertificate, ImportCertificate, DescribeCertificate,
 * GetCertificate, ListCertificates, DeleteCertificate, RenewCertificate, ExportCertificate,
 * the tag operations and the account configuration.
 */
import { paginate, requestTagConditions, tagKeyConditions } from '../../aws/index.ts';
import * as acm from '../../acm/index.ts';
import { detailShape, envOf, onCertificate, scopeOf, summaryShape, tagsIn, tagsOut, type AcmDeps, type AcmOperationTable } from './common.ts';

/** A required member: present once validation passed. */
function need<T>(value: T | undefined, member: string): T {
  if (value === undefined) throw acm.AcmErrors.validation(`1 validation error detected: Value null at '${member}' failed to satisfy constraint: Member must not be null`);
  return value;
}

const blob = (b: Uint8Array | undefined) => (b !== undefined ? Buffer.from(b) : undefined);

/** The certificate operations. */
export function certificateOperations(deps: AcmDeps): AcmOperationTable {
  const env = envOf(deps);
  return {
    RequestCertificate: {
      authorization: { resources: () => ['*'], conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        if (i.CertificateAuthorityArn !== undefined) throw acm.AcmErrors.invalidParameter('Wharf has no AWS Private CA: omit CertificateAuthorityArn to have Wharf\'s certificate authority issue the certificate.');
        if (i.ManagedBy !== undefined) throw acm.AcmErrors.invalidParameter('Wharf has no CloudFront: ManagedBy is not supported.');
        const method = i.ValidationMethod ?? i.Options?.ValidationMethod;
        if (method === 'HTTP') throw acm.AcmErrors.invalidParameter('HTTP validation is only for certificates managed by CloudFront: use DNS or EMAIL.');
        const record = await acm.requestCertificate(env, scopeOf(ctx), {
          domainName: need(i.DomainName, 'domainName'), subjectAlternativeNames: i.SubjectAlternativeNames,
          validationMethod: method,
          domainValidationOptions: i.DomainValidationOptions?.map((o) => ({ domainName: o.DomainName ?? '', validationDomain: o.ValidationDomain ?? '' })),
          keyAlgorithm: i.KeyAlgorithm, idempotencyToken: i.IdempotencyToken, tags: tagsIn(i.Tags),
          transparencyLogging: i.Options?.CertificateTransparencyLoggingPreference, exportOption: i.Options?.Export,
        });
        return { CertificateArn: record.arn };
      },
    },
    ImportCertificate: {
      authorization: { resources: (i) => [i.CertificateArn ?? '*'], conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const record = await acm.importCertificate(env, scopeOf(ctx), {
          certificateArn: i.CertificateArn, certificate: need(blob(i.Certificate), 'certificate'), privateKey: need(blob(i.PrivateKey), 'privateKey'),
          certificateChain: blob(i.CertificateChain), tags: i.Tags ? tagsIn(i.Tags) : undefined,
        });
        return { CertificateArn: record.arn };
      },
    },
    DescribeCertificate: {
      authorization: { resources: onCertificate },
      handler: async (i, ctx) => ({ Certificate: detailShape(await acm.describeCertificate(env, scopeOf(ctx), need(i.CertificateArn, 'certificateArn')), deps.clock.now()) }),
    },
    GetCertificate: {
      authorization: { resources: onCertificate },
      handler: async (i, ctx) => {
        const got = await acm.getCertificate(env, scopeOf(ctx), need(i.CertificateArn, 'certificateArn'));
        return { Certificate: got.certificatePem, ...(got.chainPem ? { CertificateChain: got.chainPem } : {}) };
      },
    },
    ListCertificates: {
      handler: async (i, ctx) => {
        const all = await acm.listCertificates(env, scopeOf(ctx), {
          statuses: i.CertificateStatuses, keyTypes: i.Includes?.keyTypes, keyUsage: i.Includes?.keyUsage, extendedKeyUsage: i.Includes?.extendedKeyUsage,
          exportOption: i.Includes?.exportOption, keyPairOrigins: i.CertificateKeyPairOrigins, sortOrder: i.SortOrder,
        });
        if (i.Includes?.managedBy !== undefined) all.length = 0;
        const page = paginate(all, (c) => c.sortKey, i.NextToken, i.MaxItems, () => acm.AcmErrors.invalidArgs('The NextToken is not valid.'), 1000);
        return { CertificateSummaryList: page.items.map((c) => summaryShape(c.record, c.status)), ...(page.nextToken ? { NextToken: page.nextToken } : {}) };
      },
    },
    DeleteCertificate: {
      authorization: { resources: onCertificate },
      handler: async (i, ctx) => {
        await acm.deleteCertificate(env, scopeOf(ctx), need(i.CertificateArn, 'certificateArn'));
        return {};
      },
    },
    RenewCertificate: {
      authorization: { resources: onCertificate },
      handler: async (i, ctx) => {
        await acm.renewCertificate(env, scopeOf(ctx), need(i.CertificateArn, 'certificateArn'));
        return {};
      },
    },
    ExportCertificate: {
      authorization: { resources: onCertificate },
      handler: async (i, ctx) => {
        const exported = await acm.exportCertificate(env, scopeOf(ctx), need(i.CertificateArn, 'certificateArn'), need(blob(i.Passphrase), 'passphrase'));
        return { Certificate: exported.certificatePem, ...(exported.chainPem ? { CertificateChain: exported.chainPem } : {}), PrivateKey: exported.privateKeyPem };
      },
    },
    AddTagsToCertificate: {
      authorization: { resources: onCertificate, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        const tags = tagsIn(need(i.Tags, 'tags'));
        await acm.modifyCertificate(env, scopeOf(ctx), need(i.CertificateArn, 'certificateArn'), (r) => acm.withTags(r, tags));
        return {};
      },
    },
    RemoveTagsFromCertificate: {
      authorization: { resources: onCertificate, conditions: (i) => tagKeyConditions(i.Tags?.map((t) => t.Key ?? '')) },
      handler: async (i, ctx) => {
        const tags = tagsIn(need(i.Tags, 'tags'));
        await acm.modifyCertificate(env, scopeOf(ctx), need(i.CertificateArn, 'certificateArn'), (r) => acm.withoutTags(r, tags));
        return {};
      },
    },
    ListTagsForCertificate: {
      authorization: { resources: onCertificate },
      handler: async (i, ctx) => {
        const record = await acm.describeCertificate(env, scopeOf(ctx), need(i.CertificateArn, 'certificateArn'));
        return { Tags: tagsOut(record.tags) };
      },
    },
    GetAccountConfiguration: {
      handler: async (_i, ctx) => ({ ExpiryEvents: { DaysBeforeExpiry: (await acm.accountConfiguration(deps.store, scopeOf(ctx))).daysBeforeExpiry } }),
    },
    PutAccountConfiguration: {
      handler: async (i, ctx) => {
        need(i.IdempotencyToken, 'idempotencyToken');
        await acm.putAccountConfiguration(deps.store, scopeOf(ctx), i.ExpiryEvents?.DaysBeforeExpiry);
        return {};
      },
    },
  };
}
