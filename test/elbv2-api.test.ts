/**
 * ELBv2 end to end, through @aws-sdk/client-elastic-load-balancing-v2 and the AWS CLI v2 against
 * a real control plane in this process: an application load balancer in two default subnets (its
 * interfaces in EC2's view, its loopback address), target groups with AWS's health check
 * defaults, listeners with path and host rules, weighted forwards, redirects and fixed responses,
 * priorities, attributes, tags, targets and their health (initial, unused), paging, and bad input
 * refused with ELBv2's errors, changing nothing.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddTagsCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateRuleCommand, CreateTargetGroupCommand, DeleteListenerCommand,
  DeleteLoadBalancerCommand, DeleteRuleCommand, DeleteTargetGroupCommand, DescribeAccountLimitsCommand, DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeSSLPoliciesCommand, DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
  ModifyLoadBalancerAttributesCommand, ModifyRuleCommand, ModifyTargetGroupAttributesCommand, RegisterTargetsCommand, DeregisterTargetsCommand,
  RemoveTagsCommand, SetRulePrioritiesCommand, paginateDescribeLoadBalancers, type LoadBalancer, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { DescribeNetworkInterfacesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client, type Subnet } from '@aws-sdk/client-ec2';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { credentials, region } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused } from './support/in-process.ts';

const controlPlane = inProcessControlPlane();
let plane: ControlPlane;
let elb: ElasticLoadBalancingV2Client;
let ec2: EC2Client;
let subnets: Subnet[];

before(async () => {
  plane = await controlPlane();
  elb = new ElasticLoadBalancingV2Client({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  ec2 = new EC2Client({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
  subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!
    .sort((a, b) => a.AvailabilityZone!.localeCompare(b.AvailabilityZone!));
});
after(() => {
  elb?.destroy();
  ec2?.destroy();
});

const { cli, cliFails } = awsCli(() => plane.url, 'elbv2');

const newAlb = async (name: string) =>
  (await elb.send(new CreateLoadBalancerCommand({ Name: name, Subnets: [subnets[0]!.SubnetId!, subnets[1]!.SubnetId!] }))).LoadBalancers![0]!;
const newGroup = async (name: string, extra: Record<string, unknown> = {}) =>
  (await elb.send(new CreateTargetGroupCommand({ Name: name, Protocol: 'HTTP', Port: 8080, VpcId: subnets[0]!.VpcId, TargetType: 'ip', ...extra }))).TargetGroups![0]!;
const count = async () => (await elb.send(new DescribeLoadBalancersCommand({}))).LoadBalancers!.length;

describe('ELBv2 through the SDK and the AWS CLI', () => {
  let alb: LoadBalancer;
  let web: TargetGroup;
  let api: TargetGroup;
  let listenerArn: string;

  it('the AWS CLI creates an ALB in two default subnets: its ARN, DNS name, zones, default group, interfaces and loopback address', async () => {
    const out = await cli('create-load-balancer', '--name', 'web', '--subnets', subnets[0]!.SubnetId!, subnets[1]!.SubnetId!, '--tags', 'Key=team,Value=web');
    alb = out.LoadBalancers[0] as LoadBalancer;
    assert.match(alb.LoadBalancerArn!, new RegExp(`^arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:loadbalancer/app/web/[0-9a-f]{16}$`));
    assert.match(alb.DNSName!, new RegExp(`^web-\\d+\\.${region}\\.elb\\.amazonaws\\.com$`));
    assert.deepEqual([alb.Type, alb.Scheme, alb.State!.Code, alb.IpAddressType, alb.VpcId], ['application', 'internet-facing', 'provisioning', 'ipv4', subnets[0]!.VpcId]);
    assert.equal(alb.CanonicalHostedZoneId, 'Z35SXDOTRQ7X7K');
    const [defaultGroup] = (await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [alb.VpcId!] }, { Name: 'group-name', Values: ['default'] }] }))).SecurityGroups!;
    assert.deepEqual(alb.SecurityGroups, [defaultGroup!.GroupId]);
    const [described] = (await elb.send(new DescribeLoadBalancersCommand({ Names: ['web'] }))).LoadBalancers!;
    assert.equal(described!.State!.Code, 'active');
    const zones = described!.AvailabilityZones!;
    assert.deepEqual(zones.map((z) => z.SubnetId), [subnets[0]!.SubnetId, subnets[1]!.SubnetId]);
    const address = zones[0]!.LoadBalancerAddresses![0]!.IpAddress!;
    assert.match(address, /^127\.255\.\d+\.\d+$/);
    assert.ok(zones.every((z) => z.LoadBalancerAddresses![0]!.IpAddress === address), 'one address, reported in each zone');
    const id = alb.LoadBalancerArn!.split('/').at(-1);
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`ELB app/web/${id}`] }] }))).NetworkInterfaces!;
    assert.deepEqual(enis.map((e) => e.SubnetId).sort(), [subnets[0]!.SubnetId, subnets[1]!.SubnetId].sort());
    assert.ok(enis.every((e) => e.RequesterManaged));
    assert.deepEqual(enis.map((e) => e.PrivateIpAddress).sort(), zones.map((z) => z.LoadBalancerAddresses![0]!.PrivateIPv4Address).sort());
    const other = await newAlb('other');
    assert.notEqual(other.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress, address, 'two load balancers never share an address');
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: other.LoadBalancerArn }));
  });

  it('bad load balancers: one subnet, a missing subnet, a taken name, a bad name — refused, nothing made', async () => {
    const before = await count();
    await refused(elb.send(new CreateLoadBalancerCommand({ Name: 'one', Subnets: [subnets[0]!.SubnetId!] })), 'InvalidConfigurationRequestException', /two different Availability Zones/);
    await refused(elb.send(new CreateLoadBalancerCommand({ Name: 'gone', Subnets: [subnets[0]!.SubnetId!, 'subnet-0123456789abcdef0'] })), 'SubnetNotFoundException');
    await refused(newAlb('web'), 'DuplicateLoadBalancerNameException');
    await refused(newAlb('-bad'), 'ValidationError', /cannot begin or end with '-'/);
    assert.match(await cliFails('create-load-balancer', '--name', 'internal-x', '--subnets', subnets[0]!.SubnetId!, subnets[1]!.SubnetId!), /ValidationError/);
    assert.equal(await count(), before);
    await refused(elb.send(new DescribeLoadBalancersCommand({ Names: ['nope'] })), 'LoadBalancerNotFoundException', "Load balancers '[nope]' not found");
  });

  it('target groups get AWS\'s health check defaults per protocol; unused targets are unused / Target.NotInUse', async () => {
    web = await newGroup('web');
    assert.deepEqual(
      [web.HealthCheckProtocol, web.HealthCheckPort, web.HealthCheckPath, web.HealthCheckIntervalSeconds, web.HealthCheckTimeoutSeconds,
        web.HealthyThresholdCount, web.UnhealthyThresholdCount, web.Matcher?.HttpCode, web.ProtocolVersion, web.LoadBalancerArns],
      ['HTTP', 'traffic-port', '/', 30, 5, 5, 2, '200', 'HTTP1', []],
    );
    const tcp = (await elb.send(new CreateTargetGroupCommand({ Name: 'tcp', Protocol: 'TCP', Port: 5432, VpcId: subnets[0]!.VpcId }))).TargetGroups![0]!;
    assert.deepEqual([tcp.HealthCheckProtocol, tcp.HealthCheckTimeoutSeconds, tcp.HealthCheckPath, tcp.Matcher, tcp.TargetType], ['TCP', 10, undefined, undefined, 'instance']);
    api = await newGroup('api', { HealthCheckPath: '/health', Matcher: { HttpCode: '200-299,302' } });
    assert.equal(api.Matcher?.HttpCode, '200-299,302');
    await refused(newGroup('bad-hc', { HealthCheckTimeoutSeconds: 30, HealthCheckIntervalSeconds: 30 }), 'ValidationError', /must be smaller than the interval/);
    await refused(newGroup('web', { Port: 9090 }), 'DuplicateTargetGroupNameException');
    assert.equal((await newGroup('web')).TargetGroupArn, web.TargetGroupArn, 'the same settings again: the same group');

    const ip = subnets[0]!.CidrBlock!.replace(/\.0\/20$/, '.10');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: ip }, { Id: '172.17.0.5', Port: 3000, AvailabilityZone: 'all' }] }));
    const health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: web.TargetGroupArn }))).TargetHealthDescriptions!;
    const rows = health.map((h) => [h.Target!.Id, h.Target!.Port, h.Target!.AvailabilityZone, h.TargetHealth!.State, h.TargetHealth!.Reason]);
    assert.deepEqual(rows.sort((a, b) => String(a[0]).localeCompare(String(b[0]))), [
      ['172.17.0.5', 3000, 'all', 'unused', 'Target.NotInUse'],
      [ip, 8080, subnets[0]!.AvailabilityZone, 'unused', 'Target.NotInUse'],
    ].sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    assert.equal(health[0]!.TargetHealth!.Description, 'Target group is not configured to receive traffic from the load balancer');
    await refused(elb.send(new RegisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '8.8.8.8' }] })), 'InvalidTargetException');
    await refused(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tcp.TargetGroupArn, Targets: [{ Id: 'i-0123456789abcdef0' }] })), 'InvalidTargetException', /not valid instances/);
    const unknown = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '10.9.9.9', Port: 80 }] }))).TargetHealthDescriptions!;
    assert.deepEqual([unknown[0]!.TargetHealth!.State, unknown[0]!.TargetHealth!.Reason], ['unused', 'Target.NotRegistered']);
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tcp.TargetGroupArn }));
  });

  it('listeners forward; targets of a used group are initial / Elb.RegistrationInProgress; a port is taken once; a group in use is not deleted', async () => {
    const out = await elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    }));
    const listener = out.Listeners![0]!;
    listenerArn = listener.ListenerArn!;
    assert.match(listenerArn, /:listener\/app\/web\/[0-9a-f]{16}\/[0-9a-f]{16}$/);
    assert.deepEqual(listener.DefaultActions![0]!.ForwardConfig!.TargetGroups, [{ TargetGroupArn: web.TargetGroupArn, Weight: 1 }]);
    const [group] = (await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: alb.LoadBalancerArn }))).TargetGroups!;
    assert.deepEqual(group!.LoadBalancerArns, [alb.LoadBalancerArn]);
    const health = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: web.TargetGroupArn }))).TargetHealthDescriptions!;
    assert.ok(health.every((h) => h.TargetHealth!.State === 'initial' && h.TargetHealth!.Reason === 'Elb.RegistrationInProgress'));
    assert.equal(health[0]!.TargetHealth!.Description, 'Target registration is in progress');

    await refused(elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 80, DefaultActions: [{ Type: 'forward', TargetGroupArn: api.TargetGroupArn }] })), 'DuplicateListenerException');
    await refused(elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'TCP', Port: 81, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }] })), 'ValidationError', /must be one of 'HTTP, HTTPS'/);
    await refused(elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: 443, DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }] })), 'ValidationError', /certificate must be specified/);
    await refused(elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: web.TargetGroupArn })), 'ResourceInUseException');
    assert.equal((await elb.send(new DescribeListenersCommand({ LoadBalancerArn: alb.LoadBalancerArn }))).Listeners!.length, 1, 'the refused listeners were not made');

    const unknownCertificate = `arn:aws:acm:${region}:${ACCOUNT}:certificate/12345678-1234-1234-1234-123456789012`;
    await refused(elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port: 443, Certificates: [{ CertificateArn: unknownCertificate }], DefaultActions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }],
    })), 'CertificateNotFoundException', `Certificate '${unknownCertificate}' not found`);
    const acm = new ACMClient({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const { CertificateArn: certificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'shop.example.com' }));
    acm.destroy();
    const https = await cli('create-listener', '--load-balancer-arn', alb.LoadBalancerArn!, '--protocol', 'HTTPS', '--port', '443',
      '--certificates', `CertificateArn=${certificateArn}`,
      '--default-actions', 'Type=redirect,RedirectConfig={Protocol=HTTP,Port=80,StatusCode=HTTP_301}');
    assert.equal(https.Listeners[0].SslPolicy, 'ELBSecurityPolicy-2016-08');
    assert.deepEqual(https.Listeners[0].DefaultActions[0].RedirectConfig, { Protocol: 'HTTP', Port: '80', Host: '#{host}', Path: '/#{path}', Query: '#{query}', StatusCode: 'HTTP_301' });
    await refused(elb.send(new CreateListenerCommand({ LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTP', Port: 82, DefaultActions: [{ Type: 'redirect', RedirectConfig: { StatusCode: 'HTTP_302' } }] })), 'InvalidLoadBalancerActionException', /loop/);
    await elb.send(new DeleteListenerCommand({ ListenerArn: https.Listeners[0].ListenerArn }));
  });

  it('rules: path and host conditions, weighted forward, fixed response, priorities unique per listener, the default rule last', async () => {
    const pathRule = (await elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/api/*'] }],
      Actions: [{ Type: 'forward', ForwardConfig: { TargetGroups: [{ TargetGroupArn: api.TargetGroupArn, Weight: 80 }, { TargetGroupArn: web.TargetGroupArn, Weight: 20 }], TargetGroupStickinessConfig: { Enabled: true, DurationSeconds: 300 } } }],
    }))).Rules![0]!;
    assert.deepEqual(pathRule.Conditions, [{ Field: 'path-pattern', Values: ['/api/*'], PathPatternConfig: { Values: ['/api/*'] } }]);
    assert.deepEqual(pathRule.Actions![0]!.ForwardConfig!.TargetGroupStickinessConfig, { Enabled: true, DurationSeconds: 300 });
    const hostRule = (await cli('create-rule', '--listener-arn', listenerArn, '--priority', '20',
      '--conditions', 'Field=host-header,HostHeaderConfig={Values=[api.example.com,*.example.org]}',
      '--actions', 'Type=fixed-response,FixedResponseConfig={StatusCode=503,ContentType=text/plain,MessageBody=down}')).Rules[0];
    assert.deepEqual(hostRule.Conditions, [{ Field: 'host-header', HostHeaderConfig: { Values: ['api.example.com', '*.example.org'] } }]);

    await refused(elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 10, Conditions: [{ Field: 'path-pattern', Values: ['/x'] }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] })), 'PriorityInUseException');
    await refused(elb.send(new CreateRuleCommand({
      ListenerArn: listenerArn, Priority: 30, Conditions: [{ Field: 'path-pattern', PathPatternConfig: { Values: ['/a', '/b', '/c'] } }, { Field: 'host-header', HostHeaderConfig: { Values: ['a.com', 'b.com', 'c.com'] } }],
      Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }],
    })), 'ValidationError', /condition values/);
    await refused(elb.send(new CreateRuleCommand({ ListenerArn: listenerArn, Priority: 31, Conditions: [{ Field: 'path-pattern', Values: ['/a', '/b'] }], Actions: [{ Type: 'fixed-response', FixedResponseConfig: { StatusCode: '200' } }] })), 'ValidationError');

    let rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules!;
    assert.deepEqual(rules.map((r) => [r.Priority, r.IsDefault]), [['10', false], ['20', false], ['default', true]]);
    await refused(elb.send(new DeleteRuleCommand({ RuleArn: rules[2]!.RuleArn })), 'OperationNotPermittedException');

    await refused(elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: pathRule.RuleArn, Priority: 20 }] })), 'PriorityInUseException');
    await elb.send(new SetRulePrioritiesCommand({ RulePriorities: [{ RuleArn: pathRule.RuleArn, Priority: 20 }, { RuleArn: hostRule.RuleArn, Priority: 5 }] }));
    rules = (await elb.send(new DescribeRulesCommand({ ListenerArn: listenerArn }))).Rules!;
    assert.deepEqual(rules.map((r) => [r.RuleArn, r.Priority]), [[hostRule.RuleArn, '5'], [pathRule.RuleArn, '20'], [rules[2]!.RuleArn, 'default']]);

    const modified = (await elb.send(new ModifyRuleCommand({ RuleArn: pathRule.RuleArn, Actions: [{ Type: 'forward', TargetGroupArn: web.TargetGroupArn }] }))).Rules![0]!;
    assert.equal(modified.Actions![0]!.TargetGroupArn, web.TargetGroupArn);
    const [apiGroup] = (await elb.send(new DescribeTargetGroupsCommand({ Names: ['api'] }))).TargetGroups!;
    assert.deepEqual(apiGroup!.LoadBalancerArns, [], 'no longer forwarded to');
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: api.TargetGroupArn }));
  });

  it('attributes: AWS\'s defaults, changes checked and kept; deletion protection refuses DeleteLoadBalancer', async () => {
    const attrs = Object.fromEntries((await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: alb.LoadBalancerArn }))).Attributes!.map((a) => [a.Key, a.Value]));
    assert.deepEqual([attrs['idle_timeout.timeout_seconds'], attrs['routing.http2.enabled'], attrs['deletion_protection.enabled'], attrs['routing.http.xff_header_processing.mode']], ['60', 'true', 'false', 'append']);
    await refused(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb.LoadBalancerArn, Attributes: [{ Key: 'idle_timeout.timeout_seconds', Value: '5000' }] })), 'InvalidConfigurationRequestException');
    await refused(elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb.LoadBalancerArn, Attributes: [{ Key: 'no.such', Value: '1' }] })), 'ValidationError');
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb.LoadBalancerArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'true' }, { Key: 'idle_timeout.timeout_seconds', Value: '120' }] }));
    await refused(elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: alb.LoadBalancerArn })), 'OperationNotPermittedException');

    const tg = Object.fromEntries((await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn }))).Attributes!.map((a) => [a.Key, a.Value]));
    assert.deepEqual([tg['deregistration_delay.timeout_seconds'], tg['stickiness.type'], tg['load_balancing.algorithm.type'], tg['slow_start.duration_seconds']], ['300', 'lb_cookie', 'round_robin', '0']);
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn, Attributes: [{ Key: 'deregistration_delay.timeout_seconds', Value: '30' }, { Key: 'load_balancing.algorithm.type', Value: 'least_outstanding_requests' }] }));
    await refused(elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: web.TargetGroupArn, Attributes: [{ Key: 'stickiness.type', Value: 'source_ip' }] })), 'InvalidConfigurationRequestException');
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '172.17.0.5', Port: 3000 }] }));
    const draining = (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: web.TargetGroupArn, Targets: [{ Id: '172.17.0.5', Port: 3000 }] }))).TargetHealthDescriptions!;
    assert.deepEqual([draining[0]!.TargetHealth!.State, draining[0]!.TargetHealth!.Reason], ['draining', 'Target.DeregistrationInProgress']);
  });

  it('tags on load balancers and target groups; paging of load balancers; limits and SSL policies', async () => {
    await elb.send(new AddTagsCommand({ ResourceArns: [alb.LoadBalancerArn!, web.TargetGroupArn!], Tags: [{ Key: 'env', Value: 'prod' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [alb.LoadBalancerArn!], TagKeys: ['team'] }));
    const tags = (await elb.send(new DescribeTagsCommand({ ResourceArns: [alb.LoadBalancerArn!, web.TargetGroupArn!] }))).TagDescriptions!;
    assert.deepEqual(tags.map((t) => t.Tags), [[{ Key: 'env', Value: 'prod' }], [{ Key: 'env', Value: 'prod' }]]);
    await refused(elb.send(new AddTagsCommand({ ResourceArns: [alb.LoadBalancerArn!], Tags: [{ Key: 'a', Value: '1' }, { Key: 'a', Value: '2' }] })), 'DuplicateTagKeysException');

    for (const n of [1, 2, 3]) await newAlb(`paged-${n}`);
    const first = await elb.send(new DescribeLoadBalancersCommand({ PageSize: 2 }));
    assert.equal(first.LoadBalancers!.length, 2);
    assert.ok(first.NextMarker);
    const names: string[] = [];
    for await (const p of paginateDescribeLoadBalancers({ client: elb }, { PageSize: 1 })) names.push(...p.LoadBalancers!.map((l) => l.LoadBalancerName!));
    assert.deepEqual(names, ['web', 'paged-1', 'paged-2', 'paged-3']);
    const cliNames = (await cli('describe-load-balancers')).LoadBalancers.map((l: LoadBalancer) => l.LoadBalancerName);
    assert.deepEqual(cliNames, names);
    await refused(elb.send(new DescribeLoadBalancersCommand({ Marker: 'garbage' })), 'ValidationError');

    const limits = (await elb.send(new DescribeAccountLimitsCommand({}))).Limits!;
    assert.equal(limits.find((l) => l.Name === 'condition-values-per-alb-rule')!.Max, '5');
    const [policy] = (await elb.send(new DescribeSSLPoliciesCommand({ Names: ['ELBSecurityPolicy-TLS13-1-2-2021-06'] }))).SslPolicies!;
    assert.deepEqual(policy!.SslProtocols, ['TLSv1.2', 'TLSv1.3']);
    assert.equal(policy!.Ciphers![0]!.Name, 'TLS_AES_128_GCM_SHA256');
    await refused(elb.send(new DescribeSSLPoliciesCommand({ Names: ['NoSuchPolicy'] })), 'SSLPolicyNotFoundException');
  });

  it('DeleteLoadBalancer takes its listeners, rules, interfaces and address; its groups are free again', async () => {
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: alb.LoadBalancerArn, Attributes: [{ Key: 'deletion_protection.enabled', Value: 'false' }] }));
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: alb.LoadBalancerArn }));
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: alb.LoadBalancerArn }));
    await refused(elb.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })), 'ListenerNotFoundException');
    const id = alb.LoadBalancerArn!.split('/').at(-1);
    const enis = (await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'description', Values: [`ELB app/web/${id}`] }] }))).NetworkInterfaces!;
    assert.deepEqual(enis, []);
    const [group] = (await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [web.TargetGroupArn!] }))).TargetGroups!;
    assert.deepEqual(group!.LoadBalancerArns, []);
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: web.TargetGroupArn }));
    await refused(elb.send(new DescribeTargetGroupsCommand({ Names: ['web'] })), 'TargetGroupNotFoundException');
  });
});
