/**
 * AWS CodeDeploy, as served by Wharf, for ECS blue/green deployments over the codedeploy
 * domain: applications, deployment groups (an ECS service, its target group pair and
 * listeners), deployment configurations (built-in and the account's own), deployments of
 * AppSpec revisions with ContinueDeployment and StopDeployment, their ECS targets, tags. The
 * deployment engine (controllers/codedeploy) runs what these record. The platform decodes AWS
 * JSON 1.1, authenticates, authorizes each operation as `codedeploy:<Action>` on the
 * application's, group's or configuration's ARN, validates against the model and encodes.
 */
import { codedeployModel, type CodedeployOperations, type ServiceDefinition } from '../../aws/index.ts';
import { applicationOperations } from './applications.ts';
import { codeDeployValidationError, type CodeDeployDeps } from './common.ts';
import { deploymentOperations } from './deployments.ts';
import { groupOperations } from './groups.ts';

export type { CodeDeployDeps } from './common.ts';

/** The CodeDeploy API over the given store, clock and ids. */
export function codeDeployService(deps: CodeDeployDeps): ServiceDefinition<CodedeployOperations> {
  return {
    model: codedeployModel,
    iamPrefix: 'codedeploy',
    operations: { ...applicationOperations(deps), ...groupOperations(deps), ...deploymentOperations(deps) },
    validationError: codeDeployValidationError,
    partly: {
      CreateApplication: 'ECS applications only: Server and Lambda are refused with InvalidComputePlatformException.',
      CreateDeploymentConfig: 'ECS configurations (trafficRoutingConfig) only.',
      CreateDeploymentGroup: 'ECS blue/green groups: one ECS service, one target group pair with a production listener and an optional test listener. Alarms stop deployments (alarmConfiguration); triggers are stored, not acted on.',
      UpdateApplication: 'renames only an application without deployment groups.',
      CreateDeployment: 'AppSpecContent (or String) revisions of an ECS AppSpec; Hooks naming Lambda functions are refused. One active deployment per group (DeploymentLimitExceededException).',
      StopDeployment: 'with autoRollbackEnabled the deployment itself returns traffic to the original task set and deletes the replacement; no separate rollback deployment is created.',
    },
  };
}
