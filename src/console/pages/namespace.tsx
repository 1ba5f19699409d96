/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="namespace" crumbs={[{ text: 'namespace' }]}>This page is being built.</Page>;
}
