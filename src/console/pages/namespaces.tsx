/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="namespaces" crumbs={[{ text: 'namespaces' }]}>This page is being built.</Page>;
}
