/**
 * The model part of Wharf's AWS platform: the form of the service models generated from AWS's
 * own (`src/aws/models/<service>.json`), the validator that checks a decoded request against
 * one, and how its findings are worded.
 */
export type {
  BlobShape, ListShape, MapShape, MemberRef, NumberShape, OperationModel, ProtocolName, ServiceMetadata,
  ServiceModel, Shape, SimpleShape, StringShape, StructureShape,
} from './types.ts';
export { validateInput } from './validate.ts';
export { compileJavaPattern, type CompiledPattern } from './pattern.ts';
export { coralPath, coralValidationMessage, coralValue, coralViolation, memberPath } from './messages.ts';
