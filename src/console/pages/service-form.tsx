/**
 * Create and update a service (the route says which): the task definition, the task count, where
 * tasks run (launch type or capacity provider strategy, awsvpc networking), how deployments roll,
 * and a target group. Submitted to CreateService / UpdateService; ECS's own error shown on the form.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import {
  CreateServiceCommand, DescribeClustersCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand, ECSClient,
  ListTaskDefinitionFamiliesCommand, ListTaskDefinitionsCommand, UpdateServiceCommand,
  type CreateServiceCommandInput, type DeploymentConfiguration, type LaunchType,
} from '@aws-sdk/client-ecs';
import { DescribeSecurityGroupsCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeTargetGroupsCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import RadioGroup from '@cloudscape-design/components/radio-group';
import Select, { type SelectProps } from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Toggle from '@cloudscape-design/components/toggle';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { shortArn } from '../components/format.tsx';
import { Page } from '../components/page.tsx';
import { useLive } from '../live.ts';

const ecs = () => client(ECSClient);

/** A number field's value for the API: empty leaves it out, anything else is sent as typed (ECS judges it). */
const num = (v: string): number | undefined => (v.trim() === '' ? undefined : Number(v));
const option = (value: string, label = value): SelectProps.Option => ({ value, label });

async function families(): Promise<string[]> {
  const out: string[] = [];
  let nextToken: string | undefined;
  do {
    const r = await ecs().send(new ListTaskDefinitionFamiliesCommand({ status: 'ACTIVE', nextToken }));
    out.push(...(r.families ?? []));
    nextToken = r.nextToken;
  } while (nextToken);
  return out;
}

/** A family's active revisions, newest first (`web:3`). */
async function revisions(family: string): Promise<string[]> {
  if (!family) return [];
  const r = await ecs().send(new ListTaskDefinitionsCommand({ familyPrefix: family, status: 'ACTIVE', sort: 'DESC', maxResults: 100 }));
  return (r.taskDefinitionArns ?? []).map(shortArn).filter((n) => n.slice(0, n.lastIndexOf(':')) === family);
}

interface Deployment {
  minHealthy: string;
  max: string;
  breaker: boolean;
  rollback: boolean;
}

function deploymentConfiguration(d: Deployment): DeploymentConfiguration {
  return {
    minimumHealthyPercent: num(d.minHealthy),
    maximumPercent: num(d.max),
    deploymentCircuitBreaker: { enable: d.breaker, rollback: d.breaker && d.rollback },
  };
}

function DeploymentFields({ value, onChange }: { value: Deployment; onChange: (d: Deployment) => void }) {
  return (
    <Container header={<Header variant="h2">Deployment configuration</Header>}>
      <SpaceBetween size="l">
        <ColumnLayout columns={2}>
          <FormField label="Minimum healthy percent">
            <Input type="number" value={value.minHealthy} onChange={({ detail }) => onChange({ ...value, minHealthy: detail.value })} controlId="min-healthy" />
          </FormField>
          <FormField label="Maximum percent">
            <Input type="number" value={value.max} onChange={({ detail }) => onChange({ ...value, max: detail.value })} controlId="max-percent" />
          </FormField>
        </ColumnLayout>
        <Checkbox checked={value.breaker} onChange={({ detail }) => onChange({ ...value, breaker: detail.checked })}>Deployment circuit breaker</Checkbox>
        <Checkbox checked={value.rollback} disabled={!value.breaker} onChange={({ detail }) => onChange({ ...value, rollback: detail.checked })}>Roll back on failure</Checkbox>
      </SpaceBetween>
    </Container>
  );
}

export default function ServiceFormPage() {
  const { cluster, service } = useParams() as { cluster: string; service?: string };
  return service ? <UpdateForm cluster={cluster} service={service} /> : <CreateForm cluster={cluster} />;
}

/** The form's frame: breadcrumbs, Cancel / submit, the API's error. */
function FormPage(p: { cluster: string; title: string; submit: string; busy: boolean; error: unknown; onSubmit: () => void; onCancel: () => void; children: ReactNode }) {
  const clusterPath = `/clusters/${encodeURIComponent(p.cluster)}`;
  return (
    <Page title={p.title} crumbs={[{ text: 'Clusters', to: '/clusters' }, { text: p.cluster, to: clusterPath }, { text: p.title }]}>
      <form onSubmit={(e) => { e.preventDefault(); p.onSubmit(); }}>
        <Form
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button formAction="none" variant="link" onClick={p.onCancel}>Cancel</Button>
              <Button variant="primary" loading={p.busy} data-testid="submit-service">{p.submit}</Button>
            </SpaceBetween>
          }
          errorText={p.error ? <ApiError error={p.error} /> : undefined}
        >
          <SpaceBetween size="l">{p.children}</SpaceBetween>
        </Form>
      </form>
    </Page>
  );
}

function CreateForm({ cluster }: { cluster: string }) {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [family, setFamily] = useState('');
  const [revision, setRevision] = useState('');
  const [desired, setDesired] = useState('1');
  const [compute, setCompute] = useState<'launch' | 'providers' | 'default'>('launch');
  const [launchType, setLaunchType] = useState<LaunchType>('EC2');
  const [provider, setProvider] = useState('');
  const [subnets, setSubnets] = useState<readonly SelectProps.Option[]>([]);
  const [groups, setGroups] = useState<readonly SelectProps.Option[]>([]);
  const [publicIp, setPublicIp] = useState(false);
  const [deployment, setDeployment] = useState<Deployment>({ minHealthy: '100', max: '200', breaker: true, rollback: true });
  const [targetGroup, setTargetGroup] = useState('');
  const [container, setContainer] = useState('');
  const [port, setPort] = useState('');
  const [grace, setGrace] = useState('');
  const [exec, setExec] = useState(false);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const familyList = useLive(families, ['ecs/families', 'ecs/taskdefs']);
  const revisionList = useLive(() => revisions(family), ['ecs/taskdefs'], [family]);
  const chosen = revision || revisionList.data?.[0] || '';
  const definition = useLive(async () => (chosen ? (await ecs().send(new DescribeTaskDefinitionCommand({ taskDefinition: chosen }))).taskDefinition : undefined), [], [chosen]);
  const awsvpc = definition.data?.networkMode === 'awsvpc';
  const providers = useLive(async () => (await ecs().send(new DescribeClustersCommand({ clusters: [cluster] }))).clusters?.[0]?.capacityProviders ?? [], ['ecs/clusters'], [cluster]);
  const network = useLive(async () => {
    if (!awsvpc) return { subnets: [], groups: [] };
    const ec2 = client(EC2Client);
    const [s, g] = await Promise.all([ec2.send(new DescribeSubnetsCommand({})), ec2.send(new DescribeSecurityGroupsCommand({}))]);
    return {
      subnets: (s.Subnets ?? []).map((x) => ({ value: x.SubnetId!, label: x.SubnetId!, description: `${x.VpcId} · ${x.AvailabilityZone} · ${x.CidrBlock}` })),
      groups: (g.SecurityGroups ?? []).map((x) => ({ value: x.GroupId!, label: x.GroupId!, description: `${x.GroupName} · ${x.VpcId}` })),
    };
  }, [], [awsvpc]);
  const targetGroups = useLive(async () => (await client(ElasticLoadBalancingV2Client).send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? [], ['lb/'], []);
  const containers = (definition.data?.containerDefinitions ?? []).map((c) => c.name!);

  useEffect(() => setRevision(''), [family]);

  const create = async () => {
    setBusy(true);
    setError(undefined);
    const input: CreateServiceCommandInput = {
      cluster,
      serviceName: name,
      taskDefinition: chosen || family || undefined,
      desiredCount: num(desired),
      ...(compute === 'launch' && { launchType }),
      ...(compute === 'providers' && provider && { capacityProviderStrategy: [{ capacityProvider: provider, weight: 1 }] }),
      ...(awsvpc && { networkConfiguration: { awsvpcConfiguration: { subnets: subnets.map((o) => o.value!), securityGroups: groups.map((o) => o.value!), assignPublicIp: publicIp ? 'ENABLED' : 'DISABLED' } } }),
      deploymentConfiguration: deploymentConfiguration(deployment),
      ...(targetGroup && { loadBalancers: [{ targetGroupArn: targetGroup, containerName: container || undefined, containerPort: num(port) }] }),
      healthCheckGracePeriodSeconds: num(grace),
      enableExecuteCommand: exec,
    };
    try {
      const { service } = await ecs().send(new CreateServiceCommand(input));
      navigate(`/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service!.serviceName!)}`);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <FormPage cluster={cluster} title="Create service" submit="Create" busy={busy} error={error} onSubmit={() => void create()} onCancel={() => navigate(`/clusters/${encodeURIComponent(cluster)}`)}>
      <Container header={<Header variant="h2">Service</Header>}>
        <SpaceBetween size="l">
          <FormField label="Service name" description="Up to 255 letters, numbers, hyphens and underscores.">
            <Input value={name} onChange={({ detail }) => setName(detail.value)} controlId="service-name" autoFocus />
          </FormField>
          <ColumnLayout columns={2}>
            <FormField label="Task definition family" errorText={familyList.error ? <ApiError error={familyList.error} /> : undefined}>
              <Select selectedOption={family ? option(family) : null} onChange={({ detail }) => setFamily(detail.selectedOption.value!)}
                options={(familyList.data ?? []).map((f) => option(f))} statusType={familyList.loading ? 'loading' : 'finished'}
                placeholder="Choose a family" filteringType="auto" data-testid="family" empty="No active task definition families" />
            </FormField>
            <FormField label="Revision">
              <Select selectedOption={chosen ? option(chosen, revision ? chosen : `${chosen} (latest)`) : null} onChange={({ detail }) => setRevision(detail.selectedOption.value!)}
                options={(revisionList.data ?? []).map((r, i) => option(r, i === 0 ? `${r} (latest)` : r))} statusType={revisionList.loading ? 'loading' : 'finished'}
                disabled={!family} placeholder="Choose a revision" data-testid="revision" />
            </FormField>
          </ColumnLayout>
          <FormField label="Desired tasks">
            <Input type="number" value={desired} onChange={({ detail }) => setDesired(detail.value)} controlId="desired-count" />
          </FormField>
        </SpaceBetween>
      </Container>
      <Container header={<Header variant="h2">Compute</Header>}>
        <SpaceBetween size="l">
          <RadioGroup value={compute} onChange={({ detail }) => setCompute(detail.value as typeof compute)} items={[
            { value: 'launch', label: 'Launch type' },
            { value: 'providers', label: 'Capacity provider strategy', description: 'One capacity provider of the cluster.' },
            { value: 'default', label: "The cluster's default capacity provider strategy" },
          ]} />
          {compute === 'launch' && (
            <FormField label="Launch type">
              <Select selectedOption={option(launchType)} onChange={({ detail }) => setLaunchType(detail.selectedOption.value as LaunchType)}
                options={['EC2', 'FARGATE', 'EXTERNAL'].map((t) => option(t))} data-testid="launch-type" />
            </FormField>
          )}
          {compute === 'providers' && (
            <FormField label="Capacity provider">
              <Select selectedOption={provider ? option(provider) : null} onChange={({ detail }) => setProvider(detail.selectedOption.value!)}
                options={(providers.data ?? []).map((p) => option(p))} placeholder="Choose a capacity provider" empty="The cluster has no capacity providers" />
            </FormField>
          )}
        </SpaceBetween>
      </Container>
      {awsvpc && (
        <Container header={<Header variant="h2">Networking</Header>}>
          <SpaceBetween size="l">
            <ApiError error={network.error} />
            <FormField label="Subnets">
              <Multiselect selectedOptions={subnets} onChange={({ detail }) => setSubnets(detail.selectedOptions)} options={network.data?.subnets ?? []}
                statusType={network.loading ? 'loading' : 'finished'} placeholder="Choose subnets" filteringType="auto" data-testid="subnets" />
            </FormField>
            <FormField label="Security groups">
              <Multiselect selectedOptions={groups} onChange={({ detail }) => setGroups(detail.selectedOptions)} options={network.data?.groups ?? []}
                statusType={network.loading ? 'loading' : 'finished'} placeholder="Choose security groups" filteringType="auto" data-testid="security-groups" />
            </FormField>
            <Toggle checked={publicIp} onChange={({ detail }) => setPublicIp(detail.checked)}>Assign a public IP</Toggle>
          </SpaceBetween>
        </Container>
      )}
      <DeploymentFields value={deployment} onChange={setDeployment} />
      <Container header={<Header variant="h2" description="Optional: register the service's tasks with a target group.">Load balancing</Header>}>
        <SpaceBetween size="l">
          <ApiError error={targetGroups.error} />
          <FormField label="Target group">
            <Select selectedOption={targetGroup ? option(targetGroup, shortArn(targetGroup)) : option('', 'None')} onChange={({ detail }) => setTargetGroup(detail.selectedOption.value!)}
              options={[option('', 'None'), ...(targetGroups.data ?? []).map((g) => ({ value: g.TargetGroupArn!, label: g.TargetGroupName!, description: `${g.TargetType} · ${g.Protocol ?? ''}:${g.Port ?? ''}` }))]}
              data-testid="target-group" />
          </FormField>
          {targetGroup && (
            <ColumnLayout columns={2}>
              <FormField label="Container">
                <Select selectedOption={container ? option(container) : null} onChange={({ detail }) => setContainer(detail.selectedOption.value!)}
                  options={containers.map((c) => option(c))} placeholder="Choose a container" />
              </FormField>
              <FormField label="Container port">
                <Input type="number" value={port} onChange={({ detail }) => setPort(detail.value)} controlId="container-port" />
              </FormField>
            </ColumnLayout>
          )}
          <FormField label="Health check grace period (seconds)">
            <Input type="number" value={grace} onChange={({ detail }) => setGrace(detail.value)} controlId="grace-period" />
          </FormField>
          <Toggle checked={exec} onChange={({ detail }) => setExec(detail.checked)}>Turn on ECS Exec</Toggle>
        </SpaceBetween>
      </Container>
    </FormPage>
  );
}

function UpdateForm({ cluster, service }: { cluster: string; service: string }) {
  const navigate = useNavigate();
  const servicePath = `/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(service)}`;
  const current = useLive(async () => (await ecs().send(new DescribeServicesCommand({ cluster, services: [service] }))), [], [cluster, service]);
  const s = current.data?.services?.[0];
  const family = shortArn(s?.taskDefinition).replace(/:\d+$/, '');
  const revisionList = useLive(() => revisions(s ? family : ''), ['ecs/taskdefs'], [family, !!s]);
  const [revision, setRevision] = useState('');
  const [desired, setDesired] = useState('');
  const [force, setForce] = useState(false);
  const [deployment, setDeployment] = useState<Deployment>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  // The form starts from what the service has.
  useEffect(() => {
    if (!s || deployment) return;
    setRevision(shortArn(s.taskDefinition));
    setDesired(String(s.desiredCount ?? 0));
    const c = s.deploymentConfiguration;
    setDeployment({
      minHealthy: String(c?.minimumHealthyPercent ?? ''), max: String(c?.maximumPercent ?? ''),
      breaker: !!c?.deploymentCircuitBreaker?.enable, rollback: !!c?.deploymentCircuitBreaker?.rollback,
    });
  }, [s, deployment]);

  const update = async () => {
    setBusy(true);
    setError(undefined);
    try {
      // Only what the form changed is sent: an unchanged field is no request to change it.
      const config = deployment && deploymentConfiguration(deployment);
      const was = s?.deploymentConfiguration;
      const configChanged = config && (config.minimumHealthyPercent !== was?.minimumHealthyPercent || config.maximumPercent !== was?.maximumPercent
        || config.deploymentCircuitBreaker?.enable !== !!was?.deploymentCircuitBreaker?.enable || config.deploymentCircuitBreaker?.rollback !== !!was?.deploymentCircuitBreaker?.rollback);
      await ecs().send(new UpdateServiceCommand({
        cluster, service,
        ...(revision && revision !== shortArn(s?.taskDefinition) && { taskDefinition: revision }),
        ...(num(desired) !== s?.desiredCount && { desiredCount: num(desired) }),
        forceNewDeployment: force,
        ...(configChanged && { deploymentConfiguration: config }),
      }));
      navigate(servicePath);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  };

  return (
    <FormPage cluster={cluster} title={`Update ${service}`} submit="Update" busy={busy} error={error ?? current.error} onSubmit={() => void update()} onCancel={() => navigate(servicePath)}>
      <Container header={<Header variant="h2">Service</Header>}>
        <SpaceBetween size="l">
          <FormField label="Task definition revision" description={`Family ${family || '-'}`}>
            <Select selectedOption={revision ? option(revision) : null} onChange={({ detail }) => setRevision(detail.selectedOption.value!)}
              options={(revisionList.data ?? []).map((r, i) => option(r, i === 0 ? `${r} (latest)` : r))} statusType={revisionList.loading ? 'loading' : 'finished'}
              placeholder="Choose a revision" data-testid="revision" />
          </FormField>
          <FormField label="Desired tasks">
            <Input type="number" value={desired} onChange={({ detail }) => setDesired(detail.value)} controlId="desired-count" />
          </FormField>
          <Checkbox checked={force} onChange={({ detail }) => setForce(detail.checked)}>Force new deployment</Checkbox>
        </SpaceBetween>
      </Container>
      {deployment && <DeploymentFields value={deployment} onChange={setDeployment} />}
    </FormPage>
  );
}
