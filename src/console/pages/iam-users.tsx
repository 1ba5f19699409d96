/** IAM users: each user's access keys (ids and status only), managed and inline policies, live. Selection is in the URL (`?user=`). */
import { useSearchParams } from 'react-router-dom';
import {
  GetUserPolicyCommand, IAMClient, ListAccessKeysCommand, ListAttachedUserPoliciesCommand, ListUserPoliciesCommand, ListUsersCommand,
} from '@aws-sdk/client-iam';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { Status, time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { allPages } from '../components/observe-common.tsx';
import { AttachedPolicies, IAM_KINDS, InlinePolicies } from '../components/observe-iam.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const iam = () => client(IAMClient);

export default function IamUsersPage() {
  const [params, setParams] = useSearchParams();
  const name = params.get('user') ?? undefined;
  const users = useLive(() => allPages(async (Marker) => {
    const r = await iam().send(new ListUsersCommand({ Marker }));
    return { items: r.Users, next: r.IsTruncated ? r.Marker : undefined };
  }), IAM_KINDS);
  const selected = users.data?.find((u) => u.UserName === name);
  return (
    <Page title="Users" crumbs={[{ text: 'IAM', to: '/iam/users' }, { text: 'Users' }]}>
      <ResourceTable
        title="Users"
        testId="iam-users"
        items={users.data}
        loading={users.loading}
        error={users.error}
        trackBy={(u) => u.UserName!}
        selectionType="single"
        selectedItems={selected ? [selected] : []}
        onSelectionChange={(items) => setParams(items[0] ? { user: items[0].UserName! } : {}, { replace: true })}
        columns={[
          { id: 'name', header: 'User name', cell: (u) => u.UserName, sortBy: (u) => u.UserName },
          { id: 'path', header: 'Path', cell: (u) => u.Path },
          { id: 'id', header: 'User id', cell: (u) => u.UserId },
          { id: 'created', header: 'Created', cell: (u) => time(u.CreateDate), sortBy: (u) => (u.CreateDate ? new Date(u.CreateDate).getTime() : 0) },
          { id: 'used', header: 'Password last used', cell: (u) => time(u.PasswordLastUsed) },
        ]}
      />
      {selected && (
        <KeyValues title={selected.UserName} columns={3} items={[
          ['ARN', selected.Arn], ['User id', selected.UserId], ['Created', time(selected.CreateDate)],
        ]} />
      )}
      {name && users.data && !selected && <ApiError error={{ name: 'NoSuchEntity', message: `The user with name ${name} cannot be found.` }} />}
      {selected && <UserDetails name={selected.UserName!} />}
    </Page>
  );
}

function UserDetails({ name }: { name: string }) {
  const keys = useLive(async () => (await iam().send(new ListAccessKeysCommand({ UserName: name }))).AccessKeyMetadata ?? [], IAM_KINDS, [name]);
  const attached = useLive(() => allPages(async (Marker) => {
    const r = await iam().send(new ListAttachedUserPoliciesCommand({ UserName: name, Marker }));
    return { items: r.AttachedPolicies, next: r.IsTruncated ? r.Marker : undefined };
  }), IAM_KINDS, [name]);
  const inline = useLive(async () => {
    const names = await allPages(async (Marker) => {
      const r = await iam().send(new ListUserPoliciesCommand({ UserName: name, Marker }));
      return { items: r.PolicyNames, next: r.IsTruncated ? r.Marker : undefined };
    });
    return Promise.all(names.map(async (p) => ({ name: p, document: (await iam().send(new GetUserPolicyCommand({ UserName: name, PolicyName: p }))).PolicyDocument })));
  }, IAM_KINDS, [name]);
  return (
    <>
      <ResourceTable
        title="Access keys"
        testId="access-keys"
        items={keys.data}
        loading={keys.loading}
        error={keys.error}
        trackBy={(k) => k.AccessKeyId!}
        columns={[
          { id: 'id', header: 'Access key id', cell: (k) => k.AccessKeyId, sortBy: (k) => k.AccessKeyId },
          { id: 'status', header: 'Status', cell: (k) => <Status value={k.Status === 'Active' ? 'ACTIVE' : 'INACTIVE'} /> },
          { id: 'created', header: 'Created', cell: (k) => time(k.CreateDate), sortBy: (k) => (k.CreateDate ? new Date(k.CreateDate).getTime() : 0) },
        ]}
      />
      <AttachedPolicies policies={attached} />
      <InlinePolicies policies={inline} />
    </>
  );
}
