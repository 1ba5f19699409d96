/**
 * An ECS service behind an application load balancer, end to end: a real `wharf dev`, real
 * Docker containers (busybox httpd, each page naming its container and revision), the ALB and its
 * target group made through @aws-sdk/client-elastic-load-balancing-v2 and the service through
 * @aws-sdk/client-ecs. The service's 3 bridge-mode tasks (dynamic host ports) register as
 * instance targets and are found healthy by the data plane's health checks; requests to the
 * load balancer's address reach all 3. A docker-killed container's target leaves and its
 * replacement is registered and found healthy. A rolling deployment (100%/200%) under a steady
 * keep-alive load through the ALB fails no request, and afterwards only the new revision answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CreateServiceCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type ECSClient, type Task } from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { TEST_IMAGE, docker } from './support/docker.ts';
import { cleanedUpAfter, credentials, ecsClient, region, startDev } from './support/wharf.ts';
import { describeService, idOf, newCluster, serviceTasks, sleep, until, waitStable } from './support/services.ts';

const started = cleanedUpAfter();
const SERVICE = 'web';
let ecs: ECSClient;
let elb: ElasticLoadBalancingV2Client;
let cluster = '';
let url = '';
let groupArn = '';
let address = '';
const v: Record<1 | 2, string> = { 1: '', 2: '' };
/** The client's keep-alive connections to the load balancer. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

before(async () => {
  const wharf = await startDev();
  started.processes.push(wharf);
  url = wharf.url;
  ecs = ecsClient(url);
  elb = new ElasticLoadBalancingV2Client({ endpoint: wharf.url, region, credentials, maxAttempts: 1 });
  cluster = (await newCluster(ecs, 'ecs-alb', (arn) => started.clusterArns.push(arn))).name;
});
after(() => {
  agent.destroy();
  elb?.destroy();
});

/** A bridge-mode revision whose httpd on port 80 answers `<hostname> v<version>` (the hostname is the container id's start). */
async function registerRevision(version: 1 | 2): Promise<string> {
  const { taskDefinition } = await ecs.send(new RegisterTaskDefinitionCommand({
    family: 'ecs-alb-web', networkMode: 'bridge',
    containerDefinitions: [{
      name: 'web', image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2,
      environment: [{ name: 'VERSION', value: String(version) }],
      command: ['sh', '-c', 'mkdir -p /srv && echo "$(hostname) v$VERSION" > /srv/index.html && exec httpd -f -p 80 -h /srv'],
      portMappings: [{ containerPort: 80, hostPort: 0, protocol: 'tcp' }],
    }],
  }));
  return taskDefinition!.taskDefinitionArn!;
}

/** One GET / through the load balancer on a kept-alive connection. */
function get(): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: address, port: 80, path: '/', agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: body.trim() }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });
}

interface TargetState { port: number; state: string; reason?: string }
const targets = async (): Promise<TargetState[]> =>
  (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: groupArn }))).TargetHealthDescriptions!
    .map((d) => ({ port: d.Target!.Port!, state: d.TargetHealth!.State!, reason: d.TargetHealth!.Reason }))
    .sort((a, b) => a.port - b.port);

const wanted = (tasks: Task[]) => tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING');
const hostPortOf = (t: Task) => t.containers![0]!.networkBindings!.find((b) => b.containerPort === 80)!.hostPort!;
/** The page's first word is the container's hostname: the first 12 characters of its id. */
const taskOfBody = (tasks: Task[], body: string) => tasks.find((t) => t.containers![0]!.runtimeId!.startsWith(body.split(' ')[0]!));

/** Until the group has exactly the running tasks' host ports as targets, all healthy; returns those tasks. */
async function healthyBehindAlb(count: number, timeoutMs = 90_000): Promise<Task[]> {
  return until(`${count} running tasks, each a healthy target`, async () => {
    const tasks = wanted(await serviceTasks(ecs, cluster, SERVICE));
    if (tasks.length !== count) return undefined;
    const healthy = (await targets()).filter((t) => t.state === 'healthy').map((t) => t.port);
    const ports = tasks.map(hostPortOf).sort((a, b) => a - b);
    return JSON.stringify(healthy) === JSON.stringify(ports) && tasks;
  }, timeoutMs, 500);
}

/** The distinct tasks (by container id) that `n` sequential requests reach; every answer must be 200. */
async function reached(n: number, tasks: Task[]): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const r = await get();
    assert.equal(r.status, 200, `request ${i}: ${r.status} ${r.body}`);
    const task = taskOfBody(tasks, r.body);
    assert.ok(task, `answer "${r.body}" names none of the running tasks`);
    seen.add(task.taskArn!);
  }
  return seen;
}

describe('an ECS service behind an ALB on real containers', () => {
  it('registers 3 bridge tasks as instance targets that become healthy, and the ALB reaches all 3', async () => {
    const ec2 = new EC2Client({ endpoint: url, region, credentials });
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!;
    ec2.destroy();
    const [lb] = (await elb.send(new CreateLoadBalancerCommand({ Name: 'ecs-alb', Subnets: subnets.slice(0, 2).map((s) => s.SubnetId!) }))).LoadBalancers!;
    const [group] = (await elb.send(new CreateTargetGroupCommand({
      Name: 'ecs-alb-web', Protocol: 'HTTP', Port: 80, VpcId: lb!.VpcId, TargetType: 'instance', HealthCheckPath: '/',
      HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
    }))).TargetGroups!;
    groupArn = group!.TargetGroupArn!;
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: groupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }] }));
    await elb.send(new CreateListenerCommand({ LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: groupArn }] }));
    const [described] = (await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb!.LoadBalancerArn!] }))).LoadBalancers!;
    address = described!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
    assert.match(address, /^127\.255\./);

    v[1] = await registerRevision(1);
    v[2] = await registerRevision(2);
    await ecs.send(new CreateServiceCommand({
      cluster, serviceName: SERVICE, taskDefinition: v[1], desiredCount: 3,
      loadBalancers: [{ targetGroupArn: groupArn, containerName: 'web', containerPort: 80 }],
      deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
    }));
    const tasks = await healthyBehindAlb(3);
    await waitStable(ecs, cluster, [SERVICE]);
    const service = await describeService(ecs, cluster, SERVICE);
    assert.equal(service.runningCount, 3);
    assert.deepEqual(service.deployments!.map((d) => d.rolloutState), ['COMPLETED']);
    assert.equal(new Set(tasks.map(hostPortOf)).size, 3, 'three distinct host ports');

    const seen = await reached(30, tasks);
    assert.equal(seen.size, 3, 'requests reach every task');
  });

  it('a docker-killed task leaves the target group; its replacement is registered, found healthy, and served', async () => {
    const before = wanted(await serviceTasks(ecs, cluster, SERVICE));
    const victim = before[0]!;
    const victimPort = hostPortOf(victim);
    docker('kill', victim.containers![0]!.runtimeId!);

    await until('the killed task\'s target no longer healthy', async () =>
      (await targets()).every((t) => t.port !== victimPort || t.state !== 'healthy'), 30_000);
    const after = await healthyBehindAlb(3);
    const fresh = after.filter((t) => !before.some((b) => b.taskArn === t.taskArn));
    assert.equal(fresh.length, 1, 'one replacement task');
    assert.ok(!after.some((t) => t.taskArn === victim.taskArn));
    assert.ok((await targets()).every((t) => t.port !== victimPort || t.state !== 'healthy'), 'the killed task is no healthy target');

    const seen = await reached(30, after);
    assert.equal(seen.size, 3, 'requests reach 3 distinct tasks again');
    assert.ok(seen.has(fresh[0]!.taskArn!), 'the replacement serves');
    await waitStable(ecs, cluster, [SERVICE]);
  });

  it('a rolling deployment under steady load through the ALB fails no request; then only the new revision answers', async () => {
    const oldArns = wanted(await serviceTasks(ecs, cluster, SERVICE)).map((t) => t.taskArn!);
    const results: { status: number; body: string }[] = [];
    const errors: string[] = [];
    let loading = true;
    const inFlight = new Set<Promise<void>>();
    // 20 requests a second, each on the kept-alive pool, at most 2,400 (2 minutes).
    const load = (async () => {
      for (let i = 0; loading && i < 2400; i++) {
        const p = get().then((r) => void results.push(r), (e: Error) => void errors.push(e.message)).finally(() => inFlight.delete(p));
        inFlight.add(p);
        await sleep(50);
      }
    })();

    await sleep(1000);
    const updated = await ecs.send(new UpdateServiceCommand({ cluster, service: SERVICE, taskDefinition: v[2] }));
    const newId = updated.service!.deployments![0]!.id!;
    const samples = { count: 0, minHealthy: Infinity, states: new Set<string>() };
    try {
      await until('the new deployment COMPLETED and the old tasks STOPPED', async () => {
        const health = await targets();
        samples.count++;
        samples.minHealthy = Math.min(samples.minHealthy, health.filter((t) => t.state === 'healthy').length);
        for (const t of health) samples.states.add(t.state);
        const service = await describeService(ecs, cluster, SERVICE);
        const tasks = await serviceTasks(ecs, cluster, SERVICE, oldArns);
        return service.deployments!.length === 1 && service.deployments![0]!.id === newId && service.deployments![0]!.rolloutState === 'COMPLETED' &&
          tasks.filter((t) => oldArns.includes(t.taskArn!)).every((t) => t.lastStatus === 'STOPPED');
      }, 110_000, 500);
      await sleep(1000);
    } finally {
      loading = false;
      await load;
      await Promise.all(inFlight);
    }

    const failed = results.filter((r) => r.status !== 200);
    assert.deepEqual(errors, [], 'no request errored');
    assert.deepEqual(failed.slice(0, 5), [], `${failed.length} of ${results.length} requests failed`);
    assert.ok(results.length >= 100, `${results.length} requests ran during the deployment`);
    assert.equal(samples.minHealthy, 3, `healthy targets never fell below 3 in ${samples.count} samples (minimumHealthyPercent 100)`);
    assert.ok(samples.states.has('draining'), `old targets were drained before their tasks stopped: saw ${[...samples.states].join(', ')}`);
    const versions = new Set(results.map((r) => r.body.split(' ')[1]));
    assert.deepEqual([...versions].sort(), ['v1', 'v2'], 'both revisions answered during the deployment');

    const now = await healthyBehindAlb(3);
    assert.ok(now.every((t) => t.taskDefinitionArn === v[2]));
    const seen = await reached(30, now);
    assert.equal(seen.size, 3);
    for (let i = 0; i < 30; i++) assert.match((await get()).body, / v2$/, 'only the new revision answers');
    console.log(`deployment under load: ${results.length} requests, ${failed.length} failed; ${samples.count} health samples, target states ${[...samples.states].join(', ')}; old tasks ${oldArns.map(idOf).join(',')}`);
  });
});
