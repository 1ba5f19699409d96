import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsError } from '../aws/index.ts';
import { parseEcsAppSpec } from './appspec.ts';

const YAML = `version: 0.0
Resources:
  - TargetService:
      Type: AWS::ECS::Service
      Properties:
        TaskDefinition: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3"
        LoadBalancerInfo:
          ContainerName: "web"
          ContainerPort: 8080
        PlatformVersion: "LATEST"
        NetworkConfiguration:
          AwsvpcConfiguration:
            Subnets: ["subnet-1", "subnet-2"]
            SecurityGroups: ["sg-1"]
            AssignPublicIp: "DISABLED"
        CapacityProviderStrategy:
          - CapacityProvider: "FARGATE"
            Base: 1
            Weight: 2
`;

function refused(content: string, pattern: RegExp): void {
  assert.throws(() => parseEcsAppSpec(content), (e: unknown) => e instanceof AwsError && e.code === 'InvalidRevisionException' && pattern.test(e.message));
}

describe('ECS AppSpec', () => {
  test('YAML: every property the replacement task set takes', () => {
    assert.deepEqual(parseEcsAppSpec(YAML), {
      taskDefinition: 'arn:aws:ecs:us-east-1:111122223333:task-definition/web:3',
      containerName: 'web', containerPort: 8080, platformVersion: 'LATEST',
      networkConfiguration: { subnets: ['subnet-1', 'subnet-2'], securityGroups: ['sg-1'], assignPublicIp: 'DISABLED' },
      capacityProviderStrategy: [{ capacityProvider: 'FARGATE', base: 1, weight: 2 }],
    });
  });

  test('JSON, with the version as a string and a port as a string', () => {
    const json = JSON.stringify({
      version: '0.0',
      Resources: [{ TargetService: { Type: 'AWS::ECS::Service', Properties: { TaskDefinition: 'web:1', LoadBalancerInfo: { ContainerName: 'web', ContainerPort: '80' } } } }],
    });
    assert.deepEqual(parseEcsAppSpec(json), { taskDefinition: 'web:1', containerName: 'web', containerPort: 80 });
  });

  test('bad input names the field', () => {
    refused('version: 0.0\nResources: [', /neither YAML nor JSON/);
    refused('Resources: []', /version is required/);
    refused('version: 1.0\nResources: []', /version must be 0.0/);
    refused('version: 0.0\nResources: []', /Resources must be a list/);
    refused(YAML.replace('AWS::ECS::Service', 'AWS::Lambda::Function'), /Resources\[0\]\.TargetService\.Type must be AWS::ECS::Service/);
    refused(YAML.replace('TaskDefinition: "arn:aws:ecs:us-east-1:111122223333:task-definition/web:3"', 'TaskDefinition: ""'), /Properties\.TaskDefinition must be a non-empty string/);
    refused(YAML.replace('ContainerPort: 8080', 'ContainerPort: 99999'), /LoadBalancerInfo\.ContainerPort must be a port number/);
    refused(YAML.replace('ContainerName: "web"', 'ContainerName: 7'), /LoadBalancerInfo\.ContainerName/);
    refused(YAML.replace('Subnets: ["subnet-1", "subnet-2"]', 'Subnets: []'), /AwsvpcConfiguration\.Subnets must name at least one subnet/);
    refused(YAML.replace('AssignPublicIp: "DISABLED"', 'AssignPublicIp: "MAYBE"'), /AssignPublicIp must be ENABLED or DISABLED/);
    refused(YAML.replace('Base: 1', 'Base: -1'), /CapacityProviderStrategy\[0\]\.Base/);
  });

  test('hooks naming Lambda functions are refused: Wharf runs none', () => {
    refused(`${YAML}Hooks:\n  - BeforeInstall: "LambdaFunctionToValidateBeforeInstall"\n`, /Hooks: BeforeInstall names the Lambda function LambdaFunctionToValidateBeforeInstall/);
  });
});
