/**
 * How Secrets Manager words a request that breaks its model: ValidationException, with AWS's
 * `1 validation error detected: Value '...' at 'name' failed to satisfy constraint: ...`
 * (a sensitive value, such as SecretString, is never echoed).
 */
import { AwsError, coralValidationMessage, type Violation } from '../../aws/index.ts';

/** The error for a request the model refuses. */
export function secretsManagerValidationError(violations: Violation[]): AwsError {
  return new AwsError('ValidationException', coralValidationMessage(violations));
}
