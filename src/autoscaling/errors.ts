import { AwsError } from '../aws/index.ts';

/** The EC2 Auto Scaling errors Wharf raises, by their codes and with AWS's messages: the one list the domain and the adapter throw from. */
export const AutoScalingErrors = {
  /** Bad input the model cannot catch (ValidationError, as the Query API names it). */
  validation: (message: string) => new AwsError('ValidationError', message),
  groupNotFound: (name: string) => new AwsError('ValidationError', `AutoScalingGroup name not found - AutoScalingGroup ${name} not found`),
  groupExists: (name: string) => new AwsError('AlreadyExists', `AutoScalingGroup by this name already exists - A group with the name ${name} already exists`),
  inUse: () => new AwsError('ResourceInUse', 'You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.'),
  activityInProgress: () => new AwsError('ScalingActivityInProgress', 'You cannot delete an AutoScalingGroup while there are scaling activities in progress for that group.'),
  /** SetDesiredCapacity with HonorCooldown while an activity runs or the cooldown after it does. */
  blockedBy: (activityId: string) => new AwsError('ScalingActivityInProgress', `Scaling activity ${activityId} is in progress and blocks this action`),
  pendingDelete: (name: string) => new AwsError('ScalingActivityInProgress', `AutoScalingGroup ${name} is pending delete.`),
  instanceNotFound: (id: string) => new AwsError('ValidationError', `Instance Id not found - No managed instance found for instance ID: ${id}`),
  notInGroup: (id: string, name: string) => new AwsError('ValidationError', `The instance ${id} is not part of Auto Scaling group ${name}.`),
  invalidNextToken: () => new AwsError('InvalidNextToken', 'The token provided is not valid.'),
  limitExceeded: (message: string) => new AwsError('LimitExceeded', message),
};
