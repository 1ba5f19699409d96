/**
 * A repository: its details and push commands, its images (scan status and finding counts, live)
 * with Scan and Delete, its lifecycle policy (edit, preview, save) and its repository policy.
 */
import { useState } from 'react';
import { useParams } from 'react-router-dom';
import {
  BatchDeleteImageCommand, DescribeImagesCommand, DescribeRepositoriesCommand, ECRClient, GetRepositoryPolicyCommand, StartImageScanCommand,
  type ImageDetail,
} from '@aws-sdk/client-ecr';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import ExpandableSection from '@cloudscape-design/components/expandable-section';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Tabs from '@cloudscape-design/components/tabs';
import { client } from '../clients.ts';
import { ActionModal } from '../components/action-modal.tsx';
import { ApiError } from '../components/api-error.tsx';
import { ImageLink, pushCommands, ScanStatus, SeverityCounts, size } from '../components/ecr-format.tsx';
import { LifecyclePolicyEditor } from '../components/ecr-lifecycle.tsx';
import { time } from '../components/format.tsx';
import { KeyValues } from '../components/key-values.tsx';
import { Page } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';
import { getSession } from '../session.ts';

const ecr = () => client(ECRClient);

/** Every image of a repository, described (all pages). */
async function repositoryImages(repositoryName: string): Promise<ImageDetail[]> {
  const out: ImageDetail[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecr().send(new DescribeImagesCommand({ repositoryName, nextToken, maxResults: 1000 }));
    out.push(...(page.imageDetails ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out.sort((a, b) => new Date(b.imagePushedAt ?? 0).getTime() - new Date(a.imagePushedAt ?? 0).getTime());
}

/** JSON indented for reading (kept as is when it does not parse). */
function pretty(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** What an image is, as the AWS console names it: an image for container configs, else its artifact type. */
const artifactType = (mediaType: string | undefined) =>
  !mediaType || /container\.image\.v1\+json|oci\.image\.config\.v1\+json/.test(mediaType) ? 'Image' : mediaType.includes('index') || mediaType.includes('list') ? 'Image index' : mediaType;

const ms = (d: Date | undefined) => (d ? new Date(d).getTime() : 0);

export default function RepositoryPage() {
  const repository = useParams().repository!;
  const region = getSession()?.region ?? 'us-east-1';
  const info = useLive(async () => (await ecr().send(new DescribeRepositoriesCommand({ repositoryNames: [repository] }))).repositories?.[0], ['ecr/repositories'], [repository]);
  const images = useLive(() => repositoryImages(repository), ['ecr/images', 'ecr/scans', 'ecr/tags'], [repository]);
  const policy = useLive(async () => {
    try {
      return (await ecr().send(new GetRepositoryPolicyCommand({ repositoryName: repository }))).policyText;
    } catch (e) {
      if ((e as Error).name === 'RepositoryPolicyNotFoundException') return '';
      throw e;
    }
  }, ['ecr/repositories'], [repository]);
  const [selected, setSelected] = useState<ImageDetail[]>([]);
  const [actionError, setActionError] = useState<unknown>();
  const [notice, setNotice] = useState<string>();
  const [confirmDelete, setConfirmDelete] = useState(false);
  // Push commands open by themselves while the repository is empty (what one needs first), else on request.
  const [showPush, setShowPush] = useState<boolean>();
  const r = info.data;

  const scan = async () => {
    setActionError(undefined);
    setNotice(undefined);
    const failed: string[] = [];
    for (const image of selected) {
      try {
        await ecr().send(new StartImageScanCommand({ repositoryName: repository, imageId: { imageDigest: image.imageDigest } }));
      } catch (e) {
        failed.push(`${image.imageDigest}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    if (failed.length) setActionError({ name: 'StartImageScan', message: failed.join('; ') });
    else setNotice(`Scan started for ${selected.length} image(s).`);
  };
  const remove = async () => {
    setActionError(undefined);
    setNotice(undefined);
    const out = await ecr().send(new BatchDeleteImageCommand({ repositoryName: repository, imageIds: selected.map((i) => ({ imageDigest: i.imageDigest })) }));
    if (out.failures?.length) setActionError({ name: 'BatchDeleteImage', message: out.failures.map((f) => `${f.imageId?.imageDigest ?? f.imageId?.imageTag}: ${f.failureCode}: ${f.failureReason}`).join('; ') });
    else setNotice(`Deleted ${out.imageIds?.length ?? 0} image reference(s).`);
    setSelected([]);
    setConfirmDelete(false);
    images.reload();
  };

  const commands = pushCommands(repository, r?.repositoryUri, region);
  return (
    <Page
      title={repository}
      crumbs={[{ text: 'Amazon ECR', to: '/ecr/repositories' }, { text: 'Private repositories', to: '/ecr/repositories' }, { text: repository }]}
      actions={<Button onClick={() => setShowPush(true)} data-testid="view-push-commands">View push commands</Button>}
    >
      <ApiError error={info.error} />
      {r && (
        <KeyValues title="General information" columns={3} items={[
          ['URI', r.repositoryUri],
          ['ARN', r.repositoryArn],
          ['Created at', time(r.createdAt)],
          ['Tag immutability', r.imageTagMutability === 'IMMUTABLE' ? 'Enabled' : 'Disabled'],
          ['Scan on push', r.imageScanningConfiguration?.scanOnPush ? 'Enabled' : 'Disabled'],
          ['Encryption type', r.encryptionConfiguration?.encryptionType ?? 'AES256'],
        ]} />
      )}
      <ExpandableSection variant="container" expanded={showPush ?? images.data?.length === 0} onChange={({ detail }) => setShowPush(detail.expanded)}
        headerText="Push commands" headerDescription="Log docker in to this registry, then build, tag and push an image to the repository.">
        <pre data-testid="push-commands" style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{commands.join('\n')}</pre>
      </ExpandableSection>
      {actionError ? <ApiError error={actionError} /> : null}
      {notice && <Alert type="success" dismissible onDismiss={() => setNotice(undefined)}>{notice}</Alert>}
      <Tabs tabs={[
        {
          id: 'images', label: 'Images', content: (
            <ResourceTable
              title="Images"
              testId="images"
              items={images.data}
              loading={images.loading}
              error={images.error}
              trackBy={(i) => i.imageDigest!}
              selectionType="multi"
              selectedItems={selected}
              onSelectionChange={setSelected}
              actions={
                <SpaceBetween direction="horizontal" size="xs">
                  <Button disabled={!selected.length} onClick={() => setConfirmDelete(true)} data-testid="delete-images">Delete</Button>
                  <Button disabled={!selected.length} onClick={() => void scan()} data-testid="scan-images">Scan</Button>
                </SpaceBetween>
              }
              columns={[
                { id: 'tags', header: 'Image tags', cell: (i) => i.imageTags?.join(', ') || '<untagged>', sortBy: (i) => i.imageTags?.join(',') },
                { id: 'digest', header: 'Image digest', cell: (i) => <ImageLink repository={repository} image={i} />, sortBy: (i) => i.imageDigest },
                { id: 'pushed', header: 'Pushed at', cell: (i) => time(i.imagePushedAt), sortBy: (i) => ms(i.imagePushedAt) },
                { id: 'size', header: 'Size', cell: (i) => size(i.imageSizeInBytes), sortBy: (i) => i.imageSizeInBytes },
                { id: 'scan', header: 'Scan status', cell: (i) => <ScanStatus status={i.imageScanStatus?.status} />, sortBy: (i) => i.imageScanStatus?.status },
                { id: 'findings', header: 'Vulnerabilities', cell: (i) => (i.imageScanFindingsSummary ? <SeverityCounts compact counts={i.imageScanFindingsSummary.findingSeverityCounts ?? {}} /> : '-') },
                { id: 'type', header: 'Artifact type', cell: (i) => artifactType(i.artifactMediaType) },
                { id: 'pulled', header: 'Last pulled', cell: (i) => time(i.lastRecordedPullTime), sortBy: (i) => ms(i.lastRecordedPullTime) },
              ]}
            />
          ),
        },
        { id: 'lifecycle', label: 'Lifecycle policy', content: <LifecyclePolicyEditor repository={repository} /> },
        {
          id: 'permissions', label: 'Permissions', content: (
            <Container header={<Header variant="h2" description="The repository policy: who else may pull from or push to this repository.">Repository policy</Header>}>
              <ApiError error={policy.error} />
              {policy.data
                ? <pre data-testid="repository-policy" style={{ margin: 0, whiteSpace: 'pre-wrap' }}>{pretty(policy.data)}</pre>
                : policy.data === '' && <Box color="text-status-inactive">This repository has no policy: only identities of the account with IAM permissions can use it.</Box>}
            </Container>
          ),
        },
      ]} />
      {confirmDelete && (
        <ActionModal header="Delete images" action="Delete" run={remove} onClose={() => setConfirmDelete(false)} submitTestId="delete-images-submit">
          <Box>
            Delete {selected.length} image(s) and all their tags from {repository}? This cannot be undone.
            <ul>{selected.map((i) => <li key={i.imageDigest}>{i.imageTags?.join(', ') || '<untagged>'} — {i.imageDigest}</li>)}</ul>
          </Box>
        </ActionModal>
      )}
    </Page>
  );
}
