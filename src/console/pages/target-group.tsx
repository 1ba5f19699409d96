/** A target group: its targets with their health (live as checks and tasks change), health check settings, attributes and tags. */
import { useParams } from 'react-router-dom';
import {
  DescribeTagsCommand, DescribeTargetGroupAttributesCommand, DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Tabs from '@cloudscape-design/components/tabs';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { Status } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { healthCounts, LoadBalancerLink, PairsTable } from '../components/lb-format.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const elb = () => client(ElasticLoadBalancingV2Client);

async function targetGroup(name: string) {
  const group = (await elb().send(new DescribeTargetGroupsCommand({ Names: [name] }))).TargetGroups?.[0];
  if (!group) return undefined;
  const TargetGroupArn = group.TargetGroupArn!;
  const [health, attributes, tags] = await Promise.all([
    elb().send(new DescribeTargetHealthCommand({ TargetGroupArn })),
    elb().send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn })),
    elb().send(new DescribeTagsCommand({ ResourceArns: [TargetGroupArn] })),
  ]);
  return { group, targets: health.TargetHealthDescriptions ?? [], attributes: attributes.Attributes ?? [], tags: tags.TagDescriptions?.[0]?.Tags ?? [] };
}

export default function TargetGroupPage() {
  const name = useParams().name!;
  const data = useLive(() => targetGroup(name), ['lb/', 'ecs/tasks'], [name]);
  const d = data.data;
  const g = d?.group;
  const counts = healthCounts(d?.targets ?? []);
  return (
    <Page title={name} crumbs={[{ text: 'Target groups', to: '/target-groups' }, { text: name }]}>
      <ApiError error={data.error} />
      {g && (
        <KeyValues title="Details" columns={4} items={[
          ['Target type', g.TargetType],
          ['Protocol : Port', `${g.Protocol ?? '-'} : ${g.Port ?? '-'}`],
          ['Protocol version', g.ProtocolVersion ?? '-'],
          ['VPC', g.VpcId],
          ['IP address type', g.IpAddressType ?? '-'],
          ['Load balancers', g.LoadBalancerArns?.length ? <SpaceBetween direction="horizontal" size="xs">{g.LoadBalancerArns.map((a) => <LoadBalancerLink key={a} arn={a} />)}</SpaceBetween> : 'None associated'],
          ['Total targets', d.targets.length],
          ['Healthy', <Box color="text-status-success" data-testid="healthy-count">{counts.healthy ?? 0}</Box>],
          ['Unhealthy', <Box color={counts.unhealthy ? 'text-status-error' : undefined} data-testid="unhealthy-count">{counts.unhealthy ?? 0}</Box>],
          ['Other states', Object.entries(counts).filter(([s]) => s !== 'healthy' && s !== 'unhealthy').map(([s, n]) => `${s} ${n}`).join(', ') || '-'],
          ['ARN', g.TargetGroupArn],
        ]} />
      )}
      {d && g && (
        <Tabs tabs={[
          {
            id: 'targets', label: 'Targets', content: (
              <ResourceTable
                title="Registered targets"
                testId="targets"
                items={d.targets}
                trackBy={(t) => `${t.Target?.Id}:${t.Target?.Port}`}
                columns={[
                  { id: 'id', header: 'Target', cell: (t) => t.Target?.Id, sortBy: (t) => t.Target?.Id },
                  { id: 'port', header: 'Port', cell: (t) => t.Target?.Port ?? '-', sortBy: (t) => t.Target?.Port },
                  { id: 'zone', header: 'Zone', cell: (t) => t.Target?.AvailabilityZone ?? '-', sortBy: (t) => t.Target?.AvailabilityZone },
                  { id: 'state', header: 'Health status', cell: (t) => <Status value={t.TargetHealth?.State} />, sortBy: (t) => t.TargetHealth?.State },
                  { id: 'reason', header: 'Reason', cell: (t) => t.TargetHealth?.Reason ?? '-', sortBy: (t) => t.TargetHealth?.Reason },
                  { id: 'description', header: 'Health status details', cell: (t) => t.TargetHealth?.Description ?? '-' },
                  { id: 'override', header: 'Administrative override', cell: (t) => t.AdministrativeOverride?.State ?? '-' },
                ]}
              />
            ),
          },
          {
            id: 'health', label: 'Health checks', content: (
              <KeyValues title="Health check settings" columns={3} items={[
                ['Enabled', g.HealthCheckEnabled ? 'Yes' : 'No'],
                ['Protocol', g.HealthCheckProtocol],
                ['Path', g.HealthCheckPath ?? '-'],
                ['Port', g.HealthCheckPort],
                ['Healthy threshold', g.HealthyThresholdCount],
                ['Unhealthy threshold', g.UnhealthyThresholdCount],
                ['Timeout', `${g.HealthCheckTimeoutSeconds ?? '-'} seconds`],
                ['Interval', `${g.HealthCheckIntervalSeconds ?? '-'} seconds`],
                ['Success codes', g.Matcher?.HttpCode ?? g.Matcher?.GrpcCode ?? '-'],
              ]} />
            ),
          },
          {
            id: 'attributes', label: 'Attributes', content: (
              <PairsTable title="Attributes" testId="tg-attributes" keyHeader="Attribute" list={d.attributes} />
            ),
          },
          {
            id: 'tags', label: 'Tags', content: (
              <PairsTable title="Tags" testId="tg-tags" keyHeader="Key" list={d.tags} />
            ),
          },
        ]} />
      )}
    </Page>
  );
}
