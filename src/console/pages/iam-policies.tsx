/** IAM managed policies, customer (Local) or AWS: each one's default version document. Scope and selection are in the URL. */
import { useSearchParams } from 'react-router-dom';
import { GetPolicyCommand, GetPolicyVersionCommand, IAMClient, ListPoliciesCommand } from '@aws-sdk/client-iam';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SegmentedControl from '@cloudscape-design/components/segmented-control';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { allPages, JsonView } from '../components/observe-common.tsx';
import { IAM_KINDS } from '../components/observe-iam.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const iam = () => client(IAMClient);

export default function IamPoliciesPage() {
  const [params, setParams] = useSearchParams();
  const scope = params.get('scope') === 'AWS' ? 'AWS' : 'Local';
  const arn = params.get('arn') ?? undefined;
  const policies = useLive(() => allPages(async (Marker) => {
    const r = await iam().send(new ListPoliciesCommand({ Scope: scope, Marker, MaxItems: 1000 }));
    return { items: r.Policies, next: r.IsTruncated ? r.Marker : undefined };
  }), IAM_KINDS, [scope]);
  const selected = policies.data?.find((p) => p.Arn === arn);
  return (
    <Page title="Policies" crumbs={[{ text: 'IAM', to: '/iam/users' }, { text: 'Policies' }]}>
      <ResourceTable
        title="Policies"
        testId="iam-policies"
        items={policies.data}
        loading={policies.loading}
        error={policies.error}
        trackBy={(p) => p.Arn!}
        selectionType="single"
        selectedItems={selected ? [selected] : []}
        onSelectionChange={(items) => setParams({ ...(scope === 'AWS' && { scope }), ...(items[0] && { arn: items[0].Arn! }) }, { replace: true })}
        actions={
          <SegmentedControl data-testid="policy-scope" label="Scope" selectedId={scope}
            onChange={({ detail }) => setParams(detail.selectedId === 'AWS' ? { scope: 'AWS' } : {}, { replace: true })}
            options={[{ id: 'Local', text: 'Customer managed' }, { id: 'AWS', text: 'AWS managed' }]} />
        }
        columns={[
          { id: 'name', header: 'Policy name', cell: (p) => p.PolicyName, sortBy: (p) => p.PolicyName },
          { id: 'attachments', header: 'Attachments', cell: (p) => p.AttachmentCount ?? 0, sortBy: (p) => p.AttachmentCount },
          { id: 'version', header: 'Default version', cell: (p) => p.DefaultVersionId },
          { id: 'description', header: 'Description', cell: (p) => p.Description ?? '-' },
          { id: 'path', header: 'Path', cell: (p) => p.Path },
          { id: 'updated', header: 'Updated', cell: (p) => time(p.UpdateDate), sortBy: (p) => (p.UpdateDate ? new Date(p.UpdateDate).getTime() : 0) },
        ]}
      />
      {arn && <PolicyDetails arn={arn} />}
    </Page>
  );
}

function PolicyDetails({ arn }: { arn: string }) {
  const policy = useLive(async () => {
    const p = (await iam().send(new GetPolicyCommand({ PolicyArn: arn }))).Policy!;
    const v = (await iam().send(new GetPolicyVersionCommand({ PolicyArn: arn, VersionId: p.DefaultVersionId! }))).PolicyVersion;
    return { p, v };
  }, IAM_KINDS, [arn]);
  const d = policy.data;
  return (
    <>
      <ApiError error={policy.error} />
      {d && (
        <KeyValues title={d.p.PolicyName} columns={3} items={[
          ['ARN', d.p.Arn],
          ['Description', d.p.Description ?? '-'],
          ['Attachments', d.p.AttachmentCount ?? 0],
          ['Default version', d.p.DefaultVersionId],
          ['Created', time(d.p.CreateDate)],
          ['Updated', time(d.p.UpdateDate)],
        ]} />
      )}
      {d && (
        <Container header={<Header variant="h2" description={`Version ${d.v?.VersionId ?? '-'}, created ${time(d.v?.CreateDate)}`}>Policy document</Header>}>
          <JsonView value={d.v?.Document} testId="policy-document" />
        </Container>
      )}
    </>
  );
}
