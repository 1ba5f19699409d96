/**
 * A Cloud Map namespace: its services (DNS records, routing, health checking) and each
 * service's instances with their attributes and health, live.
 */
import { useParams } from 'react-router-dom';
import {
  GetInstancesHealthStatusCommand, GetNamespaceCommand, ListInstancesCommand, ListServicesCommand, ServiceDiscoveryClient, type ServiceSummary,
} from '@aws-sdk/client-servicediscovery';
import Box from '@cloudscape-design/components/box';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { allPages } from '../components/observe-common.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';
import { DISCOVERY_KINDS, TYPES } from './namespaces.tsx';

const sd = () => client(ServiceDiscoveryClient);

const records = (s: ServiceSummary) => (s.DnsConfig?.DnsRecords ?? []).map((r) => `${r.Type} (TTL ${r.TTL})`).join(', ') || '-';

function health(s: ServiceSummary): string {
  if (s.HealthCheckConfig) return `Route 53 ${s.HealthCheckConfig.Type} ${s.HealthCheckConfig.ResourcePath ?? ''} (threshold ${s.HealthCheckConfig.FailureThreshold ?? 1})`;
  if (s.HealthCheckCustomConfig) return `Custom (threshold ${s.HealthCheckCustomConfig.FailureThreshold ?? 1})`;
  return 'None';
}

export default function NamespacePage() {
  const id = useParams().namespace!;
  const ns = useLive(async () => (await sd().send(new GetNamespaceCommand({ Id: id }))).Namespace!, DISCOVERY_KINDS, [id]);
  const services = useLive(() => allPages(async (NextToken) => {
    const r = await sd().send(new ListServicesCommand({ NextToken, Filters: [{ Name: 'NAMESPACE_ID', Values: [id], Condition: 'EQ' }] }));
    return { items: r.Services, next: r.NextToken };
  }), DISCOVERY_KINDS, [id]);
  const n = ns.data;
  return (
    <Page title={n?.Name ?? id} crumbs={[{ text: 'Namespaces', to: '/cloud-map/namespaces' }, { text: n?.Name ?? id }]}>
      <ApiError error={ns.error} />
      {n && (
        <KeyValues title="Namespace details" columns={4} items={[
          ['Name', n.Name],
          ['Type', TYPES[n.Type ?? ''] ?? n.Type],
          ['Namespace id', n.Id],
          ['Hosted zone', n.Properties?.DnsProperties?.HostedZoneId ?? '-'],
          ['ARN', n.Arn],
          ['HTTP name', n.Properties?.HttpProperties?.HttpName ?? '-'],
          ['Description', n.Description ?? '-'],
          ['Created', time(n.CreateDate)],
        ]} />
      )}
      <ResourceTable
        title="Services"
        testId="discovery-services"
        items={services.data}
        loading={services.loading}
        error={services.error}
        trackBy={(s) => s.Id!}
        columns={[
          { id: 'name', header: 'Service', cell: (s) => s.Name, sortBy: (s) => s.Name },
          { id: 'id', header: 'Service id', cell: (s) => s.Id },
          { id: 'records', header: 'DNS records', cell: records },
          { id: 'routing', header: 'Routing', cell: (s) => s.DnsConfig?.RoutingPolicy ?? '-', sortBy: (s) => s.DnsConfig?.RoutingPolicy },
          { id: 'health', header: 'Health checking', cell: health },
          { id: 'instances', header: 'Instances', cell: (s) => s.InstanceCount ?? 0, sortBy: (s) => s.InstanceCount },
          { id: 'created', header: 'Created', cell: (s) => time(s.CreateDate), sortBy: (s) => (s.CreateDate ? new Date(s.CreateDate).getTime() : 0) },
        ]}
      />
      <SpaceBetween size="m">
        {(services.data ?? []).map((s) => (
          <ExpandableSection key={s.Id} variant="container" defaultExpanded headerText={`Instances of ${s.Name}`} headerDescription={`${n?.Name ? `${s.Name}.${n.Name}` : s.Name} · ${records(s)}`}>
            <Instances service={s} />
          </ExpandableSection>
        ))}
      </SpaceBetween>
    </Page>
  );
}

const SHOWN = ['AWS_INSTANCE_IPV4', 'AWS_INSTANCE_PORT'];

/** A service's instances with their health (GetInstancesHealthStatus: custom or Route 53 checks). */
function Instances({ service }: { service: ServiceSummary }) {
  const instances = useLive(async () => {
    const list = await allPages(async (NextToken) => {
      const r = await sd().send(new ListInstancesCommand({ ServiceId: service.Id!, NextToken }));
      return { items: r.Instances, next: r.NextToken };
    });
    const status: Record<string, string> = {};
    if (list.length && (service.HealthCheckConfig || service.HealthCheckCustomConfig)) {
      await allPages(async (NextToken) => {
        const r = await sd().send(new GetInstancesHealthStatusCommand({ ServiceId: service.Id!, NextToken }));
        Object.assign(status, r.Status);
        return { items: [], next: r.NextToken };
      });
    }
    return list.map((i) => ({ ...i, health: status[i.Id!] }));
  }, ['discovery/instances', 'discovery/services'], [service.Id]);
  return (
    <ResourceTable
      title="Instances"
      variant="embedded"
      testId={`instances-${service.Name}`}
      items={instances.data}
      loading={instances.loading}
      error={instances.error}
      trackBy={(i) => i.Id!}
      columns={[
        { id: 'id', header: 'Instance id', cell: (i) => i.Id, sortBy: (i) => i.Id },
        { id: 'ip', header: 'IPv4', cell: (i) => i.Attributes?.AWS_INSTANCE_IPV4 ?? '-', sortBy: (i) => i.Attributes?.AWS_INSTANCE_IPV4 },
        { id: 'port', header: 'Port', cell: (i) => i.Attributes?.AWS_INSTANCE_PORT ?? '-' },
        { id: 'health', header: 'Health', cell: (i) => (i.health ? <Status value={i.health} /> : <Box color="text-status-inactive">Not checked</Box>), sortBy: (i) => i.health },
        {
          id: 'attributes', header: 'Other attributes',
          cell: (i) => Object.entries(i.Attributes ?? {}).filter(([k]) => !SHOWN.includes(k)).map(([k, v]) => `${k}=${v}`).join(', ') || '-',
        },
      ]}
    />
  );
}
