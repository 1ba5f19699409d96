/** IAM roles: trust policy (URL-decoded), managed and inline policies, live. Selection is in the URL (`?role=`). */
import { useSearchParams } from 'react-router-dom';
import {
  GetRoleCommand, GetRolePolicyCommand, IAMClient, ListAttachedRolePoliciesCommand, ListRolePoliciesCommand, ListRolesCommand,
} from '@aws-sdk/client-iam';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { allPages, JsonView } from '../components/observe-common.tsx';
import { AttachedPolicies, IAM_KINDS, InlinePolicies } from '../components/observe-iam.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const iam = () => client(IAMClient);

/** Who may assume a role, from its trust policy (`ecs-tasks.amazonaws.com`, an account, ...). */
function trusted(document: string | undefined): string {
  if (!document) return '-';
  try {
    const doc = JSON.parse(decodeURIComponent(document)) as { Statement?: { Principal?: Record<string, string | string[]> | string }[] };
    const out = (doc.Statement ?? []).flatMap((s) => (typeof s.Principal === 'string' ? [s.Principal] : Object.values(s.Principal ?? {}).flat()));
    return out.join(', ') || '-';
  } catch {
    return '-';
  }
}

export default function IamRolesPage() {
  const [params, setParams] = useSearchParams();
  const name = params.get('role') ?? undefined;
  const roles = useLive(() => allPages(async (Marker) => {
    const r = await iam().send(new ListRolesCommand({ Marker }));
    return { items: r.Roles, next: r.IsTruncated ? r.Marker : undefined };
  }), IAM_KINDS);
  const selected = roles.data?.find((r) => r.RoleName === name);
  return (
    <Page title="Roles" crumbs={[{ text: 'IAM', to: '/iam/users' }, { text: 'Roles' }]}>
      <ResourceTable
        title="Roles"
        testId="iam-roles"
        items={roles.data}
        loading={roles.loading}
        error={roles.error}
        trackBy={(r) => r.RoleName!}
        selectionType="single"
        selectedItems={selected ? [selected] : []}
        onSelectionChange={(items) => setParams(items[0] ? { role: items[0].RoleName! } : {}, { replace: true })}
        columns={[
          { id: 'name', header: 'Role name', cell: (r) => r.RoleName, sortBy: (r) => r.RoleName },
          { id: 'trusted', header: 'Trusted entities', cell: (r) => trusted(r.AssumeRolePolicyDocument), sortBy: (r) => trusted(r.AssumeRolePolicyDocument) },
          { id: 'path', header: 'Path', cell: (r) => r.Path },
          { id: 'description', header: 'Description', cell: (r) => r.Description ?? '-' },
          { id: 'created', header: 'Created', cell: (r) => time(r.CreateDate), sortBy: (r) => (r.CreateDate ? new Date(r.CreateDate).getTime() : 0) },
        ]}
      />
      {name && <RoleDetails name={name} />}
    </Page>
  );
}

function RoleDetails({ name }: { name: string }) {
  const role = useLive(async () => (await iam().send(new GetRoleCommand({ RoleName: name }))).Role!, IAM_KINDS, [name]);
  const attached = useLive(() => allPages(async (Marker) => {
    const r = await iam().send(new ListAttachedRolePoliciesCommand({ RoleName: name, Marker }));
    return { items: r.AttachedPolicies, next: r.IsTruncated ? r.Marker : undefined };
  }), IAM_KINDS, [name]);
  const inline = useLive(async () => {
    const names = await allPages(async (Marker) => {
      const r = await iam().send(new ListRolePoliciesCommand({ RoleName: name, Marker }));
      return { items: r.PolicyNames, next: r.IsTruncated ? r.Marker : undefined };
    });
    return Promise.all(names.map(async (p) => ({ name: p, document: (await iam().send(new GetRolePolicyCommand({ RoleName: name, PolicyName: p }))).PolicyDocument })));
  }, IAM_KINDS, [name]);
  const r = role.data;
  return (
    <>
      <ApiError error={role.error} />
      {r && (
        <KeyValues title={r.RoleName} columns={3} items={[
          ['ARN', r.Arn],
          ['Role id', r.RoleId],
          ['Created', time(r.CreateDate)],
          ['Description', r.Description ?? '-'],
          ['Maximum session', `${(r.MaxSessionDuration ?? 3600) / 3600} h`],
          ['Last used', r.RoleLastUsed?.LastUsedDate ? `${time(r.RoleLastUsed.LastUsedDate)} (${r.RoleLastUsed.Region ?? '-'})` : '-'],
          ['Permissions boundary', r.PermissionsBoundary?.PermissionsBoundaryArn ?? '-'],
          ['Tags', (r.Tags ?? []).map((t) => `${t.Key}=${t.Value}`).join(', ') || '-'],
        ]} />
      )}
      {r && (
        <Container header={<Header variant="h2" description="Who may assume this role">Trust policy</Header>}>
          <JsonView value={r.AssumeRolePolicyDocument} testId="trust-policy" />
        </Container>
      )}
      {/* A role that is not there is said once, above. */}
      {!role.error && <AttachedPolicies policies={attached} />}
      {!role.error && <InlinePolicies policies={inline} />}
    </>
  );
}
