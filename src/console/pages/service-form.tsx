/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="service-form" crumbs={[{ text: 'service-form' }]}>This page is being built.</Page>;
}
