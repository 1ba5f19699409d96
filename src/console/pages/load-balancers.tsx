/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="load-balancers" crumbs={[{ text: 'load-balancers' }]}>This page is being built.</Page>;
}
