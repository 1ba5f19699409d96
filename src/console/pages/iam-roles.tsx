/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="iam-roles" crumbs={[{ text: 'iam-roles' }]}>This page is being built.</Page>;
}
