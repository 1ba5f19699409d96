/** Create cluster: a name, Container Insights, and the Fargate capacity providers; ECS's own errors shown on the form. */
import { useState } from 'react';
import { useNavigate } from 'react-router-dom';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import Button from '@cloudscape-design/components/button';
import Checkbox from '@cloudscape-design/components/checkbox';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { Page } from '../components/page.tsx';

export default function CreateClusterPage() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [insights, setInsights] = useState(false);
  const [fargate, setFargate] = useState(true);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const create = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const { cluster } = await client(ECSClient).send(new CreateClusterCommand({
        clusterName: name,
        settings: [{ name: 'containerInsights', value: insights ? 'enabled' : 'disabled' }],
        ...(fargate && { capacityProviders: ['FARGATE', 'FARGATE_SPOT'] }),
      }));
      navigate(`/clusters/${encodeURIComponent(cluster!.clusterName!)}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="Create cluster" crumbs={[{ text: 'Clusters', to: '/clusters' }, { text: 'Create cluster' }]}>
      <form onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <Form
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button formAction="none" variant="link" onClick={() => navigate('/clusters')}>Cancel</Button>
              <Button variant="primary" loading={busy} data-testid="create-cluster">Create</Button>
            </SpaceBetween>
          }
          errorText={error ? <ApiError error={error} /> : undefined}
        >
          <Container>
            <SpaceBetween size="l">
              <FormField label="Cluster name" description="Up to 255 letters, numbers, hyphens and underscores.">
                <Input value={name} onChange={({ detail }) => setName(detail.value)} controlId="cluster-name" autoFocus />
              </FormField>
              <Checkbox checked={fargate} onChange={({ detail }) => setFargate(detail.checked)}>Use the FARGATE and FARGATE_SPOT capacity providers</Checkbox>
              <Checkbox checked={insights} onChange={({ detail }) => setInsights(detail.checked)}>Turn on Container Insights</Checkbox>
            </SpaceBetween>
          </Container>
        </Form>
      </form>
    </Page>
  );
}
