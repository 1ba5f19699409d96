/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="event-rules" crumbs={[{ text: 'event-rules' }]}>This page is being built.</Page>;
}
