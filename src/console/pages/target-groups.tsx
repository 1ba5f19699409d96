/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="target-groups" crumbs={[{ text: 'target-groups' }]}>This page is being built.</Page>;
}
