/**
 * Generates Wharf's service models, `src/aws/models/<service>.json` and `<service>.ts`, from
 * AWS's own models: the pinned AWS SDK for JavaScript v3 clients (operations, shapes, members,
 * required members, enums, wire names, error codes) and botocore's JSON models from Debian's
 * python3-botocore (lengths, ranges, patterns, number kinds, errors per operation).
 *
 *   npx tsx scripts/generate-models.ts            # every service below
 *   npx tsx scripts/generate-models.ts iam sts    # just these
 *   BOTOCORE_DATA=<botocore>/data npx tsx scripts/generate-models.ts codedeploy   # another botocore's models
 *
 * The CodeDeploy, SQS, Application Auto Scaling and EC2 Auto Scaling models were generated from a newer botocore's (gzipped) models, given through BOTOCORE_DATA;
 * EC2's from the botocore inside Debian's AWS CLI v2 (BOTOCORE_DATA=/usr/lib/python3/dist-packages/awscli/botocore/data).
 *
 * `sqs-query` is SQS's committed model with its members named as SQS's Query model (in the AWS
 * CLI's own botocore, QUERY_BOTOCORE_DATA) names them: what Query clients are answered with.
 *
 * The output is committed; tests and CI never run this (CI has no botocore). Adding a service is
 * one line in SERVICES (and its client in package.json); `operations` narrows a large API to what
 * Wharf serves.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compileJavaPattern } from '../src/aws/model/pattern.ts';
import type { ServiceModel } from '../src/aws/model/types.ts';
import { BOTOCORE_DATA, loadBotocoreModel } from './models/botocore.ts';
import { buildServiceModel } from './models/build-model.ts';
import { formatModelJson, formatModelModule, formatQueryModelModule } from './models/emit.ts';
import { queryNamedModel, type Retargets } from './models/query-names.ts';
import { readSdkDeclarations } from './models/sdk-declarations.ts';
import { readSdkMetadata } from './models/sdk-metadata.ts';
import { readSdkSchemas } from './models/smithy-schemas.ts';

/** One API Wharf serves: its file name, its SDK client, its botocore directory, and the operations to include (all when absent). */
interface ServiceSource {
  id: string;
  client: string;
  botocore: string;
  operations?: readonly string[];
  /** The Query protocol's XML namespace, for an awsQueryCompatible client that does not name it. */
  xmlNamespace?: string;
}

/** The EC2 operations Wharf serves: VPC networking, instances and launch templates, of EC2's ~750. */
const EC2_OPERATIONS = [
  'CreateVpc', 'DescribeVpcs', 'DeleteVpc',
  'CreateSubnet', 'DescribeSubnets', 'DeleteSubnet',
  'CreateSecurityGroup', 'DescribeSecurityGroups', 'DeleteSecurityGroup',
  'AuthorizeSecurityGroupIngress', 'AuthorizeSecurityGroupEgress', 'RevokeSecurityGroupIngress', 'RevokeSecurityGroupEgress',
  'DescribeSecurityGroupRules', 'DescribeNetworkInterfaces', 'DescribeAvailabilityZones', 'DescribeAccountAttributes',
  'CreateTags', 'DeleteTags', 'DescribeTags',
  'RunInstances', 'StartInstances', 'StopInstances', 'TerminateInstances', 'DescribeInstances', 'DescribeInstanceStatus',
  'DescribeInstanceAttribute', 'DescribeInstanceTypes',
  'CreateLaunchTemplate', 'CreateLaunchTemplateVersion', 'DescribeLaunchTemplates', 'DescribeLaunchTemplateVersions',
  'ModifyLaunchTemplate', 'DeleteLaunchTemplate', 'DeleteLaunchTemplateVersions',
];

/** The SSM operations Wharf serves: Parameter Store, of SSM's ~150. */
const SSM_OPERATIONS = [
  'PutParameter', 'GetParameter', 'GetParameters', 'GetParametersByPath', 'DeleteParameter', 'DeleteParameters',
  'DescribeParameters', 'GetParameterHistory', 'LabelParameterVersion', 'UnlabelParameterVersion',
  'AddTagsToResource', 'RemoveTagsFromResource', 'ListTagsForResource',
];

/** The EFS operations Wharf serves: file systems, access points, mount targets, tags and policies. */
const EFS_OPERATIONS = [
  'CreateFileSystem', 'DescribeFileSystems', 'DeleteFileSystem',
  'CreateAccessPoint', 'DescribeAccessPoints', 'DeleteAccessPoint',
  'CreateMountTarget', 'DescribeMountTargets', 'DeleteMountTarget',
  'DescribeMountTargetSecurityGroups', 'ModifyMountTargetSecurityGroups',
  'TagResource', 'UntagResource', 'ListTagsForResource', 'CreateTags', 'DeleteTags', 'DescribeTags',
  'PutFileSystemPolicy', 'DescribeFileSystemPolicy', 'DeleteFileSystemPolicy',
];

/** The ELBv2 operations Wharf serves: load balancers, listeners, rules, target groups, tags (not trust stores or capacity reservations). */
const ELBV2_OPERATIONS = [
  'CreateLoadBalancer', 'DescribeLoadBalancers', 'DeleteLoadBalancer', 'DescribeLoadBalancerAttributes', 'ModifyLoadBalancerAttributes',
  'SetSecurityGroups', 'SetSubnets', 'SetIpAddressType',
  'CreateTargetGroup', 'ModifyTargetGroup', 'DescribeTargetGroups', 'DeleteTargetGroup',
  'DescribeTargetGroupAttributes', 'ModifyTargetGroupAttributes', 'RegisterTargets', 'DeregisterTargets', 'DescribeTargetHealth',
  'CreateListener', 'ModifyListener', 'DeleteListener', 'DescribeListeners',
  'AddListenerCertificates', 'RemoveListenerCertificates', 'DescribeListenerCertificates',
  'CreateRule', 'ModifyRule', 'SetRulePriorities', 'DeleteRule', 'DescribeRules',
  'DescribeSSLPolicies', 'DescribeAccountLimits', 'AddTags', 'RemoveTags', 'DescribeTags',
];

/** The EC2 Auto Scaling operations Wharf serves: groups, their instances and activities, tags (not policies, hooks, warm pools or refreshes). */
const AUTOSCALING_OPERATIONS = [
  'CreateAutoScalingGroup', 'UpdateAutoScalingGroup', 'DeleteAutoScalingGroup', 'DescribeAutoScalingGroups', 'SetDesiredCapacity',
  'DescribeAutoScalingInstances', 'DescribeScalingActivities', 'SetInstanceProtection', 'TerminateInstanceInAutoScalingGroup',
  'CreateOrUpdateTags', 'DeleteTags', 'DescribeTags', 'DescribeAccountLimits', 'DescribeLifecycleHooks',
];

/** The CodeDeploy operations Wharf serves: applications, deployment groups and configs, ECS deployments and their targets, tags. */
const CODEDEPLOY_OPERATIONS = [
  'CreateApplication', 'GetApplication', 'ListApplications', 'BatchGetApplications', 'DeleteApplication', 'UpdateApplication',
  'CreateDeploymentGroup', 'GetDeploymentGroup', 'ListDeploymentGroups', 'UpdateDeploymentGroup', 'DeleteDeploymentGroup', 'BatchGetDeploymentGroups',
  'CreateDeploymentConfig', 'GetDeploymentConfig', 'ListDeploymentConfigs', 'DeleteDeploymentConfig',
  'CreateDeployment', 'GetDeployment', 'BatchGetDeployments', 'ListDeployments', 'ContinueDeployment', 'StopDeployment',
  'ListDeploymentTargets', 'GetDeploymentTarget', 'BatchGetDeploymentTargets',
  'TagResource', 'UntagResource', 'ListTagsForResource',
];

const SERVICES: ServiceSource[] = [
  { id: 'ecs', client: '@aws-sdk/client-ecs', botocore: 'ecs' },
  { id: 'ecr', client: '@aws-sdk/client-ecr', botocore: 'ecr' },
  { id: 'iam', client: '@aws-sdk/client-iam', botocore: 'iam' },
  { id: 'sts', client: '@aws-sdk/client-sts', botocore: 'sts' },
  { id: 'ec2', client: '@aws-sdk/client-ec2', botocore: 'ec2', operations: EC2_OPERATIONS },
  { id: 'secretsmanager', client: '@aws-sdk/client-secrets-manager', botocore: 'secretsmanager' },
  { id: 'ssm', client: '@aws-sdk/client-ssm', botocore: 'ssm', operations: SSM_OPERATIONS },
  { id: 'efs', client: '@aws-sdk/client-efs', botocore: 'efs', operations: EFS_OPERATIONS },
  { id: 'logs', client: '@aws-sdk/client-cloudwatch-logs', botocore: 'logs' },
  { id: 'events', client: '@aws-sdk/client-eventbridge', botocore: 'events' },
  { id: 'cloudwatch', client: '@aws-sdk/client-cloudwatch', botocore: 'cloudwatch' },
  { id: 'scheduler', client: '@aws-sdk/client-scheduler', botocore: 'scheduler' },
  { id: 'elbv2', client: '@aws-sdk/client-elastic-load-balancing-v2', botocore: 'elbv2', operations: ELBV2_OPERATIONS },
  { id: 'acm', client: '@aws-sdk/client-acm', botocore: 'acm' },
  { id: 'servicediscovery', client: '@aws-sdk/client-servicediscovery', botocore: 'servicediscovery' },
  { id: 'codedeploy', client: '@aws-sdk/client-codedeploy', botocore: 'codedeploy', operations: CODEDEPLOY_OPERATIONS },
  { id: 'sqs', client: '@aws-sdk/client-sqs', botocore: 'sqs', xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/' },
  { id: 'application-autoscaling', client: '@aws-sdk/client-application-auto-scaling', botocore: 'application-autoscaling' },
  { id: 'autoscaling', client: '@aws-sdk/client-auto-scaling', botocore: 'autoscaling', operations: AUTOSCALING_OPERATIONS },
];

/** A Query-named copy of a generated JSON model, for an API that was a Query API (see models/query-names.ts). */
interface QueryModelSource {
  id: string;
  /** The committed JSON model it copies. */
  from: string;
  /** The botocore directory of the API's Query model. */
  botocore: string;
  /** Members pointed at another of the model's shapes, where the model says less than the API took. */
  retargets?: Retargets;
}

const QUERY_MODELS: QueryModelSource[] = [
  {
    id: 'sqs-query', from: 'sqs', botocore: 'sqs',
    // Query clients ask ReceiveMessage for message attributes (`AttributeName.1=SentTimestamp`)
    // in a list the model types as queue attribute names: SQS took the message attributes' names.
    retargets: { 'ReceiveMessageRequest.AttributeNames': 'MessageSystemAttributeList' },
  },
];

/** The AWS CLI's own botocore, whose SQS model is still the Query one (CLIs before 2.13). */
const QUERY_BOTOCORE_DATA = process.env.QUERY_BOTOCORE_DATA ?? '/usr/lib/python3/dist-packages/awscli/botocore/data';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(root, 'src', 'aws', 'models');

function packageDir(client: string): string {
  const require = createRequire(join(root, 'package.json'));
  return dirname(dirname(require.resolve(client)));
}

function botocoreVersion(data: string = BOTOCORE_DATA): string {
  const init = join(dirname(data), '__init__.py');
  if (!existsSync(init)) return 'unknown';
  return /__version__\s*=\s*'([^']+)'/.exec(readFileSync(init, 'utf8'))?.[1] ?? 'unknown';
}

/** Patterns JavaScript cannot express (reported here, skipped by the validator) or only by backtracking. */
function patternProblems(model: ServiceModel): string[] {
  const problems: string[] = [];
  for (const [name, shape] of Object.entries(model.shapes)) {
    if (shape.type !== 'string' || shape.pattern === undefined) continue;
    const compiled = compileJavaPattern(shape.pattern);
    if (!compiled.ok) problems.push(`shape ${name}: pattern ${JSON.stringify(shape.pattern)} cannot be converted (${compiled.reason}); the validator skips it`);
    else if (!compiled.linear) problems.push(`shape ${name}: pattern ${JSON.stringify(shape.pattern)} is not regular: matched by backtracking`);
  }
  return problems;
}

function generate(source: ServiceSource): void {
  const dir = packageDir(source.client);
  const version = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;
  const botocore = loadBotocoreModel(source.botocore);
  if (!botocore) console.warn(`${source.id}: botocore has no model ${source.botocore}: no lengths, ranges or patterns`);
  const declarations = readSdkDeclarations(dir);
  const { model, notes } = buildServiceModel({
    metadata: readSdkMetadata(dir, source.xmlNamespace),
    sdk: readSdkSchemas(source.client, root),
    declarations,
    botocore,
    operations: source.operations,
  });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${source.id}.json`), formatModelJson(model));
  const provenance = `${source.client} ${version} and botocore ${botocoreVersion()} (${source.botocore})`;
  writeFileSync(join(outDir, `${source.id}.ts`), formatModelModule(source.id, source.client, provenance, model, declarations.typeNames));
  const problems = patternProblems(model);
  const counts = `${Object.keys(model.operations).length} operations, ${Object.keys(model.shapes).length} shapes`;
  console.log(`${source.id}: ${counts} (${provenance})`);
  for (const line of [...problems, ...notes]) console.log(`  ${line}`);
}

function generateQuery(source: QueryModelSource): void {
  const boto = loadBotocoreModel(source.botocore, QUERY_BOTOCORE_DATA);
  if (!boto || boto.metadata.protocol !== 'query') {
    console.warn(`${source.id}: no Query model of ${source.botocore} in ${QUERY_BOTOCORE_DATA}: not generated`);
    return;
  }
  const json = JSON.parse(readFileSync(join(outDir, `${source.from}.json`), 'utf8')) as ServiceModel;
  const { model, notes } = queryNamedModel(json, boto, source.retargets);
  writeFileSync(join(outDir, `${source.id}.json`), formatModelJson(model));
  const provenance = `the Query model of botocore ${botocoreVersion(QUERY_BOTOCORE_DATA)} (${source.botocore})`;
  writeFileSync(join(outDir, `${source.id}.ts`), formatQueryModelModule(source.id, source.from, provenance, model));
  console.log(`${source.id}: ${Object.keys(model.operations).length} operations, ${Object.keys(model.shapes).length} shapes (${provenance})`);
  for (const line of notes) console.log(`  ${line}`);
}

const wanted = process.argv.slice(2);
const known = [...SERVICES.map((s) => s.id), ...QUERY_MODELS.map((s) => s.id)];
const unknown = wanted.filter((id) => !known.includes(id));
if (unknown.length > 0) {
  console.error(`unknown service(s): ${unknown.join(', ')}; known: ${known.join(', ')}`);
  process.exit(2);
}
for (const source of SERVICES) if (wanted.length === 0 || wanted.includes(source.id)) generate(source);
for (const source of QUERY_MODELS) if (wanted.length === 0 || wanted.includes(source.id)) generateQuery(source);
