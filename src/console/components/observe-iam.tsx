/** A user's or role's managed and inline policies, with each inline policy's document, shown alike on both pages. */
import type { AttachedPolicy } from '@aws-sdk/client-iam';
import Container from '@cloudscape-design/components/container';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Box from '@cloudscape-design/components/box';
import type { Live } from '../live.ts';
import { ApiError } from './api-error.tsx';
import { JsonView } from './observe-common.tsx';
import { RouterLink } from './page.tsx';
import { ResourceTable } from './resource-table.tsx';

export const IAM_KINDS = ['iam/user', 'iam/role', 'iam/policy', 'iam/group'];

export function AttachedPolicies({ policies }: { policies: Live<AttachedPolicy[]> }) {
  return (
    <ResourceTable
      title="Attached managed policies"
      testId="attached-policies"
      items={policies.data}
      loading={policies.loading}
      error={policies.error}
      trackBy={(p) => p.PolicyArn!}
      columns={[
        { id: 'name', header: 'Policy', cell: (p) => <RouterLink to={`/iam/policies?${p.PolicyArn?.startsWith('arn:aws:iam::aws:') ? 'scope=AWS&' : ''}arn=${encodeURIComponent(p.PolicyArn!)}`}>{p.PolicyName}</RouterLink>, sortBy: (p) => p.PolicyName },
        { id: 'type', header: 'Type', cell: (p) => (p.PolicyArn?.startsWith('arn:aws:iam::aws:') ? 'AWS managed' : 'Customer managed') },
        { id: 'arn', header: 'ARN', cell: (p) => p.PolicyArn },
      ]}
    />
  );
}

export function InlinePolicies({ policies }: { policies: Live<{ name: string; document: string | undefined }[]> }) {
  return (
    <Container header={<Header variant="h2" counter={policies.data ? `(${policies.data.length})` : undefined}>Inline policies</Header>}>
      <ApiError error={policies.error} />
      <SpaceBetween size="s">
        {policies.data?.length === 0 && <Box color="text-status-inactive">No inline policies</Box>}
        {policies.data?.map((p) => (
          <ExpandableSection key={p.name} headerText={p.name} defaultExpanded data-testid={`inline-policy-${p.name}`}>
            <JsonView value={p.document} />
          </ExpandableSection>
        ))}
      </SpaceBetween>
    </Container>
  );
}
