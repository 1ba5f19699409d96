import { AwsError } from '../aws/index.ts';

/** The Secrets Manager errors Wharf raises, by Secrets Manager's codes: the one list the domain and the adapter throw from. */
export const SecretsErrors = {
  notFound: () => new AwsError('ResourceNotFoundException', "Secrets Manager can't find the specified secret."),
  valueNotFound: (what: string) => new AwsError('ResourceNotFoundException', `Secrets Manager can't find the specified secret value for ${what}`),
  exists: (name: string) => new AwsError('ResourceExistsException', `The operation failed because the secret ${name} already exists.`),
  versionExists: () => new AwsError('ResourceExistsException', 'You can\'t modify an existing version, you can only create new versions.'),
  invalidParameter: (message: string) => new AwsError('InvalidParameterException', message),
  invalidRequest: (message: string) => new AwsError('InvalidRequestException', message),
  markedForDeletion: () => new AwsError('InvalidRequestException', "You can't perform this operation on the secret because it was marked for deletion."),
  scheduledName: () => new AwsError('InvalidRequestException', "You can't create this secret because a secret with this name is already scheduled for deletion."),
  validation: (message: string) => new AwsError('ValidationException', message),
  malformedPolicy: (message: string) => new AwsError('MalformedPolicyDocumentException', message),
  invalidNextToken: () => new AwsError('InvalidNextTokenException', 'The NextToken value is invalid.'),
};
