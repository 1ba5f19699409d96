/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="target-group" crumbs={[{ text: 'target-group' }]}>This page is being built.</Page>;
}
