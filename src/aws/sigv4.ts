/** Kept so existing imports of `aws/sigv4.ts` work: SigV4 lives in `aws/sigv4/`. */
export { credentialScope, type CredentialScope } from './sigv4/scope.ts';
