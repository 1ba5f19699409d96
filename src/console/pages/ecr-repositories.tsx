/** ECR repositories: listed live, created from a modal, deleted after confirmation (with force when images remain). */
import { useState } from 'react';
import {
  CreateRepositoryCommand, DeleteRepositoryCommand, DescribeRepositoriesCommand, ECRClient, ListImagesCommand, type Repository,
} from '@aws-sdk/client-ecr';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import RadioGroup from '@cloudscape-design/components/radio-group';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { ActionModal } from '../components/action-modal.tsx';
import { time } from '../components/format.tsx';
import { Page, RouterLink } from '../components/page.tsx';
import { ResourceTable } from '../components/resource-table.tsx';
import { useLive } from '../live.ts';

const ecr = () => client(ECRClient);

/** Every repository of the registry, all pages. */
export async function listRepositories(): Promise<Repository[]> {
  const out: Repository[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ecr().send(new DescribeRepositoriesCommand({ nextToken, maxResults: 1000 }));
    out.push(...(page.repositories ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return out;
}

export const repositoryPath = (name: string) => `/ecr/repositories/${encodeURIComponent(name)}`;

export default function RepositoriesPage() {
  const repositories = useLive(listRepositories, ['ecr/repositories']);
  const [selected, setSelected] = useState<Repository[]>([]);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Repository>();
  return (
    <Page title="Private repositories" crumbs={[{ text: 'Amazon ECR', to: '/ecr/repositories' }, { text: 'Private repositories' }]}>
      <ResourceTable
        title="Private repositories"
        testId="repositories"
        items={repositories.data}
        loading={repositories.loading}
        error={repositories.error}
        trackBy={(r) => r.repositoryArn!}
        selectionType="single"
        selectedItems={selected}
        onSelectionChange={setSelected}
        actions={
          <SpaceBetween direction="horizontal" size="xs">
            <Button disabled={!selected.length} onClick={() => setDeleting(selected[0])} data-testid="delete-repository">Delete</Button>
            <Button variant="primary" onClick={() => setCreating(true)} data-testid="create-repository">Create repository</Button>
          </SpaceBetween>
        }
        columns={[
          { id: 'name', header: 'Repository name', cell: (r) => <RouterLink to={repositoryPath(r.repositoryName!)}>{r.repositoryName}</RouterLink>, sortBy: (r) => r.repositoryName },
          { id: 'uri', header: 'URI', cell: (r) => r.repositoryUri, sortBy: (r) => r.repositoryUri },
          { id: 'created', header: 'Created at', cell: (r) => time(r.createdAt), sortBy: (r) => (r.createdAt ? new Date(r.createdAt).getTime() : 0) },
          { id: 'mutability', header: 'Tag immutability', cell: (r) => (r.imageTagMutability === 'IMMUTABLE' ? 'Enabled' : 'Disabled'), sortBy: (r) => r.imageTagMutability },
          { id: 'scan', header: 'Scan on push', cell: (r) => (r.imageScanningConfiguration?.scanOnPush ? 'Enabled' : 'Disabled') },
          { id: 'encryption', header: 'Encryption type', cell: (r) => r.encryptionConfiguration?.encryptionType ?? 'AES256' },
        ]}
      />
      {creating && <CreateRepositoryModal onClose={() => setCreating(false)} onDone={() => { setCreating(false); repositories.reload(); }} />}
      {deleting && <DeleteRepositoryModal repository={deleting} onClose={() => setDeleting(undefined)} onDone={() => { setDeleting(undefined); setSelected([]); repositories.reload(); }} />}
    </Page>
  );
}

function CreateRepositoryModal({ onClose, onDone }: { onClose: () => void; onDone: () => void }) {
  const [name, setName] = useState('');
  const [mutability, setMutability] = useState('MUTABLE');
  const [scanOnPush, setScanOnPush] = useState(false);
  const create = async () => {
    await ecr().send(new CreateRepositoryCommand({ repositoryName: name, imageTagMutability: mutability as 'MUTABLE', imageScanningConfiguration: { scanOnPush } }));
    onDone();
  };
  return (
    <ActionModal header="Create repository" action="Create" run={create} onClose={onClose} disabled={!name} testId="create-repository-modal" submitTestId="create-repository-submit">
      <FormField label="Repository name" description="Lowercase letters, numbers, hyphens, underscores, periods and slashes (namespaces).">
        <Input value={name} onChange={({ detail }) => setName(detail.value)} autoFocus data-testid="repository-name" />
      </FormField>
      <FormField label="Tag immutability">
        <RadioGroup value={mutability} onChange={({ detail }) => setMutability(detail.value)} items={[
          { value: 'MUTABLE', label: 'Mutable', description: 'Image tags can be overwritten by later pushes.' },
          { value: 'IMMUTABLE', label: 'Immutable', description: 'A tag, once pushed, cannot be moved to another image.' },
        ]} />
      </FormField>
      <FormField label="Image scan settings">
        <Checkbox checked={scanOnPush} onChange={({ detail }) => setScanOnPush(detail.checked)}>Scan on push</Checkbox>
      </FormField>
    </ActionModal>
  );
}

function DeleteRepositoryModal({ repository, onClose, onDone }: { repository: Repository; onClose: () => void; onDone: () => void }) {
  const name = repository.repositoryName!;
  const images = useLive(async () => (await ecr().send(new ListImagesCommand({ repositoryName: name, maxResults: 1 }))).imageIds?.length ?? 0, ['ecr/images'], [name]);
  const [confirm, setConfirm] = useState('');
  const [force, setForce] = useState(false);
  const hasImages = (images.data ?? 0) > 0;
  const remove = async () => {
    await ecr().send(new DeleteRepositoryCommand({ repositoryName: name, force }));
    onDone();
  };
  return (
    <ActionModal header={`Delete ${name}`} action="Delete" run={remove} onClose={onClose} disabled={confirm !== 'delete'} submitTestId="delete-repository-submit">
      <Box>Deleting the repository <b>{name}</b> cannot be undone.</Box>
      {hasImages && (
        <Alert type="warning" header="The repository has images">
          <Checkbox checked={force} onChange={({ detail }) => setForce(detail.checked)} data-testid="delete-force">Delete its images too (force)</Checkbox>
        </Alert>
      )}
      <FormField label='To confirm, type "delete".'>
        <Input value={confirm} onChange={({ detail }) => setConfirm(detail.value)} placeholder="delete" data-testid="delete-confirm" />
      </FormField>
    </ActionModal>
  );
}
