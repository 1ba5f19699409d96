import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ecsConfigLines, parseEcsUserData } from './ecs-config.ts';

describe('parseEcsUserData', () => {
  it('reads the cluster an echo appends, as the ECS-optimized AMI documents it', () => {
    const c = parseEcsUserData('#!/bin/bash\necho ECS_CLUSTER=my-cluster >> /etc/ecs/ecs.config\n');
    assert.equal(c.cluster, 'my-cluster');
    assert.deepEqual(c.problems, []);
  });

  it('defaults to the default cluster: no user data, none naming one, or an empty name', () => {
    assert.equal(parseEcsUserData(undefined).cluster, 'default');
    assert.equal(parseEcsUserData('#!/bin/bash\nyum update -y\n').cluster, 'default');
    assert.equal(parseEcsUserData('ECS_CLUSTER=\n').cluster, 'default');
  });

  it('reads quoted echoes, tee and a later line winning; ignores other files and commands', () => {
    const c = parseEcsUserData([
      '#!/bin/bash',
      'echo "ECS_CLUSTER=first" >> /etc/ecs/ecs.config',
      "echo 'ECS_INSTANCE_ATTRIBUTES={\"stack\": \"blue\"}' >> /etc/ecs/ecs.config",
      'echo ECS_CLUSTER=elsewhere >> /tmp/other.config',
      'echo ECS_RESERVED_MEMORY=512 | sudo tee -a /etc/ecs/ecs.config',
      'ECS_CLUSTER=shell-variable-only',
      'echo -n "ECS_CLUSTER=second" >> "/etc/ecs/ecs.config"',
      'echo ECS_CLUSTER=backup >> /etc/ecs/ecs.config.bak',
    ].join('\n'));
    assert.equal(c.cluster, 'second');
    assert.deepEqual(c.instanceAttributes, [{ name: 'stack', value: 'blue' }]);
    assert.equal(c.reservedMemory, 512);
  });

  it('reads heredocs: quoted or not, appended or written over, with <<- tab stripping', () => {
    const c = parseEcsUserData([
      '#!/bin/bash',
      'echo ECS_CLUSTER=dropped >> /etc/ecs/ecs.config',
      "cat <<'EOF' > /etc/ecs/ecs.config",
      'ECS_CLUSTER=prod',
      'ECS_CONTAINER_INSTANCE_TAGS={"team": "payments", "env": "prod"}',
      'EOF',
      'cat >> /etc/ecs/ecs.config <<-END',
      '\tECS_ENABLE_TASK_IAM_ROLE=false',
      '\tECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=1h30m',
      'END',
      'cat <<EOF > /etc/motd',
      'ECS_CLUSTER=not-config',
      'EOF',
    ].join('\n'));
    assert.equal(c.cluster, 'prod');
    assert.deepEqual(c.instanceTags, [{ key: 'team', value: 'payments' }, { key: 'env', value: 'prod' }]);
    assert.equal(c.enableTaskIamRole, false);
    assert.equal(c.taskCleanupWaitMs, 90 * 60_000);
    assert.equal(c.settings.ECS_CLUSTER, 'prod');
  });

  it('reads user data that is not a script as the file itself', () => {
    const c = parseEcsUserData('# ecs.config\nECS_CLUSTER="plain"\r\nECS_AVAILABLE_LOGGING_DRIVERS=["json-file","awslogs"]\n');
    assert.equal(c.cluster, 'plain');
    assert.deepEqual(c.loggingDrivers, ['json-file', 'awslogs']);
    assert.equal(c.enableTaskIamRole, true);
  });

  it('leaves out values the agent could not read, saying which', () => {
    const c = parseEcsUserData('ECS_INSTANCE_ATTRIBUTES={"a": 1}\nECS_CONTAINER_INSTANCE_TAGS=not json\nECS_RESERVED_MEMORY=lots\nECS_ENGINE_TASK_CLEANUP_WAIT_DURATION=soon\n');
    assert.deepEqual(c.instanceAttributes, []);
    assert.deepEqual(c.instanceTags, []);
    assert.equal(c.reservedMemory, undefined);
    assert.equal(c.taskCleanupWaitMs, undefined);
    assert.equal(c.problems.length, 4);
    assert.match(c.problems.join('\n'), /ECS_INSTANCE_ATTRIBUTES.*ECS_CONTAINER_INSTANCE_TAGS|ECS_CONTAINER_INSTANCE_TAGS.*ECS_INSTANCE_ATTRIBUTES/s);
  });

  it('keeps backslash escapes and dollar signs as the shell would leave them in quotes', () => {
    assert.deepEqual(ecsConfigLines('#!/bin/sh\necho "ECS_X=\\"q\\" \\$HOME" >> /etc/ecs/ecs.config\necho ECS_Y=a\\ b > /etc/ecs/ecs.config\n'), ['ECS_Y=a b']);
    assert.deepEqual(ecsConfigLines('#!/bin/sh\necho "ECS_X=\\"q\\" \\$HOME" >> /etc/ecs/ecs.config\n'), ['ECS_X="q" $HOME']);
  });
});
