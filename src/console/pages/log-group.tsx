/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="log-group" crumbs={[{ text: 'log-group' }]}>This page is being built.</Page>;
}
