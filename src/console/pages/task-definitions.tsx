/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="task-definitions" crumbs={[{ text: 'task-definitions' }]}>This page is being built.</Page>;
}
