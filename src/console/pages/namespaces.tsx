/** Cloud Map namespaces: name, type, id, hosted zone, service count, linking to each, live. */
import { ListNamespacesCommand, ServiceDiscoveryClient } from '@aws-sdk/client-servicediscovery';
import { client } from '../clients.ts';
import { time } from '../components/format.tsx';
import { allPages } from '../components/observe-common.tsx';
import { Page, RouterLink } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

export const DISCOVERY_KINDS = ['discovery/'];

export const TYPES: Record<string, string> = { DNS_PRIVATE: 'DNS private', DNS_PUBLIC: 'DNS public', HTTP: 'API calls only' };

export default function NamespacesPage() {
  const namespaces = useLive(() => allPages(async (NextToken) => {
    const r = await client(ServiceDiscoveryClient).send(new ListNamespacesCommand({ NextToken }));
    return { items: r.Namespaces, next: r.NextToken };
  }), DISCOVERY_KINDS);
  return (
    <Page title="Namespaces" crumbs={[{ text: 'Cloud Map', to: '/cloud-map/namespaces' }, { text: 'Namespaces' }]}>
      <ResourceTable
        title="Namespaces"
        testId="namespaces"
        items={namespaces.data}
        loading={namespaces.loading}
        error={namespaces.error}
        trackBy={(n) => n.Id!}
        columns={[
          { id: 'name', header: 'Namespace', cell: (n) => <RouterLink to={`/cloud-map/namespaces/${encodeURIComponent(n.Id!)}`}>{n.Name}</RouterLink>, sortBy: (n) => n.Name },
          { id: 'type', header: 'Type', cell: (n) => TYPES[n.Type ?? ''] ?? n.Type, sortBy: (n) => n.Type },
          { id: 'id', header: 'Namespace id', cell: (n) => n.Id, sortBy: (n) => n.Id },
          { id: 'zone', header: 'Hosted zone', cell: (n) => n.Properties?.DnsProperties?.HostedZoneId ?? '-' },
          { id: 'services', header: 'Services', cell: (n) => n.ServiceCount ?? 0, sortBy: (n) => n.ServiceCount },
          { id: 'description', header: 'Description', cell: (n) => n.Description ?? '-' },
          { id: 'created', header: 'Created', cell: (n) => time(n.CreateDate), sortBy: (n) => (n.CreateDate ? new Date(n.CreateDate).getTime() : 0) },
        ]}
      />
    </Page>
  );
}
