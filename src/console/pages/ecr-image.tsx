/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="ecr-image" crumbs={[{ text: 'ecr-image' }]}>This page is being built.</Page>;
}
