/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="metrics" crumbs={[{ text: 'metrics' }]}>This page is being built.</Page>;
}
