/**
 * Why IAM refuses a policy document, in IAM's own words. The IAM API turns a
 * `PolicyDocumentError` into a `MalformedPolicyDocument` error carrying the same message, so
 * SDK callers see the text AWS would have sent.
 */

/** A policy document IAM would refuse; `message` is IAM's MalformedPolicyDocument text. */
export class PolicyDocumentError extends Error {
  /** The AWS error code the IAM API answers with. */
  readonly code = 'MalformedPolicyDocument';

  constructor(message: string) {
    super(message);
    this.name = 'PolicyDocumentError';
  }
}

/** IAM's MalformedPolicyDocument messages, one place so the tests and the parser agree. */
export const PolicyMessages = {
  syntax: 'Syntax errors in policy.',
  legacy: 'The policy failed legacy parsing',
  version: 'Policy document must be version 2012-10-17 or greater.',
  sidUnique: 'Statement IDs (SID) in a single policy must be unique.',
  sidAlphanumeric: 'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  actions: 'Policy statement must contain actions.',
  resources: 'Policy statement must contain resources.',
  principalNotAllowed: 'Policy document should not specify a principal.',
  vendor: 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  oneColon: 'Actions/Condition can contain only one colon.',
  invalidVendor: (vendor: string) => `Vendor ${vendor} is not valid`,
  resourceFormat: (resource: string) => `Resource ${resource} must be in ARN format or "*".`,
  partition: (partition: string, normalised: string) => `Partition "${partition}" is not valid for resource "${normalised}".`,
  resourceVendor: 'Resource vendor must be fully qualified and cannot contain regexes.',
  iamRegion: (resource: string) => `IAM resource ${resource} cannot contain region information.`,
  prohibitedField: (field: string) => `Has prohibited field ${field}`,
  missingField: (field: string) => `Missing required field ${field}`,
  invalidPrincipal: (type: string, value: string) => `Invalid principal in policy: "${type}":"${value}"`,
  trustActions: 'AssumeRole policy may only specify STS AssumeRole actions.',
} as const;
