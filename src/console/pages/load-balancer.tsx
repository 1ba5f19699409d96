/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="load-balancer" crumbs={[{ text: 'load-balancer' }]}>This page is being built.</Page>;
}
