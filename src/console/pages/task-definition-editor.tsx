/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="task-definition-editor" crumbs={[{ text: 'task-definition-editor' }]}>This page is being built.</Page>;
}
