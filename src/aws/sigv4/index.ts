/**
 * SigV4 as the endpoint uses it: read a request's credential scope (routing needs it first),
 * verify its signature against identity's secret, and word a refusal as each protocol does.
 */
export { credentialScope, type CredentialScope } from './scope.ts';
export {
  DEFAULT_MAX_SKEW_MS,
  verifyRequest,
  type SigningKeyLookup,
  type VerifiedRequest,
  type VerifyOptions,
} from './verify.ts';
export {
  SignatureError,
  signatureErrorCode,
  SignatureMessages,
  type SignatureErrorKind,
  type SignatureErrorWire,
  type SignatureFamily,
} from './errors.ts';
