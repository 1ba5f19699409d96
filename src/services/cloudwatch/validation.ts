/**
 * How CloudWatch words a request that breaks its model: ValidationError with AWS's
 * `1 validation error detected: Value '...' at 'metricData.1.member.metricName' failed to satisfy constraint: ...`.
 */
import { AwsError, coralValidationMessage, type Violation } from '../../aws/index.ts';

/** The error for a request the model refuses. */
export function cloudWatchValidationError(violations: Violation[]): AwsError {
  return new AwsError('ValidationException', coralValidationMessage(violations));
}
