/**
 * An ECS service behind an application load balancer, end to end, for either network mode: a
 * real `wharf dev`, real Docker containers (busybox httpd, each page naming its task and
 * revision), the ALB and its target group made through @aws-sdk/client-elastic-load-balancing-v2
 * and the service through @aws-sdk/client-ecs. The service's 3 tasks register as targets (bridge:
 * instance targets on dynamic host ports; awsvpc: ip targets, the tasks' own addresses) and are
 * found healthy by the data plane's health checks; requests to the load balancer's address reach
 * all 3. A docker-killed container's target leaves and its replacement is registered and found
 * healthy. A rolling deployment (100%/200%) under a steady keep-alive load through the ALB fails
 * no request, and afterwards only the new revision answers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import {
  CreateServiceCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type ECSClient, type NetworkConfiguration, type Task,
} from '@aws-sdk/client-ecs';
import {
  CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DescribeLoadBalancersCommand, DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand, type LoadBalancer, type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { EC2Client } from '@aws-sdk/client-ec2';
import { TEST_IMAGE, docker } from './docker.ts';
import { cleanedUpAfter, credentials, ecsClient, region, startDev, type WharfProcess } from './wharf.ts';
import { describeService, idOf, newCluster, serviceTasks, sleep, until, waitStable } from './services.ts';

/** How one network mode puts the service and its load balancer together. */
export interface AlbServiceMode {
  /** Names of the cluster, load balancer, target group and family. */
  name: string;
  networkMode: 'bridge' | 'awsvpc';
  /** The load balancer's subnets and security groups, and the service's network configuration, made through EC2. */
  prepare(ec2: EC2Client): Promise<{ subnets: string[]; securityGroups?: string[]; scheme?: 'internal' | 'internet-facing'; networkConfiguration?: NetworkConfiguration }>;
  /** Removes what `prepare` left on the host, after Wharf stopped. */
  cleanup?(): void;
}

/** What the suite made, for a file's own tests after it. */
export interface AlbServiceContext {
  wharf: WharfProcess;
  ecs: ECSClient;
  elb: ElasticLoadBalancingV2Client;
  ec2: EC2Client;
  cluster: string;
  clusterArn: string;
  service: string;
  loadBalancer: LoadBalancer;
  /** The load balancer's loopback address (DescribeLoadBalancers' LoadBalancerAddresses). */
  address: string;
  groupArn: string;
  /** One GET / through the load balancer on a kept-alive connection. */
  get(): Promise<{ status: number; body: string }>;
  /** The service's running tasks. */
  tasks(): Promise<Task[]>;
}

/** The task's interface address (awsvpc). */
export const taskAddress = (t: Task): string | undefined => t.containers?.[0]?.networkInterfaces?.[0]?.privateIpv4Address;

/** Registers the suite's hooks and tests; returns the context its hooks fill in. */
export function albServiceSuite(mode: AlbServiceMode): AlbServiceContext {
  const started = cleanedUpAfter();
  const ctx = { service: 'web' } as AlbServiceContext;
  const v: Record<1 | 2, string> = { 1: '', 2: '' };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const awsvpc = mode.networkMode === 'awsvpc';
  let networkConfiguration: NetworkConfiguration | undefined;
  let prepared: Awaited<ReturnType<AlbServiceMode['prepare']>>;

  before(async () => {
    ctx.wharf = await startDev();
    started.processes.push(ctx.wharf);
    ctx.ecs = ecsClient(ctx.wharf.url);
    ctx.elb = new ElasticLoadBalancingV2Client({ endpoint: ctx.wharf.url, region, credentials, maxAttempts: 1 });
    ctx.ec2 = new EC2Client({ endpoint: ctx.wharf.url, region, credentials });
    const made = await newCluster(ctx.ecs, mode.name, (arn) => started.clusterArns.push(arn));
    ctx.cluster = made.name;
    ctx.clusterArn = made.arn;
    prepared = await mode.prepare(ctx.ec2);
    networkConfiguration = prepared.networkConfiguration;
  });
  after(async () => {
    agent.destroy();
    ctx.elb?.destroy();
    ctx.ec2?.destroy();
    // Runs after cleanedUpAfter's hook has stopped Wharf and removed the cluster's containers.
    mode.cleanup?.();
  });

  /** A revision whose httpd on port 80 answers `<identity> v<version>`: the container's hostname (bridge) or the task's address (awsvpc). */
  async function registerRevision(version: 1 | 2): Promise<string> {
    const identity = awsvpc ? `$(ip -4 -o addr show dev eth0 | sed -e 's/.*inet \\([0-9.]*\\).*/\\1/')` : '$(hostname)';
    const { taskDefinition } = await ctx.ecs.send(new RegisterTaskDefinitionCommand({
      family: `${mode.name}-web`, networkMode: mode.networkMode,
      containerDefinitions: [{
        name: 'web', image: TEST_IMAGE, memory: 32, essential: true, stopTimeout: 2,
        environment: [{ name: 'VERSION', value: String(version) }],
        command: ['sh', '-c', `mkdir -p /srv && echo "${identity} v$VERSION" > /srv/index.html && exec httpd -f -p 80 -h /srv`],
        portMappings: [{ containerPort: 80, ...(awsvpc ? {} : { hostPort: 0 }), protocol: 'tcp' }],
      }],
    }));
    return taskDefinition!.taskDefinitionArn!;
  }

  ctx.get = () => new Promise((resolve, reject) => {
    const req = http.get({ host: ctx.address, port: 80, path: '/', agent, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: body.trim() }));
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
  });

  const wanted = (tasks: Task[]) => tasks.filter((t) => t.desiredStatus === 'RUNNING' && t.lastStatus === 'RUNNING');
  ctx.tasks = async () => wanted(await serviceTasks(ctx.ecs, ctx.cluster, ctx.service));
  /** A task's target as DescribeTargetHealth names it: its host port (bridge) or its address (awsvpc). */
  const targetOfTask = (t: Task) => (awsvpc ? taskAddress(t)! : String(t.containers![0]!.networkBindings!.find((b) => b.containerPort === 80)!.hostPort!));
  const targetOf = (d: TargetHealthDescription) => (awsvpc ? d.Target!.Id! : String(d.Target!.Port!));
  /** The page's first word names its task: the container's hostname (its id's start) or the task's address. */
  const taskOfBody = (tasks: Task[], body: string) => {
    const id = body.split(' ')[0]!;
    return tasks.find((t) => (awsvpc ? taskAddress(t) === id : t.containers![0]!.runtimeId!.startsWith(id)));
  };

  const targets = async () => (await ctx.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: ctx.groupArn }))).TargetHealthDescriptions!
    .map((d) => ({ target: targetOf(d), state: d.TargetHealth!.State! }))
    .sort((a, b) => a.target.localeCompare(b.target));

  /** Until the group has exactly the running tasks as targets, all healthy; returns those tasks. */
  async function healthyBehindAlb(count: number, timeoutMs = 90_000): Promise<Task[]> {
    return until(`${count} running tasks, each a healthy target`, async () => {
      const tasks = await ctx.tasks();
      if (tasks.length !== count) return undefined;
      const healthy = (await targets()).filter((t) => t.state === 'healthy').map((t) => t.target);
      return JSON.stringify(healthy) === JSON.stringify(tasks.map(targetOfTask).sort()) && tasks;
    }, timeoutMs, 500);
  }

  /** The distinct tasks that `n` sequential requests reach; every answer must be 200. */
  async function reached(n: number, tasks: Task[]): Promise<Set<string>> {
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      const r = await ctx.get();
      assert.equal(r.status, 200, `request ${i}: ${r.status} ${r.body}`);
      const task = taskOfBody(tasks, r.body);
      assert.ok(task, `answer "${r.body}" names none of the running tasks`);
      seen.add(task.taskArn!);
    }
    return seen;
  }

  describe(`an ECS service (${mode.networkMode}) behind an ALB on real containers`, () => {
    it(`registers 3 ${mode.networkMode} tasks as ${awsvpc ? 'ip' : 'instance'} targets that become healthy, and the ALB reaches all 3`, async () => {
      const [lb] = (await ctx.elb.send(new CreateLoadBalancerCommand({
        Name: mode.name, Subnets: prepared.subnets, ...(prepared.securityGroups && { SecurityGroups: prepared.securityGroups }), ...(prepared.scheme && { Scheme: prepared.scheme }),
      }))).LoadBalancers!;
      const [group] = (await ctx.elb.send(new CreateTargetGroupCommand({
        Name: `${mode.name}-web`, Protocol: 'HTTP', Port: 80, VpcId: lb!.VpcId, TargetType: awsvpc ? 'ip' : 'instance', HealthCheckPath: '/',
        HealthCheckIntervalSeconds: 5, HealthCheckTimeoutSeconds: 2, HealthyThresholdCount: 2, UnhealthyThresholdCount: 2,
      }))).TargetGroups!;
      ctx.groupArn = group!.TargetGroupArn!;
      await ctx.elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: ctx.groupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '2' }] }));
      await ctx.elb.send(new CreateListenerCommand({ LoadBalancerArn: lb!.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: ctx.groupArn }] }));
      ctx.loadBalancer = (await ctx.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lb!.LoadBalancerArn!] }))).LoadBalancers![0]!;
      ctx.address = ctx.loadBalancer.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
      assert.match(ctx.address, /^127\.255\./);

      v[1] = await registerRevision(1);
      v[2] = await registerRevision(2);
      await ctx.ecs.send(new CreateServiceCommand({
        cluster: ctx.cluster, serviceName: ctx.service, taskDefinition: v[1], desiredCount: 3,
        loadBalancers: [{ targetGroupArn: ctx.groupArn, containerName: 'web', containerPort: 80 }],
        deploymentConfiguration: { minimumHealthyPercent: 100, maximumPercent: 200 },
        ...(networkConfiguration && { networkConfiguration }),
      }));
      const tasks = await healthyBehindAlb(3);
      await waitStable(ctx.ecs, ctx.cluster, [ctx.service]);
      const service = await describeService(ctx.ecs, ctx.cluster, ctx.service);
      assert.equal(service.runningCount, 3);
      assert.deepEqual(service.deployments!.map((d) => d.rolloutState), ['COMPLETED']);
      assert.equal(new Set(tasks.map(targetOfTask)).size, 3, 'three distinct targets');

      const seen = await reached(30, tasks);
      assert.equal(seen.size, 3, 'requests reach every task');
    });

    it('a docker-killed task leaves the target group; its replacement is registered, found healthy, and served', async () => {
      const before = await ctx.tasks();
      const victim = before[0]!;
      const victimTarget = targetOfTask(victim);
      docker('kill', victim.containers![0]!.runtimeId!);

      await until('the killed task\'s target no longer healthy', async () =>
        (await targets()).every((t) => t.target !== victimTarget || t.state !== 'healthy'), 30_000);
      const after = await healthyBehindAlb(3);
      const fresh = after.filter((t) => !before.some((b) => b.taskArn === t.taskArn));
      assert.equal(fresh.length, 1, 'one replacement task');
      assert.ok(!after.some((t) => t.taskArn === victim.taskArn));

      const seen = await reached(30, after);
      assert.equal(seen.size, 3, 'requests reach 3 distinct tasks again');
      assert.ok(seen.has(fresh[0]!.taskArn!), 'the replacement serves');
      await waitStable(ctx.ecs, ctx.cluster, [ctx.service]);
    });

    it('a rolling deployment under steady load through the ALB fails no request; then only the new revision answers', async () => {
      const oldArns = (await ctx.tasks()).map((t) => t.taskArn!);
      const results: { status: number; body: string }[] = [];
      const errors: string[] = [];
      let loading = true;
      const inFlight = new Set<Promise<void>>();
      // 20 requests a second, each on the kept-alive pool, at most 2,400 (2 minutes).
      const load = (async () => {
        for (let i = 0; loading && i < 2400; i++) {
          const p = ctx.get().then((r) => void results.push(r), (e: Error) => void errors.push(e.message)).finally(() => inFlight.delete(p));
          inFlight.add(p);
          await sleep(50);
        }
      })();

      await sleep(1000);
      const updated = await ctx.ecs.send(new UpdateServiceCommand({ cluster: ctx.cluster, service: ctx.service, taskDefinition: v[2] }));
      const newId = updated.service!.deployments![0]!.id!;
      const samples = { count: 0, minHealthy: Infinity, states: new Set<string>() };
      try {
        await until('the new deployment COMPLETED and the old tasks STOPPED', async () => {
          const health = await targets();
          samples.count++;
          samples.minHealthy = Math.min(samples.minHealthy, health.filter((t) => t.state === 'healthy').length);
          for (const t of health) samples.states.add(t.state);
          const service = await describeService(ctx.ecs, ctx.cluster, ctx.service);
          const tasks = await serviceTasks(ctx.ecs, ctx.cluster, ctx.service, oldArns);
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
      for (let i = 0; i < 30; i++) assert.match((await ctx.get()).body, / v2$/, 'only the new revision answers');
      console.log(`${mode.networkMode} deployment under load: ${results.length} requests, ${failed.length} failed; ${samples.count} health samples, target states ${[...samples.states].join(', ')}; old tasks ${oldArns.map(idOf).join(',')}`);
    });
  });
  return ctx;
}
