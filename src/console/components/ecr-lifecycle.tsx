/**
 * A repository's lifecycle policy: edited as JSON, previewed (which images it would expire, and by
 * which rule) before it is saved, saved or deleted — ECR's own validation errors shown inline.
 */
import { useEffect, useState } from 'react';
import {
  DeleteLifecyclePolicyCommand, ECRClient, GetLifecyclePolicyCommand, GetLifecyclePolicyPreviewCommand, PutLifecyclePolicyCommand,
  StartLifecyclePolicyPreviewCommand, type LifecyclePolicyPreviewResult,
} from '@aws-sdk/client-ecr';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Textarea from '@cloudscape-design/components/textarea';
import { client } from '../clients.ts';
import { ApiError } from './api-error.tsx';
import { time } from './format.tsx';
import { imagePath, ScanStatus } from './ecr-format.tsx';
import { RouterLink } from './page.tsx';
import { ResourceTable } from './resource-table.tsx';
import { useLive } from '../live.ts';

const ecr = () => client(ECRClient);

/** What the editor starts with when the repository has no policy: one rule, as ECR's documentation shows. */
export const EXAMPLE_POLICY = JSON.stringify({
  rules: [{
    rulePriority: 1,
    description: 'Keep only the 10 most recent images',
    selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 10 },
    action: { type: 'expire' },
  }],
}, null, 2);

const pretty = (text: string): string => {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
};

interface Preview {
  status?: string;
  results: LifecyclePolicyPreviewResult[];
  expiring?: number;
}

export function LifecyclePolicyEditor({ repository }: { repository: string }) {
  const current = useLive(async () => {
    try {
      const r = await ecr().send(new GetLifecyclePolicyCommand({ repositoryName: repository }));
      return { text: r.lifecyclePolicyText, evaluated: r.lastEvaluatedAt };
    } catch (e) {
      if ((e as Error).name === 'LifecyclePolicyNotFoundException') return { text: undefined, evaluated: undefined };
      throw e;
    }
  }, ['ecr/'], [repository]);
  const [text, setText] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState<'preview' | 'save' | 'delete'>();
  const [preview, setPreview] = useState<Preview>();
  // The editor starts from the saved policy (or the example) once it has loaded, then is the user's.
  useEffect(() => {
    if (text === undefined && current.data) setText(current.data.text ? pretty(current.data.text) : EXAMPLE_POLICY);
  }, [current.data, text]);

  const act = async (what: 'preview' | 'save' | 'delete', run: () => Promise<void>) => {
    setBusy(what);
    setError(undefined);
    setSaved(undefined);
    try {
      await run();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(undefined);
    }
  };
  const runPreview = () => act('preview', async () => {
    setPreview(undefined);
    await ecr().send(new StartLifecyclePolicyPreviewCommand({ repositoryName: repository, lifecyclePolicyText: text }));
    for (let i = 0; i < 240; i++) {
      const results: LifecyclePolicyPreviewResult[] = [];
      let nextToken: string | undefined;
      let page;
      do {
        page = await ecr().send(new GetLifecyclePolicyPreviewCommand({ repositoryName: repository, nextToken, maxResults: 100 }));
        results.push(...(page.previewResults ?? []));
        nextToken = page.nextToken;
      } while (nextToken);
      setPreview({ status: page.status, results, expiring: page.summary?.expiringImageTotalCount });
      if (page.status !== 'IN_PROGRESS') return;
      await new Promise((r) => setTimeout(r, 500));
    }
  });
  const save = () => act('save', async () => {
    await ecr().send(new PutLifecyclePolicyCommand({ repositoryName: repository, lifecyclePolicyText: text }));
    setSaved('Lifecycle policy saved.');
    current.reload();
  });
  const remove = () => act('delete', async () => {
    await ecr().send(new DeleteLifecyclePolicyCommand({ repositoryName: repository }));
    setSaved('Lifecycle policy deleted.');
    setText(EXAMPLE_POLICY);
    current.reload();
  });

  return (
    <SpaceBetween size="l">
      <Container
        header={
          <Header variant="h2"
            description={current.data?.text ? `A policy is in force${current.data.evaluated ? `; last evaluated ${time(current.data.evaluated)}` : ''}.` : 'No lifecycle policy is in force; the editor holds an example.'}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                <Button disabled={!current.data?.text} loading={busy === 'delete'} onClick={() => void remove()} data-testid="lifecycle-delete">Delete policy</Button>
                <Button loading={busy === 'preview'} disabled={!text} onClick={() => void runPreview()} data-testid="lifecycle-preview">Preview</Button>
                <Button variant="primary" loading={busy === 'save'} disabled={!text} onClick={() => void save()} data-testid="lifecycle-save">Save</Button>
              </SpaceBetween>
            }>
            Lifecycle policy
          </Header>
        }>
        <SpaceBetween size="m">
          <ApiError error={current.error} />
          {error ? <ApiError error={error} /> : null}
          {saved && <Alert type="success" dismissible onDismiss={() => setSaved(undefined)}>{saved}</Alert>}
          <FormField label="Policy JSON" stretch description="Rules are applied in priority order; an image is expired by the first rule that selects it.">
            <Textarea value={text ?? ''} rows={16} onChange={({ detail }) => setText(detail.value)} spellcheck={false} ariaLabel="Lifecycle policy JSON" data-testid="lifecycle-text" />
          </FormField>
        </SpaceBetween>
      </Container>
      {preview && (
        <ResourceTable
          title="Preview"
          testId="lifecycle-preview-results"
          items={preview.results}
          loading={preview.status === 'IN_PROGRESS'}
          trackBy={(r) => r.imageDigest!}
          empty="No image would expire"
          description={<SpaceBetween direction="horizontal" size="xs"><ScanStatus status={preview.status} /><Box>{preview.expiring ?? 0} image(s) would expire.</Box></SpaceBetween>}
          columns={[
            { id: 'tags', header: 'Image tags', cell: (r) => r.imageTags?.join(', ') || '<untagged>', sortBy: (r) => r.imageTags?.join(',') },
            { id: 'digest', header: 'Digest', cell: (r) => <RouterLink to={imagePath(repository, r.imageDigest!)}>{r.imageDigest?.slice(0, 19)}…</RouterLink> },
            { id: 'pushed', header: 'Pushed at', cell: (r) => time(r.imagePushedAt), sortBy: (r) => (r.imagePushedAt ? new Date(r.imagePushedAt).getTime() : 0) },
            { id: 'action', header: 'Action', cell: (r) => r.action?.type ?? '-' },
            { id: 'priority', header: 'Rule priority', cell: (r) => r.appliedRulePriority ?? '-', sortBy: (r) => r.appliedRulePriority },
            { id: 'storage', header: 'Storage class', cell: (r) => r.storageClass ?? '-' },
          ]}
        />
      )}
    </SpaceBetween>
  );
}
