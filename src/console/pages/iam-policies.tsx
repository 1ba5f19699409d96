/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="iam-policies" crumbs={[{ text: 'iam-policies' }]}>This page is being built.</Page>;
}
