/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="iam-users" crumbs={[{ text: 'iam-users' }]}>This page is being built.</Page>;
}
