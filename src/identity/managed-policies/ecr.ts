/**
 * The Amazon ECR managed policies (AWS Managed Policy Reference; documents kept as published):
 * read-only pulls, push-and-pull without deleting repositories or changing their policies, and
 * full administration. The creation times are AWS's to the minute for PowerUser; for the other
 * two the day is AWS's and the minute is not known.
 */
import type { ManagedPolicyData } from './types.ts';

const READ = [
  'ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy',
  'ecr:DescribeRepositories', 'ecr:ListImages', 'ecr:DescribeImages', 'ecr:BatchGetImage', 'ecr:GetLifecyclePolicy',
  'ecr:GetLifecyclePolicyPreview', 'ecr:ListTagsForResource', 'ecr:DescribeImageScanFindings',
];

/** Pull images and read repository settings. */
export const AmazonEC2ContainerRegistryReadOnly: ManagedPolicyData = {
  name: 'AmazonEC2ContainerRegistryReadOnly',
  path: '/',
  id: 'ANPAIFYZPA37OOHVIH7KQ',
  description: 'Provides read-only access to Amazon EC2 Container Registry repositories.',
  defaultVersionId: 'v3',
  createDate: '2015-12-21T17:04:00Z',
  updateDate: '2019-12-10T20:56:32Z',
  document: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: READ, Resource: '*' }] },
};

/** Pull and push images; no repository deletion or policy changes. */
export const AmazonEC2ContainerRegistryPowerUser: ManagedPolicyData = {
  name: 'AmazonEC2ContainerRegistryPowerUser',
  path: '/',
  id: 'ANPAJDNE5PIHROIBGGDDW',
  description: 'Provides full access to Amazon EC2 Container Registry repositories, but does not allow repository deletion or policy changes.',
  defaultVersionId: 'v3',
  createDate: '2015-12-21T17:05:00Z',
  updateDate: '2019-12-10T20:48:08Z',
  document: {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: [...READ, 'ecr:InitiateLayerUpload', 'ecr:UploadLayerPart', 'ecr:CompleteLayerUpload', 'ecr:PutImage'],
        Resource: '*',
      },
    ],
  },
};

/** Every ECR action, lifecycle events from CloudTrail, and ECR's replication service-linked role. */
export const AmazonEC2ContainerRegistryFullAccess: ManagedPolicyData = {
  name: 'AmazonEC2ContainerRegistryFullAccess',
  path: '/',
  id: 'ANPAIESRL7KD7IIVF6V4W',
  description: 'Provides administrative access to Amazon ECR resources',
  defaultVersionId: 'v3',
  createDate: '2015-12-21T17:06:00Z',
  updateDate: '2020-12-05T00:04:19Z',
  document: {
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Action: ['ecr:*', 'cloudtrail:LookupEvents'], Resource: '*' },
      {
        Effect: 'Allow',
        Action: ['iam:CreateServiceLinkedRole'],
        Resource: '*',
        Condition: { StringEquals: { 'iam:AWSServiceName': ['replication.ecr.amazonaws.com'] } },
      },
    ],
  },
};
