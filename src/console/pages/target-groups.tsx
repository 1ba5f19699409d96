/** Target groups with their load balancers and how many targets are healthy, live as health checks run. */
import {
  DescribeTargetGroupsCommand, DescribeTargetHealthCommand, ElasticLoadBalancingV2Client, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { healthCounts, LoadBalancerLink } from '../components/lb-format.tsx';
import { Page, RouterLink } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const elb = () => client(ElasticLoadBalancingV2Client);

/** Every target group, all pages. */
export async function listTargetGroups(): Promise<TargetGroup[]> {
  const out: TargetGroup[] = [];
  let Marker: string | undefined;
  do {
    const page = await elb().send(new DescribeTargetGroupsCommand({ Marker, PageSize: 400 }));
    out.push(...(page.TargetGroups ?? []));
    Marker = page.NextMarker;
  } while (Marker);
  return out;
}

interface Row {
  group: TargetGroup;
  counts: Record<string, number>;
}

async function targetGroupsWithHealth(): Promise<Row[]> {
  const groups = await listTargetGroups();
  return Promise.all(groups.map(async (group) => ({
    group,
    counts: healthCounts((await elb().send(new DescribeTargetHealthCommand({ TargetGroupArn: group.TargetGroupArn }))).TargetHealthDescriptions ?? []),
  })));
}

export default function TargetGroupsPage() {
  const rows = useLive(targetGroupsWithHealth, ['lb/', 'ecs/tasks']);
  return (
    <Page title="Target groups" crumbs={[{ text: 'EC2', to: '/load-balancers' }, { text: 'Target groups' }]}>
      <ResourceTable
        title="Target groups"
        testId="target-groups"
        items={rows.data}
        loading={rows.loading}
        error={rows.error}
        trackBy={(r) => r.group.TargetGroupArn!}
        columns={[
          { id: 'name', header: 'Name', cell: (r) => <RouterLink to={`/target-groups/${encodeURIComponent(r.group.TargetGroupName!)}`}>{r.group.TargetGroupName}</RouterLink>, sortBy: (r) => r.group.TargetGroupName },
          { id: 'port', header: 'Port', cell: (r) => r.group.Port ?? '-', sortBy: (r) => r.group.Port },
          { id: 'protocol', header: 'Protocol', cell: (r) => r.group.Protocol ?? '-', sortBy: (r) => r.group.Protocol },
          { id: 'type', header: 'Target type', cell: (r) => r.group.TargetType, sortBy: (r) => r.group.TargetType },
          { id: 'lbs', header: 'Load balancers', cell: (r) => (r.group.LoadBalancerArns?.length ? <SpaceBetween direction="horizontal" size="xs">{r.group.LoadBalancerArns.map((a) => <LoadBalancerLink key={a} arn={a} />)}</SpaceBetween> : 'None associated') },
          { id: 'vpc', header: 'VPC ID', cell: (r) => r.group.VpcId ?? '-', sortBy: (r) => r.group.VpcId },
          { id: 'healthy', header: 'Healthy', cell: (r) => <Box color={r.counts.healthy ? 'text-status-success' : undefined}>{r.counts.healthy ?? 0}</Box>, sortBy: (r) => r.counts.healthy ?? 0 },
          { id: 'unhealthy', header: 'Unhealthy', cell: (r) => <Box color={r.counts.unhealthy ? 'text-status-error' : undefined}>{r.counts.unhealthy ?? 0}</Box>, sortBy: (r) => r.counts.unhealthy ?? 0 },
          { id: 'other', header: 'Other states', cell: (r) => Object.entries(r.counts).filter(([s]) => s !== 'healthy' && s !== 'unhealthy').map(([s, n]) => `${s} ${n}`).join(', ') || '-' },
        ]}
      />
    </Page>
  );
}
