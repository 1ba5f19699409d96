/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="log-groups" crumbs={[{ text: 'log-groups' }]}>This page is being built.</Page>;
}
