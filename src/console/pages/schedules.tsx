/** Placeholder until this page is built. */
import { Page } from '../components/page.tsx';

export default function Placeholder() {
  return <Page title="schedules" crumbs={[{ text: 'schedules' }]}>This page is being built.</Page>;
}
