/**
 * The shape of an AWS managed policy as Wharf ships it: IAM's metadata (name, ARN, path, id,
 * default version, dates, description) and the default version's document, as data.
 */

/** A policy document as JSON data (what GetPolicyVersion returns, before encoding). */
export interface PolicyDocumentData {
  readonly Version: '2012-10-17';
  readonly Statement: readonly Readonly<Record<string, unknown>>[];
}

/** One AWS managed policy's metadata and default document, before parsing. */
export interface ManagedPolicyData {
  readonly name: string;
  /** Where IAM files it: `/`, `/service-role/`, `/aws-service-role/`, `/job-function/`. */
  readonly path: string;
  /** IAM's policy id (`ANPA…`). */
  readonly id: string;
  readonly description: string;
  readonly defaultVersionId: string;
  /** When AWS created the policy (ISO 8601). */
  readonly createDate: string;
  /** When AWS created the default version (ISO 8601). */
  readonly updateDate: string;
  readonly document: PolicyDocumentData;
  /** For a service-linked role's policy: the role IAM creates for the service. */
  readonly serviceLinkedRole?: { readonly roleName: string; readonly servicePrincipal: string };
}
