/**
 * The parameters domain: SSM Parameter Store's parameters — their records and keys per account
 * and region, the rules for names, paths, selectors and labels, version history, filters, and
 * what the SSM API does with them. SecureString values are sealed at rest with the control
 * plane's sealer. Nothing here reads a request or shapes a response.
 */
export {
  DEFAULT_KEY_ID, MAX_LABELS, MAX_TAGS, MAX_VERSIONS, current, keys, parameterArn, sealContext,
  type ParameterRecord, type ParameterTag, type ParameterTier, type ParameterType, type ParameterVersionRecord, type Scope,
} from './records.ts';
export { SsmErrors } from './errors.ts';
export type { ParametersEnv } from './env.ts';
export { MAX_LEVELS, VALUE_LIMIT, checkAllowedPattern, checkName, isUnder, isValidLabel, levelsOf, normalizePath, parseReference, tierFor, type Reference, type Selector } from './names.ts';
export { checkFilters, fromLegacy, passes, type FilterUse, type LegacyFilter, type StringFilter } from './filters.ts';
export { appendVersion, attachLabels, detachLabels, select, type LabelResult, type UnlabelResult } from './versions.ts';
export {
  changeTags, deleteParameter, deleteParameters, describeParameters, getParameter, getParameterHistory, getParameters, getParametersByPath,
  labelParameterVersion, listTags, putParameter, unlabelParameterVersion,
  type ByPathRequest, type HistoryView, type MetadataView, type ParameterView, type PutRequest,
} from './parameters.ts';
