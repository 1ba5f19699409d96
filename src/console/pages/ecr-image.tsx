/**
 * An image: its details and its scan — status, severity counts and every finding (basic, and
 * enhanced when the scan has them) — live, so an IN_PROGRESS scan turns into its findings in place.
 */
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  DescribeImageScanFindingsCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, StartImageScanCommand,
  type EnhancedImageScanFinding, type ImageScanFinding, type ImageScanFindings, type ImageScanStatus,
} from '@aws-sdk/client-ecr';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Link from '@cloudscape-design/components/link';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { ScanStatus, SEVERITIES, SeverityBadge, SeverityCounts, size } from '../components/ecr-format.tsx';
import { time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const ecr = () => client(ECRClient);

interface Scan {
  status?: ImageScanStatus;
  summary?: Omit<ImageScanFindings, 'findings' | 'enhancedFindings'>;
  findings: ImageScanFinding[];
  enhanced: EnhancedImageScanFinding[];
}

/** The image's scan with every page of findings; no scan yet is a status, not an error. */
async function scanOf(repositoryName: string, imageDigest: string): Promise<Scan> {
  const scan: Scan = { findings: [], enhanced: [] };
  let nextToken: string | undefined;
  try {
    do {
      const page = await ecr().send(new DescribeImageScanFindingsCommand({ repositoryName, imageId: { imageDigest }, nextToken, maxResults: 1000 }));
      scan.status = page.imageScanStatus;
      const { findings, enhancedFindings, ...summary } = page.imageScanFindings ?? {};
      scan.summary ??= summary;
      scan.findings.push(...(findings ?? []));
      scan.enhanced.push(...(enhancedFindings ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (e) {
    if ((e as Error).name !== 'ScanNotFoundException') throw e;
    scan.status = { status: 'NOT_SCANNED' as ImageScanStatus['status'], description: (e as Error).message };
  }
  return scan;
}

const attribute = (f: ImageScanFinding, key: string) => f.attributes?.find((a) => a.key === key)?.value;
const rank = (severity: string | undefined) => {
  const i = SEVERITIES.findIndex(([s]) => s === severity);
  return i < 0 ? SEVERITIES.length : i;
};

export default function ImagePage() {
  const params = useParams();
  const repository = params.repository!;
  const digest = params.digest!;
  const image = useLive(async () => (await ecr().send(new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageDigest: digest }] }))).imageDetails?.[0], ['ecr/images', 'ecr/tags', 'ecr/scans'], [repository, digest]);
  const uri = useLive(async () => (await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }))).repositories?.[0]?.repositoryUri, [], [repository]);
  const scan = useLive(() => scanOf(repository, digest), ['ecr/scans', 'ecr/images'], [repository, digest]);
  const [scanError, setScanError] = useState<unknown>();
  const [starting, setStarting] = useState(false);
  const i = image.data;
  const s = scan.data;
  const startScan = async () => {
    setStarting(true);
    setScanError(undefined);
    try {
      await ecr().send(new StartImageScanCommand({ repositoryName: repository, imageId: { imageDigest: digest } }));
      scan.reload();
    } catch (e) {
      setScanError(e);
    } finally {
      setStarting(false);
    }
  };
  const title = i?.imageTags?.length ? `${repository}:${i.imageTags[0]}` : digest;
  return (
    <Page
      title={title}
      crumbs={[
        { text: 'Amazon ECR', to: '/ecr/repositories' },
        { text: 'Private repositories', to: '/ecr/repositories' },
        { text: repository, to: `/ecr/repositories/${encodeURIComponent(repository)}` },
        { text: i?.imageTags?.[0] ?? digest.slice(0, 19) },
      ]}
      actions={<Button onClick={() => void startScan()} loading={starting || s?.status?.status === 'IN_PROGRESS'} data-testid="scan-image">Scan</Button>}
    >
      <ApiError error={image.error} />
      <ApiError error={scanError} />
      {i && (
        <KeyValues title="Details" columns={3} items={[
          ['Image tags', i.imageTags?.join(', ') || '<untagged>'],
          ['Digest', <Box variant="code" data-testid="image-digest">{i.imageDigest}</Box>],
          ['URI', uri.data ? `${uri.data}@${i.imageDigest}` : '-'],
          ['Pushed at', time(i.imagePushedAt)],
          ['Size', size(i.imageSizeInBytes)],
          ['Last pulled', time(i.lastRecordedPullTime)],
          ['Manifest media type', i.imageManifestMediaType],
          ['Artifact media type', i.artifactMediaType],
          ['Registry', i.registryId],
        ]} />
      )}
      <ApiError error={scan.error} />
      {s && (
        <KeyValues title="Vulnerability scan" columns={3} items={[
          ['Scan status', <span data-testid="scan-status"><ScanStatus status={s.status?.status} /></span>],
          ['Description', s.status?.description],
          ['Severity counts', <span data-testid="severity-counts">{s.status?.status === 'COMPLETE' ? <SeverityCounts counts={s.summary?.findingSeverityCounts ?? {}} /> : '-'}</span>],
          ['Scan completed at', time(s.summary?.imageScanCompletedAt)],
          ['Vulnerability source updated', time(s.summary?.vulnerabilitySourceUpdatedAt)],
          ['Findings', s.findings.length + s.enhanced.length],
        ]} />
      )}
      {s && (s.findings.length > 0 || !s.enhanced.length) && (
        <ResourceTable
          title="Findings"
          testId="findings"
          items={s.findings}
          loading={scan.loading}
          trackBy={(f) => `${f.name}/${attribute(f, 'package_name')}/${attribute(f, 'package_version')}`}
          empty={s.status?.status === 'COMPLETE' ? 'No findings' : 'No scan results yet'}
          columns={[
            { id: 'name', header: 'Name', cell: (f) => f.name, sortBy: (f) => f.name },
            { id: 'severity', header: 'Severity', cell: (f) => <SeverityBadge severity={f.severity} />, sortBy: (f) => rank(f.severity) },
            { id: 'package', header: 'Package', cell: (f) => attribute(f, 'package_name') ?? '-', sortBy: (f) => attribute(f, 'package_name') },
            { id: 'version', header: 'Package version', cell: (f) => attribute(f, 'package_version') ?? '-' },
            { id: 'description', header: 'Description', cell: (f) => f.description ?? '-' },
            { id: 'uri', header: 'Link', cell: (f) => (f.uri ? <Link external href={f.uri}>{f.uri}</Link> : '-') },
          ]}
        />
      )}
      {s && s.enhanced.length > 0 && (
        <ResourceTable
          title="Enhanced findings"
          testId="enhanced-findings"
          items={s.enhanced}
          trackBy={(f) => f.findingArn ?? `${f.title}`}
          columns={[
            { id: 'name', header: 'Name', cell: (f) => f.packageVulnerabilityDetails?.vulnerabilityId ?? f.title, sortBy: (f) => f.title },
            { id: 'severity', header: 'Severity', cell: (f) => <SeverityBadge severity={f.severity} />, sortBy: (f) => rank(f.severity) },
            { id: 'package', header: 'Package', cell: (f) => f.packageVulnerabilityDetails?.vulnerablePackages?.map((p) => `${p.name} ${p.version ?? ''}`).join(', ') ?? '-' },
            { id: 'score', header: 'Score', cell: (f) => f.score ?? '-', sortBy: (f) => f.score },
            { id: 'status', header: 'Status', cell: (f) => f.status ?? '-' },
            { id: 'description', header: 'Description', cell: (f) => f.description ?? '-' },
            { id: 'uri', header: 'Link', cell: (f) => (f.packageVulnerabilityDetails?.sourceUrl ? <Link external href={f.packageVulnerabilityDetails.sourceUrl}>{f.packageVulnerabilityDetails.sourceUrl}</Link> : '-') },
          ]}
        />
      )}
    </Page>
  );
}
