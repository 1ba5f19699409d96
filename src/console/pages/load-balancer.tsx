/** A load balancer: details, listeners with their default actions, each listener's rules, attributes and tags, live. */
import { useParams } from 'react-router-dom';
import {
  DescribeListenersCommand, DescribeLoadBalancerAttributesCommand, DescribeLoadBalancersCommand, DescribeRulesCommand, DescribeTagsCommand,
  ElasticLoadBalancingV2Client, type Listener, type Rule,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Tabs from '@cloudscape-design/components/tabs';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { shortArn, Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { Actions, Conditions, PairsTable } from '../components/lb-format.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const elb = () => client(ElasticLoadBalancingV2Client);

async function all<T>(page: (Marker?: string) => Promise<{ items?: T[]; next?: string }>): Promise<T[]> {
  const out: T[] = [];
  let marker: string | undefined;
  do {
    const p = await page(marker);
    out.push(...(p.items ?? []));
    marker = p.next;
  } while (marker);
  return out;
}

interface ListenerWithRules {
  listener: Listener;
  rules: Rule[];
}

/** A load balancer by name with its listeners (and their rules), attributes and tags. */
async function loadBalancer(name: string) {
  const lb = (await elb().send(new DescribeLoadBalancersCommand({ Names: [name] }))).LoadBalancers?.[0];
  if (!lb) return undefined;
  const LoadBalancerArn = lb.LoadBalancerArn!;
  const [listeners, attributes, tags] = await Promise.all([
    all(async (Marker) => {
      const r = await elb().send(new DescribeListenersCommand({ LoadBalancerArn, Marker }));
      return { items: r.Listeners, next: r.NextMarker };
    }),
    elb().send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn })),
    elb().send(new DescribeTagsCommand({ ResourceArns: [LoadBalancerArn] })),
  ]);
  const withRules: ListenerWithRules[] = await Promise.all(listeners.sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0)).map(async (listener) => ({
    listener,
    rules: await all(async (Marker) => {
      const r = await elb().send(new DescribeRulesCommand({ ListenerArn: listener.ListenerArn, Marker }));
      return { items: r.Rules, next: r.NextMarker };
    }),
  })));
  return { lb, listeners: withRules, attributes: attributes.Attributes ?? [], tags: tags.TagDescriptions?.[0]?.Tags ?? [] };
}

/** Rule priorities in evaluation order: numbers ascending, the default rule last. */
const priority = (r: Rule) => (r.IsDefault || r.Priority === 'default' ? Number.MAX_SAFE_INTEGER : Number(r.Priority));

export default function LoadBalancerPage() {
  const name = useParams().name!;
  const data = useLive(() => loadBalancer(name), ['lb/'], [name]);
  const d = data.data;
  const lb = d?.lb;
  return (
    <Page title={name} crumbs={[{ text: 'Load balancers', to: '/load-balancers' }, { text: name }]}>
      <ApiError error={data.error} />
      {lb && (
        <KeyValues title="Details" columns={4} items={[
          ['Type', lb.Type],
          ['State', <Status value={lb.State?.Code} />],
          ['Scheme', lb.Scheme],
          ['IP address type', lb.IpAddressType],
          ['DNS name', <Box variant="code" data-testid="lb-dns">{lb.DNSName}</Box>],
          ['VPC', lb.VpcId],
          ['Availability Zones', (lb.AvailabilityZones ?? []).map((z) => `${z.ZoneName} (${z.SubnetId})`).join(', ')],
          ['Security groups', (lb.SecurityGroups ?? []).join(', ') || '-'],
          ['Hosted zone', lb.CanonicalHostedZoneId],
          ['Date created', time(lb.CreatedTime)],
          ['ARN', lb.LoadBalancerArn],
          ['State reason', lb.State?.Reason ?? '-'],
        ]} />
      )}
      {d && (
        <Tabs tabs={[
          {
            id: 'listeners', label: `Listeners and rules (${d.listeners.length})`, content: (
              <SpaceBetween size="l">
                <ResourceTable
                  title="Listeners"
                  testId="listeners"
                  items={d.listeners}
                  trackBy={(l) => l.listener.ListenerArn!}
                  columns={[
                    { id: 'listener', header: 'Protocol:Port', cell: (l) => `${l.listener.Protocol}:${l.listener.Port}`, sortBy: (l) => l.listener.Port },
                    { id: 'default', header: 'Default action', cell: (l) => <Actions actions={l.listener.DefaultActions} /> },
                    { id: 'rules', header: 'Rules', cell: (l) => l.rules.length },
                    { id: 'ssl', header: 'Security policy', cell: (l) => l.listener.SslPolicy ?? '-' },
                    { id: 'certificates', header: 'Certificates', cell: (l) => (l.listener.Certificates ?? []).map((c) => shortArn(c.CertificateArn)).join(', ') || '-' },
                  ]}
                />
                {d.listeners.map(({ listener, rules }) => (
                  <ResourceTable
                    key={listener.ListenerArn}
                    title={`Rules of ${listener.Protocol}:${listener.Port}`}
                    testId={`rules-${listener.Port}`}
                    items={[...rules].sort((a, b) => priority(a) - priority(b))}
                    trackBy={(r) => r.RuleArn!}
                    columns={[
                      { id: 'priority', header: 'Priority', cell: (r) => (r.IsDefault ? 'Default' : r.Priority), sortBy: priority },
                      { id: 'conditions', header: 'Conditions (if)', cell: (r) => <Conditions conditions={r.Conditions} /> },
                      { id: 'actions', header: 'Actions (then)', cell: (r) => <Actions actions={r.Actions} /> },
                      { id: 'arn', header: 'Rule ID', cell: (r) => r.RuleArn?.slice(r.RuleArn.lastIndexOf('/') + 1) },
                    ]}
                  />
                ))}
              </SpaceBetween>
            ),
          },
          {
            id: 'attributes', label: 'Attributes', content: (
              <PairsTable title="Attributes" testId="lb-attributes" keyHeader="Attribute" list={d.attributes} />
            ),
          },
          {
            id: 'tags', label: 'Tags', content: (
              <PairsTable title="Tags" testId="lb-tags" keyHeader="Key" list={d.tags} />
            ),
          },
        ]} />
      )}
    </Page>
  );
}
