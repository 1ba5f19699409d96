/**
 * How ECS words a request that breaks its model (a required member missing, a value outside an
 * enum, a tag key too long, a number out of range): InvalidParameterException, or for
 * RegisterTaskDefinition the ClientException ECS answers task definition problems with. The
 * message is AWS's wording of each constraint, with the member named as Wharf's messages name
 * it (`containerDefinitions[0].name`).
 */
import { coralValue, memberPath, type AwsError, type Violation } from '../../aws/index.ts';
import { EcsErrors } from '../../ecs/index.ts';

/** ECS's own words for RegisterTaskDefinition's two required members. */
const TASK_DEFINITION_WORDS: Record<string, string> = {
  family: 'Family can not be blank.',
  containerDefinitions: 'Container list cannot be empty.',
};

/** One violation: `Value 'x' at 'settings[0].value' failed to satisfy constraint: Member must ...`. */
function describe(violation: Violation): string {
  const at = `at '${memberPath(violation.path)}' failed to satisfy constraint: ${violation.message}`;
  if (violation.value === undefined || violation.value === null) return `Value null ${at}`;
  // A sensitive value is never echoed.
  if (violation.sensitive) return `Value ${at}`;
  return `Value '${coralValue(violation.value)}' ${at}`;
}

/** The message for every violation: `1 validation error detected: ...`, or `N validation errors detected: ...; ...`. */
export function ecsValidationMessage(violations: readonly Violation[]): string {
  const n = violations.length;
  return `${n} validation error${n === 1 ? '' : 's'} detected: ${violations.map(describe).join('; ')}`;
}

/**
 * The error for a request the model refuses. RegisterTaskDefinition answers ClientException
 * (its tags, like every operation's, InvalidParameterException), in ECS's own words where a
 * required member of the task definition is missing.
 */
export function ecsValidationError(violations: Violation[], operation: string): AwsError {
  const first = violations[0];
  if (operation === 'RegisterTaskDefinition' && first && first.path[0] !== 'tags') {
    const own = first.constraint === 'required' && first.path.length === 1 ? TASK_DEFINITION_WORDS[String(first.path[0])] : undefined;
    return EcsErrors.client(own ?? ecsValidationMessage(violations));
  }
  return EcsErrors.invalidParameter(ecsValidationMessage(violations));
}
