/**
 * The regions Wharf serves and the partition each belongs to. A SigV4 credential scope or an
 * agent's `hello` naming anything else is refused at the edge, so no record is ever stored
 * under a region whose ARNs could not be parsed back.
 */

/** An AWS partition: the second field of every ARN. */
export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

const COMMERCIAL = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2',
  'af-south-1',
  'ap-east-1', 'ap-east-2', 'ap-south-1', 'ap-south-2',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7',
  'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-west-1', 'eu-west-2', 'eu-west-3',
  'il-central-1', 'me-central-1', 'me-south-1', 'mx-central-1', 'sa-east-1',
] as const;

const PARTITION_OF = new Map<string, Partition>([
  ...COMMERCIAL.map((r) => [r, 'aws'] as const),
  ['cn-north-1', 'aws-cn'], ['cn-northwest-1', 'aws-cn'],
  ['us-gov-east-1', 'aws-us-gov'], ['us-gov-west-1', 'aws-us-gov'],
]);

/** Every region Wharf serves, in no particular order. */
export const REGIONS: readonly string[] = [...PARTITION_OF.keys()];

/** True for a region Wharf serves (exact, lowercase: `US-EAST-1` and `us_east_1` are not regions). */
export function isRegion(region: string): boolean {
  return PARTITION_OF.has(region);
}

/** The partition of a region Wharf serves (`aws` for anything else, which callers have refused already). */
export function partitionOf(region: string): Partition {
  return PARTITION_OF.get(region) ?? 'aws';
}
