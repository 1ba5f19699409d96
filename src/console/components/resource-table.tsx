/**
 * The console's table: Cloudscape's Table with text filtering, sorting, paging and a page-size
 * preference (client-side, over what the API listed), an error in AWS's words, and a counter.
 */
import { type ReactNode, useState } from 'react';
import { useCollection } from '@cloudscape-design/collection-hooks';
import Box from '@cloudscape-design/components/box';
import CollectionPreferences from '@cloudscape-design/components/collection-preferences';
import Header from '@cloudscape-design/components/header';
import Pagination from '@cloudscape-design/components/pagination';
import Table, { type TableProps } from '@cloudscape-design/components/table';
import TextFilter from '@cloudscape-design/components/text-filter';
import { ApiError } from './api-error.tsx';

export interface Column<T> {
  id: string;
  header: string;
  cell: (item: T) => ReactNode;
  /** Sorts by this value (and makes the column sortable). */
  sortBy?: (item: T) => string | number | undefined;
}

export interface ResourceTableProps<T> {
  title: string;
  items: readonly T[] | undefined;
  columns: Column<T>[];
  loading?: boolean;
  error?: unknown;
  actions?: ReactNode;
  description?: ReactNode;
  trackBy?: (item: T) => string;
  selectionType?: 'single' | 'multi';
  selectedItems?: T[];
  onSelectionChange?: (items: T[]) => void;
  empty?: string;
  variant?: TableProps['variant'];
  testId?: string;
}

export function ResourceTable<T>(p: ResourceTableProps<T>) {
  const [pageSize, setPageSize] = useState(20);
  const name = p.title.toLowerCase();
  const { items, collectionProps, filterProps, paginationProps, filteredItemsCount } = useCollection([...(p.items ?? [])], {
    filtering: {
      empty: <Box textAlign="center" color="inherit">{p.empty ?? `No ${name}`}</Box>,
      noMatch: <Box textAlign="center" color="inherit">No {name} match the filter</Box>,
    },
    sorting: {},
    pagination: { pageSize },
  });
  const columnDefinitions: TableProps.ColumnDefinition<T>[] = p.columns.map((c) => ({
    id: c.id,
    header: c.header,
    cell: c.cell,
    ...(c.sortBy && { sortingComparator: (a: T, b: T) => compare(c.sortBy!(a), c.sortBy!(b)) }),
  }));
  const count = p.items ? (filterProps.filteringText ? `(${filteredItemsCount}/${p.items.length})` : `(${p.items.length})`) : undefined;
  return (
    <Table
      {...collectionProps}
      data-testid={p.testId}
      variant={p.variant}
      items={items}
      columnDefinitions={columnDefinitions}
      loading={p.loading && !p.items}
      loadingText={`Loading ${name}`}
      trackBy={p.trackBy}
      selectionType={p.selectionType}
      selectedItems={p.selectedItems}
      onSelectionChange={({ detail }) => p.onSelectionChange?.(detail.selectedItems as T[])}
      header={
        <>
          <Header counter={count} actions={p.actions} description={p.description}>{p.title}</Header>
          {p.error ? <ApiError error={p.error} /> : null}
        </>
      }
      filter={<TextFilter {...filterProps} filteringPlaceholder={`Find ${name}`} filteringAriaLabel={`Filter ${name}`} />}
      pagination={<Pagination {...paginationProps} />}
      preferences={
        <CollectionPreferences
          title="Preferences"
          confirmLabel="Confirm"
          cancelLabel="Cancel"
          preferences={{ pageSize }}
          pageSizePreference={{ title: 'Page size', options: [10, 20, 50, 100].map((n) => ({ value: n, label: `${n} ${name}` })) }}
          onConfirm={({ detail }) => setPageSize(detail.pageSize ?? 20)}
        />
      }
    />
  );
}

function compare(a: string | number | undefined, b: string | number | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}
