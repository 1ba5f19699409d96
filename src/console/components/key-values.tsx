/** A container of label/value pairs in columns, as the AWS console shows a resource's details. */
import type { ReactNode } from 'react';
import Box from '@cloudscape-design/components/box';
import ColumnLayout from '@cloudscape-design/components/column-layout';
import Container from '@cloudscape-design/components/container';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';

export function KeyValues({ title, items, columns = 3, actions }: { title?: string; items: [string, ReactNode][]; columns?: number; actions?: ReactNode }) {
  const per = Math.ceil(items.length / columns);
  const groups = Array.from({ length: columns }, (_, i) => items.slice(i * per, (i + 1) * per));
  return (
    <Container header={title ? <Header variant="h2" actions={actions}>{title}</Header> : undefined}>
      <ColumnLayout columns={columns} variant="text-grid">
        {groups.map((group, i) => (
          <SpaceBetween key={i} size="l">
            {group.map(([label, value]) => (
              <div key={label}>
                <Box variant="awsui-key-label">{label}</Box>
                <div data-testid={`kv-${label}`}>{value ?? '-'}</div>
              </div>
            ))}
          </SpaceBetween>
        ))}
      </ColumnLayout>
    </Container>
  );
}
