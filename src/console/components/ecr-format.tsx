/** Renderings the ECR pages share: sizes, finding severity counts, image links, and the push commands. */
import type { FindingSeverity, ImageDetail } from '@aws-sdk/client-ecr';
import Badge from '@cloudscape-design/components/badge';
import Box from '@cloudscape-design/components/box';
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';
import { RouterLink } from './page.tsx';

/** Severities from worst to least, with the badge colour each gets. */
export const SEVERITIES: [FindingSeverity | string, 'red' | 'severity-high' | 'severity-medium' | 'severity-low' | 'grey'][] = [
  ['CRITICAL', 'red'], ['HIGH', 'severity-high'], ['MEDIUM', 'severity-medium'], ['LOW', 'severity-low'], ['INFORMATIONAL', 'grey'], ['UNDEFINED', 'grey'],
];

const colorOf = (severity: string | undefined) => (SEVERITIES.find(([s]) => s === severity)?.[1] ?? 'grey') as 'red';

/** One finding's severity as a coloured badge. */
export const SeverityBadge = ({ severity }: { severity: string | undefined }) => <Badge color={colorOf(severity)}>{severity ?? 'UNDEFINED'}</Badge>;

const SCAN_STATUS: Record<string, [StatusIndicatorProps.Type, string]> = {
  COMPLETE: ['success', 'Complete'], IN_PROGRESS: ['in-progress', 'In progress'], FAILED: ['error', 'Failed'],
  UNSUPPORTED_IMAGE: ['warning', 'Unsupported image'], FINDINGS_UNAVAILABLE: ['warning', 'Findings unavailable'], NOT_SCANNED: ['stopped', 'Not scanned'],
};

/** An image scan's status (ECR's values, in the AWS console's words). */
export function ScanStatus({ status }: { status: string | undefined }) {
  if (!status) return <>-</>;
  const [type, text] = SCAN_STATUS[status] ?? ['info', status];
  return <StatusIndicator type={type}>{text}</StatusIndicator>;
}

/** Finding counts by severity as badges (`CRITICAL 1  HIGH 3`; `C 1  H 3` compact, for tables), or "No findings" for a clean scan. */
export function SeverityCounts({ counts, compact }: { counts: Partial<Record<string, number>> | undefined; compact?: boolean }) {
  const present = SEVERITIES.filter(([s]) => (counts?.[s] ?? 0) > 0);
  if (!counts) return <>-</>;
  if (!present.length) return <Box color="text-status-success">No findings</Box>;
  return (
    <span style={{ display: 'inline-flex', flexWrap: 'wrap', gap: 4 }}>
      {present.map(([s]) => (
        <span key={s} title={`${s}: ${counts[s]}`}><Badge color={colorOf(s)}>{`${compact ? s[0] : s} ${counts[s]}`}</Badge></span>
      ))}
    </span>
  );
}

/** A size in bytes as the AWS console shows image sizes (MB with two decimals). */
export function size(bytes: number | undefined): string {
  if (bytes === undefined) return '-';
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(2)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(2)} MB`;
}

/** The console path of an image (its digest URL-encoded: `sha256:…`). */
export const imagePath = (repository: string, digest: string): string =>
  `/ecr/repositories/${encodeURIComponent(repository)}/images/${encodeURIComponent(digest)}`;

export function ImageLink({ repository, image }: { repository: string; image: ImageDetail }) {
  const digest = image.imageDigest ?? '';
  return <RouterLink to={imagePath(repository, digest)}>{digest.slice(0, 19)}…</RouterLink>;
}

/** The CLI steps that log docker in to this registry and push an image to the repository (by its URI, as ECR names it). */
export function pushCommands(repositoryName: string, repositoryUri: string | undefined, region: string): string[] {
  const target = repositoryUri ?? `${window.location.host}/${repositoryName}`;
  const registry = target.slice(0, target.indexOf('/'));
  const local = repositoryName.slice(repositoryName.lastIndexOf('/') + 1);
  return [
    `aws ecr get-login-password --region ${region} --endpoint-url ${window.location.origin} | docker login --username AWS --password-stdin ${registry}`,
    `docker build -t ${local} .`,
    `docker tag ${local}:latest ${target}:latest`,
    `docker push ${target}:latest`,
  ];
}
