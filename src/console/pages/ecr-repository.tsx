/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="ecr-repository" crumbs={[{ text: 'ecr-repository' }]}>This page is being built.</Page>;
}
