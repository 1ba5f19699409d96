/**
 * AWS Certificate Manager, as served by Wharf, over the ACM domain: certificates requested
 * (issued at once by Wharf's own certificate authority, whose root operators trust) or imported,
 * their private keys sealed at rest and never shown, tags, renewal, export of exportable ones.
 * The platform decodes AWS JSON 1.1, authenticates, authorizes each operation as
 * `acm:<Action>` on the certificate's ARN (`*` for RequestCertificate, ListCertificates and the
 * account configuration, and ImportCertificate of a new certificate), validates against the
 * model and encodes.
 */
import { AwsError, acmModel, coralValidationMessage, type AcmOperations, type ServiceDefinition, type Violation } from '../../aws/index.ts';
import { certificateOperations } from './certificates.ts';
import type { AcmDeps } from './common.ts';

export type { AcmDeps } from './common.ts';

/** ACM's word for a request its model refuses. */
function acmValidationError(violations: Violation[]): AwsError {
  return new AwsError('ValidationException', coralValidationMessage(violations));
}

/** The ACM API over the given store, clock, ids and sealer. */
export function acmService(deps: AcmDeps): ServiceDefinition<AcmOperations> {
  return {
    model: acmModel,
    iamPrefix: 'acm',
    operations: certificateOperations(deps),
    validationError: acmValidationError,
    partly: {
      RequestCertificate: 'issued at once by Wharf\'s own certificate authority (its root at `GET /_wharf/acm/ca.pem`), every domain shown as validated; '
        + 'no AWS Private CA (CertificateAuthorityArn is refused) and no ManagedBy.',
      ImportCertificate: 'the certificate, key and chain are checked as ACM does; the OCSP URL length is not.',
      ListCertificates: 'Includes.managedBy matches nothing (Wharf has no CloudFront).',
      RenewCertificate: 'renews certificates Wharf issued (a new key, serial and validity); imported ones are refused.',
      ExportCertificate: 'exports certificates requested with Options.Export ENABLED, as ACM does; Wharf has no private certificates.',
      PutAccountConfiguration: 'kept and shown; Wharf sends no expiry events yet.',
    },
  };
}
