/**
 * How EC2 words a request that breaks its model: a missing member is MissingParameter ("The
 * request must contain the parameter groupName"), any other broken constraint
 * InvalidParameterValue ("Value (2) for parameter maxResults is invalid. ..."), each naming the
 * parameter as EC2 does: its query name with a lowercase first letter, list positions from 1.
 */
import { AwsError, coralValue, ec2Model, type Violation } from '../../aws/index.ts';

const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A violation's path as EC2 names the parameter: `ipPermissions.1.fromPort`. */
export function ec2ParameterName(operation: string, path: readonly (string | number)[]): string {
  let shapeName = ec2Model.operations[operation]?.input;
  const parts: string[] = [];
  for (const segment of path) {
    const shape = shapeName === undefined ? undefined : ec2Model.shapes[shapeName];
    if (typeof segment === 'number') {
      parts.push(String(segment + 1));
      shapeName = shape?.type === 'list' ? shape.member.shape : undefined;
    } else {
      const ref = shape?.type === 'structure' ? shape.members[segment] : undefined;
      parts.push(lowerFirst(ref ? ref.queryName ?? upperFirst(ref.locationName ?? segment) : segment));
      shapeName = ref?.shape;
    }
  }
  return parts.join('.');
}

/** The first violation, in EC2's words. */
export function ec2ValidationError(violations: readonly Violation[], operation: string): AwsError {
  const v = violations[0]!;
  // EC2's list of instance types grows every month: it words an unknown one its own way, not as an enum.
  if (operation === 'DescribeInstanceTypes' && v.path[0] === 'InstanceTypes') {
    const known = new Set((ec2Model.shapes.InstanceType as { enum?: string[] } | undefined)?.enum ?? []);
    const unknown = [v.value].flat().map(String).filter((t) => !known.has(t));
    return new AwsError('InvalidInstanceType', `The following supplied instance types do not exist: [${unknown.join(', ')}]`);
  }
  if (v.constraint === 'enum' && v.path.at(-1) === 'InstanceType') return new AwsError('InvalidParameterValue', `Invalid value '${String(v.value)}' for InstanceType.`);
  const parameter = ec2ParameterName(operation, v.path);
  if (v.constraint === 'required') return new AwsError('MissingParameter', `The request must contain the parameter ${parameter}`);
  const value = v.sensitive ? '' : coralValue(v.value);
  return new AwsError('InvalidParameterValue', `Value (${value}) for parameter ${parameter} is invalid. ${v.message}`);
}
