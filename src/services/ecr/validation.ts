/**
 * How ECR words a request that breaks its model. ECR does not answer the service framework's
 * `ValidationException: 1 validation error detected: …`; it answers InvalidParameterException
 * naming one member, with the framework's constraint text inside its own frame:
 *
 *   Invalid parameter at 'maxResults' failed to satisfy constraint: 'Member must have value less than or equal to 1000'
 *   Invalid parameter at 'registryIds' failed to satisfy constraint: 'Member must satisfy constraint: [Member must satisfy regular expression pattern: [0-9]{12}]'
 *
 * and, for the members it checks itself, its own shorter text:
 *
 *   Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+…)*''
 *   Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must have length greater than or equal to 2'
 *   Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy regular expression [0-9]{12}'
 *
 * Nested members are named as Wharf names them elsewhere (`imageIds[0].imageTag`).
 */
import { memberPath, type AwsError, type Violation } from '../../aws/index.ts';
import { REPOSITORY_NAME_PATTERN } from './common.ts';
import { EcrErrors } from './errors.ts';

/** The constraint text of one violation: ECR's own for the members it checks itself, else the model's. */
function constraintText(violation: Violation): string {
  const member = violation.path[violation.path.length - 1];
  if (member === 'repositoryName') {
    if (violation.constraint === 'pattern') return `must satisfy regular expression '${REPOSITORY_NAME_PATTERN}'`;
    if (violation.constraint === 'length') return violation.message.replace(/^Member /, '');
  }
  if (member === 'registryId' && violation.constraint === 'pattern') return 'must satisfy regular expression [0-9]{12}';
  return violation.message;
}

/** ECR's InvalidParameterException for the first constraint a request breaks (ECR names one at a time). */
export function ecrValidationError(violations: readonly Violation[]): AwsError {
  const [first] = violations;
  if (!first) return EcrErrors.validation();
  return EcrErrors.constraint(memberPath(first.path), constraintText(first));
}
