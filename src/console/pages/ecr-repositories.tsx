/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="ecr-repositories" crumbs={[{ text: 'ecr-repositories' }]}>This page is being built.</Page>;
}
