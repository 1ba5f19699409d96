import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsError } from '../../aws/index.ts';
import { parseTaskCpu, parseTaskMemory } from '../../ecs/index.ts';
import type { RegisterTaskDefinitionRequest } from '@aws-sdk/client-ecs';
import { validateTaskDefinition } from './task-definition-validate.ts';
import { modelInput, mustNotBeNull, notInEnum } from './testing.ts';

type Json = Record<string, unknown>;

const app = (over: Json = {}): Json => ({ name: 'app', image: 'nginx:1.27', memory: 128, ...over });
const td = (over: Json = {}, containers: Json[] = [app()]): Json => ({ family: 'web', containerDefinitions: containers, ...over });
const fargate = (over: Json = {}, containers: Json[] = [app({ memory: undefined })]): Json =>
  td({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '512', ...over }, containers);

/** Validates as RegisterTaskDefinition does: the model's checks first, then the task definition's own. */
const validate = (input: Json) => validateTaskDefinition(modelInput('RegisterTaskDefinition', input) as unknown as RegisterTaskDefinitionRequest);
const definition = (input: Json) => validate(input).definition;

function rejects(input: Json, code: string, message: RegExp): void {
  assert.throws(
    () => validate(input),
    (err: unknown) => {
      assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
      assert.equal(err.code, code, `code for: ${err.message}`);
      assert.match(err.message, message);
      return true;
    },
  );
}

describe('validateTaskDefinition: normalization', () => {
  test('fills in the defaults ECS returns', () => {
    const d = definition(td({}, [app({ portMappings: [{ containerPort: 80 }] })]));
    assert.equal(d.family, 'web');
    assert.equal(d.networkMode, 'bridge');
    assert.deepEqual(d.volumes, []);
    assert.deepEqual(d.placementConstraints, []);
    assert.equal(d.requiresCompatibilities, undefined, 'omitted when not asked for');
    assert.deepEqual(d.compatibilities, ['EXTERNAL', 'EC2']);
    assert.deepEqual(d.containerDefinitions, [{
      name: 'app', image: 'nginx:1.27', cpu: 0, memory: 128,
      portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
      essential: true, environment: [], mountPoints: [], volumesFrom: [], systemControls: [],
    }]);
  });

  test('awsvpc and host mode fill the host port with the container port', () => {
    for (const networkMode of ['awsvpc', 'host']) {
      const d = definition(td({ networkMode }, [app({ portMappings: [{ containerPort: 8080 }, { containerPort: 53, hostPort: 53, protocol: 'udp' }] })]));
      assert.deepEqual(d.containerDefinitions![0].portMappings, [
        { containerPort: 8080, hostPort: 8080, protocol: 'tcp' },
        { containerPort: 53, hostPort: 53, protocol: 'udp' },
      ]);
    }
  });

  test('the same port may be mapped once per protocol', () => {
    const d = definition(td({}, [app({ portMappings: [{ containerPort: 53, hostPort: 53 }, { containerPort: 53, hostPort: 53, protocol: 'udp' }] })]));
    assert.equal(d.containerDefinitions![0].portMappings!.length, 2);
  });

  test('task cpu and memory are stored in CPU units and MiB', () => {
    const cases: [string, string, string, string][] = [
      ['1 vCPU', '2GB', '1024', '2048'],
      ['0.25 vcpu', '0.5GB', '256', '512'],
      ['2vCPU', '512 MiB', '2048', '512'],
      ['1024', '1 GB', '1024', '1024'],
      ['4096', '3072', '4096', '3072'],
    ];
    for (const [cpu, memory, wantCpu, wantMemory] of cases) {
      const d = definition(td({ cpu, memory }, [app({ memory: undefined })]));
      assert.deepEqual([d.cpu, d.memory], [wantCpu, wantMemory], `${cpu} / ${memory}`);
    }
  });

  test('parseTaskCpu and parseTaskMemory refuse what is not a whole number of units', () => {
    assert.equal(parseTaskCpu('0.1 vCPU'), undefined);
    assert.equal(parseTaskCpu('one'), undefined);
    assert.equal(parseTaskMemory('1.0001GB'), undefined);
    assert.equal(parseTaskMemory('12 TB'), undefined);
    assert.equal(parseTaskMemory(' 3 gib '), 3072);
  });

  test('healthCheck gets ECS defaults for interval, timeout and retries', () => {
    const d = definition(td({}, [app({ healthCheck: { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'] } })]));
    assert.deepEqual(d.containerDefinitions![0].healthCheck, { command: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], interval: 30, timeout: 5, retries: 3 });
  });

  test('memory equal to memoryReservation is accepted', () => {
    assert.equal(definition(td({}, [app({ memory: 256, memoryReservation: 256 })])).containerDefinitions![0].memoryReservation, 256);
  });

  test('task memory alone covers containers without memory', () => {
    const d = definition(td({ memory: '1024' }, [app({ memory: undefined }), app({ name: 'side', memory: undefined, essential: false })]));
    assert.equal(d.containerDefinitions!.length, 2);
  });

  test('a valid Fargate definition is FARGATE compatible and needs task-eni', () => {
    const d = definition(fargate({ executionRoleArn: 'arn:aws:iam::123456789012:role/exec' }, [app({
      memory: undefined,
      logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web', 'awslogs-region': 'us-east-1' } },
    })]));
    assert.deepEqual(d.requiresCompatibilities, ['FARGATE']);
    assert.deepEqual(d.compatibilities, ['EC2', 'FARGATE']);
    const names = d.requiresAttributes!.map((a) => a.name);
    for (const want of ['ecs.capability.task-eni', 'com.amazonaws.ecs.capability.logging-driver.awslogs', 'ecs.capability.execution-role-awslogs',
      'com.amazonaws.ecs.capability.docker-remote-api.1.18', 'com.amazonaws.ecs.capability.docker-remote-api.1.19']) {
      assert.ok(names.includes(want), `${want} in ${names.join(', ')}`);
    }
  });

  test('awsvpc with a Fargate size is Fargate compatible even when not required', () => {
    assert.deepEqual(definition(td({ networkMode: 'awsvpc', cpu: '512', memory: '1GB' })).compatibilities, ['EC2', 'FARGATE']);
  });

  test('requiresAttributes follow the features used, each once', () => {
    const d = definition(td({ taskRoleArn: 'arn:aws:iam::123456789012:role/app' }, [
      app({ dockerLabels: { team: 'a' }, ulimits: [{ name: 'nofile', softLimit: 1024, hardLimit: 4096 }], healthCheck: { command: ['CMD', 'true'] } }),
      app({ name: 'b', dependsOn: [{ containerName: 'app', condition: 'HEALTHY' }] }),
    ]));
    const names = d.requiresAttributes!.map((a) => a.name);
    assert.equal(names.filter((n) => n?.endsWith('docker-remote-api.1.18')).length, 1);
    for (const want of ['com.amazonaws.ecs.capability.task-iam-role', 'ecs.capability.container-health-check', 'ecs.capability.container-ordering']) {
      assert.ok(names.includes(want), want);
    }
    assert.deepEqual(definition(td()).requiresAttributes, []);
  });

  test('command and entryPoint may hold empty arguments', () => {
    const c = definition(td({}, [app({ entryPoint: ['sh', '-c'], command: ['echo', ''] })])).containerDefinitions![0];
    assert.deepEqual([c.entryPoint, c.command], [['sh', '-c'], ['echo', '']]);
  });

  test('tags are read with the definition', () => {
    assert.deepEqual(validate(td({ tags: [{ key: 'team', value: 'web' }] })).tags, [{ key: 'team', value: 'web' }]);
    assert.deepEqual(validate(td()).tags, []);
  });

  test('a port protocol is tcp unless udp; any other value is the model\'s to refuse', () => {
    assert.equal(definition(td({}, [app({ portMappings: [{ containerPort: 80 }] })])).containerDefinitions![0].portMappings![0].protocol, 'tcp');
    assert.equal(definition(td({}, [app({ portMappings: [{ containerPort: 53, protocol: 'udp' }] })])).containerDefinitions![0].portMappings![0].protocol, 'udp');
    rejects(td({}, [app({ portMappings: [{ containerPort: 80, protocol: 'TCP' }] })]), 'ClientException', notInEnum('containerDefinitions[0].portMappings[0].protocol', 'TCP'));
  });
});

const C = 'ClientException';
const P = 'InvalidParameterException';
const S = 'SerializationException';

/** [what, input, code, message]: every rule, with the message naming the member it is about. */
const invalid: [string, Json, string, RegExp][] = [
  ['family missing', { containerDefinitions: [app()] }, C, /^Family can not be blank\.$/],
  ['family invalid characters', td({ family: 'web app' }), C, /^Family contains invalid characters\.$/],
  ['family too long', td({ family: 'f'.repeat(256) }), C, /Family can not be longer than 255/],
  ['containerDefinitions missing', { family: 'web' }, C, /^Container list cannot be empty\.$/],
  ['containerDefinitions empty', td({}, []), C, /^Container list cannot be empty\.$/],
  ['too many containers', td({}, Array.from({ length: 11 }, (_, i) => app({ name: `c${i}` }))), C, /^Too many containers\.$/],
  ['container name missing', td({}, [app({ name: undefined })]), C, /^Container\.name should not be null or empty\.$/],
  ['container name invalid', td({}, [app({ name: 'my app' })]), C, /^Container\.name contains invalid characters\.$/],
  ['container names not unique', td({}, [app(), app()]), C, /Container names must be unique within a Task Definition/],
  ['image missing', td({}, [app({ image: undefined })]), C, /^Container\.image should not be null or empty\.$/],
  ['image empty', td({}, [app({ image: '' })]), C, /^Container\.image should not be null or empty\.$/],
  ['image invalid characters', td({}, [app({ image: 'nginx latest' })]), C, /Container\.image contains invalid characters/],
  ['image too long', td({}, [app({ image: `repo/${'x'.repeat(255)}` })]), C, /Container\.image should not be longer than 255/],
  ['image digest malformed', td({}, [app({ image: 'nginx@sha256:abc' })]), C, /Container\.image contains invalid characters/],
  ['container cpu negative', td({}, [app({ cpu: -1 })]), C, /containerDefinitions\[0\]\.cpu must be greater than or equal to 0/],
  ['container cpu wrong type', td({}, [app({ cpu: '10' })]), S, /containerDefinitions\[0\]\.cpu/],
  ['memory below 6 MiB', td({}, [app({ memory: 4 })]), C, /Invalid 'memory' setting for container 'app'/],
  ['memoryReservation below 6 MiB', td({}, [app({ memory: undefined, memoryReservation: 5 })]), C, /Invalid 'memoryReservation' setting for container 'app'/],
  ['memoryReservation above memory', td({}, [app({ memory: 128, memoryReservation: 256 })]), C, /'memoryReservation' must be less than or equal to 'memory'/],
  ['no memory anywhere', td({}, [app({ memory: undefined })]), C, /^Invalid setting for container 'app'\. At least one of 'memory' or 'memoryReservation' must be specified\.$/],
  ['container memory above task memory', td({ memory: '512' }, [app({ memory: 1024 })]), C, /^The 'memory' setting for container 'app' is greater than for the task\.$/],
  ['reservations above task memory', td({ memory: '512' }, [app({ memory: undefined, memoryReservation: 300 }), app({ name: 'b', memory: undefined, memoryReservation: 300 })]), C,
    /^The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'\.$/],
  ['container cpu above task cpu', td({ cpu: '256' }, [app({ cpu: 200 }), app({ name: 'b', cpu: 100 })]), C, /^The sum of all container 'cpu' values cannot be greater than the value of the task 'cpu'\.$/],
  ['containerPort 0', td({}, [app({ portMappings: [{ containerPort: 0 }] })]), C, /^Invalid 'containerPort' setting for container 'app'\.$/],
  ['containerPort too large', td({}, [app({ portMappings: [{ containerPort: 65536 }] })]), C, /Invalid 'containerPort' setting for container 'app'/],
  ['containerPort missing', td({}, [app({ portMappings: [{ hostPort: 80 }] })]), C, /Invalid 'containerPort' setting for container 'app'/],
  ['hostPort too large', td({}, [app({ portMappings: [{ containerPort: 80, hostPort: 65536 }] })]), C, /Invalid 'hostPort' setting for container 'app'/],
  ['awsvpc host port differs', td({ networkMode: 'awsvpc' }, [app({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })]), C,
    /^When networkMode=awsvpc, the host ports and container ports in port mappings must match\.$/],
  ['host mode host port differs', td({ networkMode: 'host' }, [app({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })]), C, /When networkMode=host, the host ports/],
  ['port mappings with networkMode none', td({ networkMode: 'none' }, [app({ portMappings: [{ containerPort: 80 }] })]), C, /portMappings are not supported .*networkMode=none/],
  ['host port used twice in task', td({}, [app({ portMappings: [{ containerPort: 80, hostPort: 80 }] }), app({ name: 'b', portMappings: [{ containerPort: 81, hostPort: 80 }] })]), C,
    /^TCP host port '80' is mapped multiple times in task\.$/],
  ['awsvpc port used by two containers', td({ networkMode: 'awsvpc' }, [app({ portMappings: [{ containerPort: 80 }] }), app({ name: 'b', portMappings: [{ containerPort: 80 }] })]), C,
    /TCP host port '80' is mapped multiple times in task/],
  ['container port mapped twice', td({}, [app({ portMappings: [{ containerPort: 80 }, { containerPort: 80, hostPort: 8080 }] })]), P, /Container port 80 is used in more than one port mapping for container app/],
  ['port mapping name invalid', td({}, [app({ portMappings: [{ containerPort: 80, name: '-web' }] })]), C, /portMappings\[0\]\.name is invalid/],
  ['containerPortRange malformed', td({}, [app({ portMappings: [{ containerPortRange: '9000-8000' }] })]), C, /Invalid 'containerPortRange' setting for container 'app'/],
  ['environment name missing', td({}, [app({ environment: [{ value: 'x' }] })]), C, /containerDefinitions\[0\]\.environment\[0\]\.name can not be null or empty/],
  ['environment not a list', td({}, [app({ environment: { A: 'b' } })]), S, /containerDefinitions\[0\]\.environment/],
  ['command not strings', td({}, [app({ command: ['echo', 1] })]), S, /containerDefinitions\[0\]\.command\[1\]/],
  ['no essential container', td({}, [app({ essential: false })]), C, /^Task definition doesn't have any essential container\.$/],
  ['stopTimeout too small', td({}, [app({ stopTimeout: 1 })]), C, /containerDefinitions\[0\]\.stopTimeout must be greater than or equal to 2/],
  ['stopTimeout too large', td({}, [app({ stopTimeout: 121 })]), C, /containerDefinitions\[0\]\.stopTimeout must be less than or equal to 120/],
  ['ulimit name unknown', td({}, [app({ ulimits: [{ name: 'files', softLimit: 1, hardLimit: 1 }] })]), C, notInEnum('containerDefinitions[0].ulimits[0].name', 'files')],
  ['ulimit soft above hard', td({}, [app({ ulimits: [{ name: 'nofile', softLimit: 10, hardLimit: 5 }] })]), C, /Invalid 'ulimits' setting for container 'app'.*softLimit/],
  ['ulimit hardLimit missing', td({}, [app({ ulimits: [{ name: 'nofile', softLimit: 10 }] })]), C, mustNotBeNull('containerDefinitions[0].ulimits[0].hardLimit')],
  ['dockerLabels not strings', td({}, [app({ dockerLabels: { a: 1 } })]), S, /containerDefinitions\[0\]\.dockerLabels\.a/],
  ['link to unknown container', td({}, [app({ links: ['db'] })]), C, /Invalid 'links' setting for container 'app'.*'db'/],
  ['links outside bridge mode', td({ networkMode: 'awsvpc' }, [app({ links: ['db'] })]), C, /links are not supported on container when networkMode=awsvpc/],
  ['hostname with awsvpc', td({ networkMode: 'awsvpc' }, [app({ hostname: 'web' })]), C, /^hostname is not supported on container when networkMode=awsvpc\.$/],
  ['dependsOn unknown container', td({}, [app({ dependsOn: [{ containerName: 'db', condition: 'START' }] })]), C, /Invalid 'dependsOn' setting for container 'app'.*'db'/],
  ['dependsOn condition unknown', td({}, [app(), app({ name: 'b', dependsOn: [{ containerName: 'app', condition: 'READY' }] })]), C, notInEnum('containerDefinitions[1].dependsOn[0].condition', 'READY')],
  ['dependsOn SUCCESS on essential', td({}, [app(), app({ name: 'b', dependsOn: [{ containerName: 'app', condition: 'SUCCESS' }] })]), C,
    /^A dependency container with SUCCESS or COMPLETE condition cannot be an essential container$/],
  ['dependsOn HEALTHY without healthCheck', td({}, [app(), app({ name: 'b', dependsOn: [{ containerName: 'app', condition: 'HEALTHY' }] })]), C, /Invalid 'dependsOn' setting for container 'b'.*healthCheck/],
  ['dependsOn cycle', td({}, [app({ dependsOn: [{ containerName: 'b', condition: 'START' }] }), app({ name: 'b', dependsOn: [{ containerName: 'app', condition: 'START' }] })]), C, /dependsOn.*cycle/],
  ['healthCheck command missing', td({}, [app({ healthCheck: { interval: 10 } })]), C, mustNotBeNull('containerDefinitions[0].healthCheck.command')],
  ['healthCheck interval too small', td({}, [app({ healthCheck: { command: ['CMD', 'true'], interval: 4 } })]), C, /healthCheck\.interval must be greater than or equal to 5/],
  ['healthCheck timeout too large', td({}, [app({ healthCheck: { command: ['CMD', 'true'], timeout: 61 } })]), C, /healthCheck\.timeout must be less than or equal to 60/],
  ['healthCheck retries too large', td({}, [app({ healthCheck: { command: ['CMD', 'true'], retries: 11 } })]), C, /healthCheck\.retries must be less than or equal to 10/],
  ['healthCheck startPeriod too large', td({}, [app({ healthCheck: { command: ['CMD', 'true'], startPeriod: 301 } })]), C, /healthCheck\.startPeriod must be less than or equal to 300/],
  ['logDriver unknown', td({}, [app({ logConfiguration: { logDriver: 'loki' } })]), C, notInEnum('containerDefinitions[0].logConfiguration.logDriver', 'loki')],
  ['awslogs without its options', td({}, [app({ logConfiguration: { logDriver: 'awslogs' } })]), C, /^Log driver awslogs requires options: awslogs-region, awslogs-group$/],
  ['mount point to unknown volume', td({}, [app({ mountPoints: [{ sourceVolume: 'data', containerPath: '/data' }] })]), C, /^Unknown volume 'data'\.$/],
  ['mount point without containerPath', td({ volumes: [{ name: 'data' }] }, [app({ mountPoints: [{ sourceVolume: 'data' }] })]), C, /mountPoints\[0\]\.containerPath can not be null/],
  ['volumesFrom unknown container', td({}, [app({ volumesFrom: [{ sourceContainer: 'db' }] })]), C, /^Invalid 'volumesFrom' setting\. Unknown container: 'db'\.$/],
  ['volume names not unique', td({ volumes: [{ name: 'data' }, { name: 'data' }] }), C, /Volume names must be unique/],
  ['volume name invalid', td({ volumes: [{ name: 'my data' }] }), C, /volumes\[0\]\.name is invalid/],
  ['docker volume autoprovision with task scope', td({ volumes: [{ name: 'd', dockerVolumeConfiguration: { scope: 'task', autoprovision: true } }] }), C, /dockerVolumeConfiguration\.autoprovision/],
  ['efs volume without fileSystemId', td({ volumes: [{ name: 'd', efsVolumeConfiguration: {} }] }), C, mustNotBeNull('volumes[0].efsVolumeConfiguration.fileSystemId')],
  ['task cpu not a number', td({ cpu: 'lots' }), C, /^Invalid 'cpu' setting for task\.$/],
  ['task cpu below 128', td({ cpu: '64' }), C, /^Invalid 'cpu' setting for task\.$/],
  ['task cpu wrong type', td({ cpu: 256 }), S, /cpu/],
  ['task memory not whole MiB', td({ memory: '0.0001GB' }), C, /^Invalid 'memory' setting for task\.$/],
  ['networkMode unknown', td({ networkMode: 'overlay' }), C, notInEnum('networkMode', 'overlay')],
  ['requiresCompatibilities unknown', td({ requiresCompatibilities: ['LAMBDA'] }), C, notInEnum('requiresCompatibilities', '[LAMBDA]')],
  ['Fargate with bridge', fargate({ networkMode: 'bridge' }), C, /^Fargate only supports network mode ‘awsvpc’\.$/],
  ['Fargate without task cpu', fargate({ cpu: undefined }), C, /^Fargate requires that 'cpu' be defined at the task level\.$/],
  ['Fargate without task memory', fargate({ memory: undefined }, [app()]), C, /^Fargate requires that 'memory' be defined at the task level\.$/],
  ['Fargate size that does not exist', fargate({ memory: '4096' }), C,
    /^No Fargate configuration exists for given values: 256 CPU, 4096 memory\. See the Amazon ECS documentation for the valid values\.$/],
  ['Fargate with ipcMode', fargate({ ipcMode: 'task' }), C, /^Tasks using the Fargate launch type do not support ipcMode\.$/],
  ['Fargate awslogs without execution role', fargate({}, [app({ memory: undefined, logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': 'g', 'awslogs-region': 'r' } } })]), C,
    /^Fargate requires task definition to have execution role ARN to support log driver awslogs\.$/],
  ['EXTERNAL with awsvpc', td({ requiresCompatibilities: ['EXTERNAL'], networkMode: 'awsvpc' }), C, /EXTERNAL launch type does not support networkMode=awsvpc/],
  ['placement constraint type unknown', td({ placementConstraints: [{ type: 'distinctInstance', expression: 'x' }] }), C, notInEnum('placementConstraints[0].type', 'distinctInstance')],
  ['placement constraint without expression', td({ placementConstraints: [{ type: 'memberOf' }] }), C, /placementConstraints\[0\]\.expression can not be null/],
  ['taskRoleArn malformed', td({ taskRoleArn: 'arn:aws:s3:::bucket' }), C, /Invalid arn syntax for 'taskRoleArn'/],
  ['ephemeralStorage too small', td({ ephemeralStorage: { sizeInGiB: 20 } }), C, /ephemeralStorage\.sizeInGiB must be greater than or equal to 21/],
  ['proxy container unknown', td({ proxyConfiguration: { containerName: 'envoy' } }), C, /Invalid 'proxyConfiguration' setting.*'envoy'/],
  ['reserved tag key', td({ tags: [{ key: 'aws:team', value: 'x' }] }), P, /tags\[0\]\.key/],
  ['request not an object', [] as unknown as Json, S, /must be a JSON object/],
];

describe('validateTaskDefinition: every rule has its error', () => {
  for (const [what, input, code, message] of invalid) {
    test(what, () => rejects(input, code, message));
  }
});
