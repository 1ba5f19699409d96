/**
 * A console page: breadcrumbs, a header with actions, and the content; router links that keep
 * Cloudscape's look, open in a new tab on middle click, and navigate in place otherwise.
 */
import type { ReactNode } from 'react';
import { useNavigate } from 'react-router-dom';
import BreadcrumbGroup from '@cloudscape-design/components/breadcrumb-group';
import ContentLayout from '@cloudscape-design/components/content-layout';
import Header from '@cloudscape-design/components/header';
import Link, { type LinkProps } from '@cloudscape-design/components/link';
import SpaceBetween from '@cloudscape-design/components/space-between';

const BASE = '/console';

/** The browser URL of a console path (`/clusters/x` → `/console/clusters/x`). */
export const href = (path: string): string => `${BASE}${path}`;

/** Follows a Cloudscape link or button with `href` inside the app, without a reload. */
export function useFollow(): (event: CustomEvent<{ href?: string; external?: boolean }>) => void {
  const navigate = useNavigate();
  return (event) => {
    const target = event.detail.href;
    if (!target || event.detail.external || !target.startsWith(BASE)) return;
    event.preventDefault();
    navigate(target.slice(BASE.length) || '/');
  };
}

export function RouterLink({ to, children, ...rest }: { to: string; children: ReactNode } & Omit<LinkProps, 'href' | 'onFollow'>) {
  const follow = useFollow();
  return <Link {...rest} href={href(to)} onFollow={follow}>{children}</Link>;
}

export interface Crumb {
  text: string;
  /** Console path; the last crumb (this page) has none. */
  to?: string;
}

export function Page(p: { title: ReactNode; crumbs: Crumb[]; actions?: ReactNode; description?: ReactNode; info?: ReactNode; children: ReactNode }) {
  const follow = useFollow();
  return (
    <SpaceBetween size="m">
      <BreadcrumbGroup
        ariaLabel="Breadcrumbs"
        items={p.crumbs.map((c) => ({ text: c.text, href: c.to ? href(c.to) : '#' }))}
        onFollow={follow}
      />
      <ContentLayout header={<Header variant="h1" actions={p.actions} description={p.description} info={p.info}>{p.title}</Header>}>
        <SpaceBetween size="l">{p.children}</SpaceBetween>
      </ContentLayout>
    </SpaceBetween>
  );
}
