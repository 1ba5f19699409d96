/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="task-definition" crumbs={[{ text: 'task-definition' }]}>This page is being built.</Page>;
}
