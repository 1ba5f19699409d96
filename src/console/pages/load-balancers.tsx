/** Load balancers of the account and region (application and network), live. */
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client, type LoadBalancer } from '@aws-sdk/client-elastic-load-balancing-v2';
import { client } from '../clients.ts';
import { Status, time } from '../components/format.tsx';
import { Page, RouterLink } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

/** Every load balancer, all pages (DescribeLoadBalancers pages by Marker). */
export async function listLoadBalancers(): Promise<LoadBalancer[]> {
  const elb = client(ElasticLoadBalancingV2Client);
  const out: LoadBalancer[] = [];
  let Marker: string | undefined;
  do {
    const page = await elb.send(new DescribeLoadBalancersCommand({ Marker, PageSize: 400 }));
    out.push(...(page.LoadBalancers ?? []));
    Marker = page.NextMarker;
  } while (Marker);
  return out;
}

export default function LoadBalancersPage() {
  const lbs = useLive(listLoadBalancers, ['lb/load-balancers']);
  return (
    <Page title="Load balancers" crumbs={[{ text: 'EC2', to: '/load-balancers' }, { text: 'Load balancers' }]}>
      <ResourceTable
        title="Load balancers"
        testId="load-balancers"
        items={lbs.data}
        loading={lbs.loading}
        error={lbs.error}
        trackBy={(l) => l.LoadBalancerArn!}
        columns={[
          { id: 'name', header: 'Name', cell: (l) => <RouterLink to={`/load-balancers/${encodeURIComponent(l.LoadBalancerName!)}`}>{l.LoadBalancerName}</RouterLink>, sortBy: (l) => l.LoadBalancerName },
          { id: 'dns', header: 'DNS name', cell: (l) => l.DNSName, sortBy: (l) => l.DNSName },
          { id: 'state', header: 'State', cell: (l) => <Status value={l.State?.Code} />, sortBy: (l) => l.State?.Code },
          { id: 'type', header: 'Type', cell: (l) => l.Type, sortBy: (l) => l.Type },
          { id: 'scheme', header: 'Scheme', cell: (l) => l.Scheme, sortBy: (l) => l.Scheme },
          { id: 'vpc', header: 'VPC ID', cell: (l) => l.VpcId ?? '-', sortBy: (l) => l.VpcId },
          { id: 'zones', header: 'Availability Zones', cell: (l) => (l.AvailabilityZones ?? []).map((z) => z.ZoneName).join(', ') || '-' },
          { id: 'created', header: 'Date created', cell: (l) => time(l.CreatedTime), sortBy: (l) => (l.CreatedTime ? new Date(l.CreatedTime).getTime() : 0) },
        ]}
      />
    </Page>
  );
}
