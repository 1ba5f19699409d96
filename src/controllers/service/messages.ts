/**
 * The words of ECS's service events and stopped-task reasons, in one place, so the controller
 * says what ECS says ("(service web) has reached a steady state.") and tests can match them.
 */
const taskList = (ids: string[]) => ids.map((id) => `(task ${id})`).join(' ');

export const messages = {
  steadyState: (service: string) => `(service ${service}) has reached a steady state.`,
  started: (service: string, taskIds: string[]) => `(service ${service}) has started ${taskIds.length} tasks: ${taskList(taskIds)}.`,
  stopped: (service: string, taskIds: string[]) => `(service ${service}) has stopped ${taskIds.length} running tasks: ${taskList(taskIds)}.`,
  failedHealthChecks: (service: string, taskId: string) => `(service ${service}) (task ${taskId}) failed container health checks.`,
  throttled: (service: string) => `(service ${service}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
  deploymentCompleted: (service: string, deployment: string) => `(service ${service}) (deployment ${deployment}) deployment completed.`,
  deploymentFailed: (service: string, deployment: string) => `(service ${service}) (deployment ${deployment}) deployment failed: tasks failed to start.`,
  deploymentFailedAlarm: (service: string, deployment: string) => `(service ${service}) (deployment ${deployment}) deployment failed: alarm detected.`,
  rollingBack: (service: string, deployment: string) => `(service ${service}) rolling back to deployment ${deployment}.`,
  registryMissing: (service: string, arn: string) => `(service ${service}) was unable to register tasks in (service-registry ${arn}): the service registry does not exist.`,
  registryRefused: (service: string, arn: string, reason: string) => `(service ${service}) was unable to register a task in (service-registry ${arn}): ${reason}`,
  trafficRefused: (service: string, ruleArn: string, reason: string) => `(service ${service}) was unable to shift traffic on (rule ${ruleArn}): ${reason}`,
  instanceLost: (service: string, ec2InstanceId: string, taskIds: string[]) =>
    `(service ${service}) (instance ${ec2InstanceId}) lost contact with its agent; replacing ${taskIds.length} tasks: ${taskList(taskIds)}.`,
  /** `closest` is the instance that came nearest and what it lacked, when one did. */
  unableToPlace: (service: string, closest?: { instanceId: string; lacking: string }) =>
    closest
      ? `(service ${service}) was unable to place a task because no container instance met all of its requirements. The closest matching (container-instance ${closest.instanceId}) ${closest.lacking}. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`
      : `(service ${service}) was unable to place a task because no container instance met all of its requirements. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
  registeredTargets: (service: string, count: number, targetGroupArn: string) => `(service ${service}) registered ${count} targets in (target-group ${targetGroupArn})`,
  deregisteredTargets: (service: string, count: number, targetGroupArn: string) => `(service ${service}) deregistered ${count} targets in (target-group ${targetGroupArn})`,
  drainingTasks: (service: string, count: number) => `(service ${service}) has begun draining connections on ${count} tasks.`,
  /** `where` is `(instance i-…)` for instance targets, `(task …)` for IP targets. */
  unhealthyTarget: (service: string, where: string, port: number, targetGroupArn: string, reason?: string) =>
    `(service ${service}) ${where} (port ${port}) is unhealthy in (target-group ${targetGroupArn})${reason ? ` due to (reason ${reason})` : ''}.`,
  registerFailed: (service: string, targetGroupArn: string, error: string) => `(service ${service}) failed to register targets in (target-group ${targetGroupArn}) with (error ${error})`,
  launchFailed: (service: string, reason: string) => `(service ${service}) failed to launch a task with (error ${reason}).`,
  noInstances: (service: string) =>
    `(service ${service}) was unable to place a task because no container instance met all of its requirements. Reason: No Container Instances were found in your cluster. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
};

/** Why the scheduler stopped a task (the task's stoppedReason). */
export const stopReasons = {
  scaling: (deployment: string) => `Scaling activity initiated by (deployment ${deployment})`,
  healthCheck: 'Task failed container health checks',
  elbHealthCheck: (targetGroupArn: string) => `Task failed ELB health checks in (target-group ${targetGroupArn})`,
  instanceLost: (ec2InstanceId: string) => `Container instance ${ec2InstanceId} lost contact with its agent`,
};

/** The rolloutStateReason ECS gives each rollout state. */
export const rolloutReasons = {
  completed: (deployment: string) => `ECS deployment ${deployment} completed.`,
  circuitBreakerFailed: 'ECS deployment circuit breaker: tasks failed to start.',
  rollingBack: (deployment: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${deployment}.`,
  /** A deployment alarm went into ALARM while the deployment was watched (`names`: the alarms in ALARM). */
  alarmsFailed: (names: string[]) => `ECS deployment failed: alarm detected (${names.join(', ')}).`,
  alarmsRollingBack: (deployment: string) => `ECS deployment alarms: rolling back to deploymentId ${deployment}.`,
};
