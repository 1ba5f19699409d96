import { AwsError } from '../aws/index.ts';

/**
 * The EC2 errors Wharf raises, by EC2's codes (all HTTP 400): the one list the network domain,
 * the EC2 API adapter and ECS's awsvpc checks throw from.
 */
export const Ec2Errors = {
  invalidParameterValue: (message: string) => new AwsError('InvalidParameterValue', message),
  missingParameter: (message: string) => new AwsError('MissingParameter', message),
  invalidVpcNotFound: (id: string) => new AwsError('InvalidVpcID.NotFound', `The vpc ID '${id}' does not exist`),
  invalidSubnetNotFound: (id: string) => new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`),
  invalidGroupNotFound: (id: string) => new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`),
  invalidNetworkInterfaceNotFound: (id: string) =>
    new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${id}' does not exist`),
};
