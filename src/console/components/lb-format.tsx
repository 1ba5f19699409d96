/** Renderings the load-balancing pages share: listener/rule actions and conditions in words, and links by name. */
import type { Action, RuleCondition, Tag, TargetHealthDescription } from '@aws-sdk/client-elastic-load-balancing-v2';
import Box from '@cloudscape-design/components/box';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { RouterLink } from './page.tsx';
import { ResourceTable } from './resource-table.tsx';

/** The name in an ELB ARN (`…:targetgroup/web/73e2d6bc24d8a067` → `web`, `…:loadbalancer/app/front/50dc…` → `front`). */
export function nameOf(arn: string | undefined): string {
  if (!arn) return '-';
  const parts = arn.split('/');
  return arn.includes(':loadbalancer/') ? parts[parts.length - 2] : parts[1] ?? arn;
}

export const TargetGroupLink = ({ arn }: { arn: string | undefined }) =>
  <RouterLink to={`/target-groups/${encodeURIComponent(nameOf(arn))}`}>{nameOf(arn)}</RouterLink>;

export const LoadBalancerLink = ({ arn }: { arn: string | undefined }) =>
  <RouterLink to={`/load-balancers/${encodeURIComponent(nameOf(arn))}`}>{nameOf(arn)}</RouterLink>;

/** One action as a sentence: forward (with weights and stickiness), fixed response, redirect. */
export function ActionText({ action }: { action: Action }) {
  switch (action.Type) {
    case 'forward': {
      const groups = action.ForwardConfig?.TargetGroups?.length ? action.ForwardConfig.TargetGroups : [{ TargetGroupArn: action.TargetGroupArn, Weight: undefined }];
      const weighted = groups.length > 1;
      const total = groups.reduce((sum, g) => sum + (g.Weight ?? 1), 0);
      const stick = action.ForwardConfig?.TargetGroupStickinessConfig;
      return (
        <Box>
          Forward to{' '}
          {groups.map((g, i) => (
            <span key={g.TargetGroupArn ?? i}>
              {i > 0 && ', '}
              <TargetGroupLink arn={g.TargetGroupArn} />
              {weighted && ` (weight ${g.Weight ?? 1}, ${total ? Math.round(((g.Weight ?? 1) / total) * 100) : 0}%)`}
            </span>
          ))}
          {stick?.Enabled && `; group stickiness ${stick.DurationSeconds ?? 0}s`}
        </Box>
      );
    }
    case 'fixed-response': {
      const f = action.FixedResponseConfig;
      return <Box>Return fixed response {f?.StatusCode}{f?.ContentType ? ` (${f.ContentType})` : ''}{f?.MessageBody ? `: "${f.MessageBody}"` : ''}</Box>;
    }
    case 'redirect': {
      const r = action.RedirectConfig;
      const url = `${r?.Protocol ?? '#{protocol}'}://${r?.Host ?? '#{host}'}:${r?.Port ?? '#{port}'}${r?.Path ?? '/#{path}'}${r?.Query ? `?${r.Query}` : '?#{query}'}`;
      return <Box>Redirect to {url} ({r?.StatusCode === 'HTTP_301' ? '301 permanent' : r?.StatusCode === 'HTTP_302' ? '302 found' : r?.StatusCode})</Box>;
    }
    default:
      return <Box>{action.Type}</Box>;
  }
}

/** The actions of a listener or rule in their order. */
export function Actions({ actions }: { actions: Action[] | undefined }) {
  const sorted = [...(actions ?? [])].sort((a, b) => (a.Order ?? 0) - (b.Order ?? 0));
  if (!sorted.length) return <>-</>;
  return <SpaceBetween size="xxs">{sorted.map((a, i) => <ActionText key={i} action={a} />)}</SpaceBetween>;
}

/** One condition in words (`Path is /api/* or /v2/*`). */
export function conditionText(c: RuleCondition): string {
  const or = (values: string[] | undefined) => (values ?? []).join(' or ');
  switch (c.Field) {
    case 'path-pattern': return `Path is ${or(c.PathPatternConfig?.Values ?? c.Values)}`;
    case 'host-header': return `Host is ${or(c.HostHeaderConfig?.Values ?? c.Values)}`;
    case 'http-header': return `HTTP header ${c.HttpHeaderConfig?.HttpHeaderName} is ${or(c.HttpHeaderConfig?.Values)}`;
    case 'http-request-method': return `Request method is ${or(c.HttpRequestMethodConfig?.Values)}`;
    case 'query-string': return `Query string is ${(c.QueryStringConfig?.Values ?? []).map((v) => (v.Key ? `${v.Key}=${v.Value}` : v.Value)).join(' or ')}`;
    case 'source-ip': return `Source IP is ${or(c.SourceIpConfig?.Values)}`;
    default: return `${c.Field} is ${or(c.Values)}`;
  }
}

export function Conditions({ conditions }: { conditions: RuleCondition[] | undefined }) {
  if (!conditions?.length) return <>If no other rule applies</>;
  return <SpaceBetween size="xxs">{conditions.map((c, i) => <Box key={i}>{i > 0 ? 'AND ' : 'IF '}{conditionText(c)}</Box>)}</SpaceBetween>;
}

/** Key/value rows (attributes, tags) as a two-column table's items. */
export const pairs = (list: { Key?: string; Value?: string }[] | Tag[] | undefined) => (list ?? []).map((p) => ({ key: p.Key ?? '', value: p.Value ?? '' }));

/** A resource's attributes or tags as a table of keys and values. */
export function PairsTable({ title, testId, keyHeader, list }: { title: string; testId: string; keyHeader: string; list: { Key?: string; Value?: string }[] | Tag[] | undefined }) {
  return (
    <ResourceTable title={title} testId={testId} items={pairs(list)} trackBy={(a) => a.key}
      columns={[
        { id: 'key', header: keyHeader, cell: (a) => a.key, sortBy: (a) => a.key },
        { id: 'value', header: 'Value', cell: (a) => a.value || '-' },
      ]} />
  );
}

/** Targets by health state (`healthy`, `unhealthy`, `initial`, `draining`, …). */
export function healthCounts(targets: TargetHealthDescription[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const t of targets) {
    const state = t.TargetHealth?.State ?? 'unknown';
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}
