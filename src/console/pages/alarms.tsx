/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="alarms" crumbs={[{ text: 'alarms' }]}>This page is being built.</Page>;
}
