/**
 * Sign-in with an access key pair: the keys are checked by STS GetCallerIdentity (signed in
 * this page), which also names the account; nothing is sent anywhere else.
 */
import { useState } from 'react';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import Header from '@cloudscape-design/components/header';
import Input from '@cloudscape-design/components/input';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { configFor } from './clients.ts';
import { ApiError } from './components/api-error.tsx';
import { REGIONS, getSession, signIn } from './session.ts';

export function SignIn({ onCancel }: { onCancel?: () => void }) {
  const [accessKeyId, setAccessKeyId] = useState('');
  const [secretAccessKey, setSecret] = useState('');
  const [sessionToken, setToken] = useState('');
  const [region, setRegion] = useState(getSession()?.region ?? 'us-east-1');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const credentials = { accessKeyId: accessKeyId.trim(), secretAccessKey: secretAccessKey.trim(), sessionToken: sessionToken.trim() || undefined };
      const sts = new STSClient(configFor(credentials, region));
      const who = await sts.send(new GetCallerIdentityCommand({}));
      signIn({ ...credentials, account: who.Account!, arn: who.Arn! }, region);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Box padding="xxxl">
      <div style={{ maxWidth: 520, margin: '0 auto' }}>
        <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
          <Form
            header={<Header variant="h1" description="Sign in with an access key pair. Every request is signed in this page and authorized by IAM, as the AWS CLI's are.">Wharf console</Header>}
            actions={
              <SpaceBetween direction="horizontal" size="xs">
                {onCancel && <Button formAction="none" variant="link" onClick={onCancel}>Cancel</Button>}
                <Button variant="primary" loading={busy} data-testid="sign-in">Sign in</Button>
              </SpaceBetween>
            }
          >
            <Container>
              <SpaceBetween size="l">
                <FormField label="Access key ID">
                  <Input value={accessKeyId} onChange={({ detail }) => setAccessKeyId(detail.value)} autoFocus autoComplete={false} ariaRequired controlId="access-key-id" />
                </FormField>
                <FormField label="Secret access key">
                  <Input type="password" value={secretAccessKey} onChange={({ detail }) => setSecret(detail.value)} autoComplete={false} ariaRequired controlId="secret-access-key" />
                </FormField>
                <FormField label="Session token" description="Only for temporary credentials from STS.">
                  <Input type="password" value={sessionToken} onChange={({ detail }) => setToken(detail.value)} autoComplete={false} controlId="session-token" />
                </FormField>
                <FormField label="Region">
                  <Select selectedOption={{ value: region, label: region }} options={REGIONS.map((r) => ({ value: r, label: r }))} onChange={({ detail }) => setRegion(detail.selectedOption.value!)} />
                </FormField>
                <ApiError error={error} header="Could not sign in" />
              </SpaceBetween>
            </Container>
          </Form>
        </form>
      </div>
    </Box>
  );
}
