/**
 * SQS's model in the Query protocol's names, for clients that speak Query to it: generated
 * by scripts/generate-models.ts from sqs.json and the Query model of botocore 2.0.0dev155 (sqs). Do not edit: regenerate.
 */
import { readFileSync } from 'node:fs';
import type { ServiceModel } from '../model/types.ts';

/** SQS's sqs.json shapes and constraints, with the members named as its Query model names them. */
export const sqsQueryModel: ServiceModel = JSON.parse(readFileSync(new URL('./sqs-query.json', import.meta.url), 'utf8')) as ServiceModel;
