/**
 * The SSM errors Parameter Store raises, by SSM's codes (HTTP 400): the one list the parameters
 * domain and the SSM API adapter throw from.
 */
import { AwsError } from '../aws/index.ts';

export const SsmErrors = {
  validation: (message: string) => new AwsError('ValidationException', message),
  notFound: (name: string) => new AwsError('ParameterNotFound', `Parameter ${name} not found.`),
  alreadyExists: () =>
    new AwsError('ParameterAlreadyExists', 'The parameter already exists. To overwrite this value, set the overwrite option in the request to true.'),
  versionNotFound: (name: string, version: number | string) =>
    new AwsError('ParameterVersionNotFound', `Systems Manager could not find version ${version} of ${name}. Verify the version and try again.`),
  patternMismatch: (pattern: string) =>
    new AwsError('ParameterPatternMismatchException', `Parameter value, cannot be validated against allowedPattern: ${pattern}`),
  invalidAllowedPattern: (pattern: string) => new AwsError('InvalidAllowedPatternException', `The allowed pattern ${pattern} is not a valid regular expression.`),
  hierarchyLevelLimit: () => new AwsError('HierarchyLevelLimitExceededException', 'A hierarchy can have a maximum of 15 levels.'),
  maxVersions: (name: string, version: number) => new AwsError('ParameterMaxVersionLimitExceeded',
    `You attempted to create a new version of ${name} by calling the PutParameter API with the overwrite flag. Version ${version}, the oldest version, can't be deleted because it has a label associated with it. Move the label to another version of the parameter, and try again.`),
  labelLimit: () => new AwsError('ParameterVersionLabelLimitExceeded',
    'A parameter version can have maximum 10 labels.Move one or more labels to another version and try again.'),
  tooManyTags: () => new AwsError('TooManyTagsError', 'The Tags parameter contains more than 50 entries.'),
  invalidResourceId: () => new AwsError('InvalidResourceId', 'The resource ID is not valid. Verify that you entered the correct ID and try again.'),
  invalidResourceType: () => new AwsError('InvalidResourceType', 'The resource type is not valid. Parameter is the only resource type this endpoint tags.'),
  invalidKeyId: (keyId: string) => new AwsError('InvalidKeyId', `Invalid keyId ${keyId}`),
  unsupportedType: (type: string) => new AwsError('UnsupportedParameterType', `The parameter type ${type} is not supported.`),
  invalidFilterKey: (key: string) => new AwsError('InvalidFilterKey', `The filter key ${key} is not valid.`),
  invalidFilterOption: (message: string) => new AwsError('InvalidFilterOption', message),
  invalidFilterValue: (message: string) => new AwsError('InvalidFilterValue', message),
  invalidNextToken: () => new AwsError('InvalidNextToken', 'The specified token isn\'t valid.'),
};
