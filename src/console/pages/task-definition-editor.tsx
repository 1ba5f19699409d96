/**
 * Create a task definition, or a new revision of one, as JSON (RegisterTaskDefinition's input):
 * a parse error is shown at its line and column, and ECS's own validation error beside the editor.
 */
import { useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';
import { DescribeTaskDefinitionCommand, ECSClient, RegisterTaskDefinitionCommand, type RegisterTaskDefinitionCommandInput } from '@aws-sdk/client-ecs';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Container from '@cloudscape-design/components/container';
import Form from '@cloudscape-design/components/form';
import FormField from '@cloudscape-design/components/form-field';
import SpaceBetween from '@cloudscape-design/components/space-between';
import Spinner from '@cloudscape-design/components/spinner';
import Textarea from '@cloudscape-design/components/textarea';
import { client } from '../clients.ts';
import { ApiError } from '../components/api-error.tsx';
import { Page } from '../components/page.tsx';
import { taskDefinitionPath } from '../components/task-definition-actions.tsx';

const STARTER = {
  family: 'my-task',
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  containerDefinitions: [
    {
      name: 'app',
      image: 'busybox:latest',
      essential: true,
      command: ['sh', '-c', 'while true; do echo hello; sleep 1; done'],
      portMappings: [],
      environment: [],
      logConfiguration: {
        logDriver: 'awslogs',
        options: { 'awslogs-group': '/ecs/my-task', 'awslogs-create-group': 'true', 'awslogs-region': 'us-east-1', 'awslogs-stream-prefix': 'ecs' },
      },
    },
  ],
  volumes: [],
  tags: [],
};

/** Fields DescribeTaskDefinition answers that RegisterTaskDefinition does not take. */
const NOT_REGISTRABLE = ['taskDefinitionArn', 'revision', 'status', 'requiresAttributes', 'compatibilities', 'registeredAt', 'registeredBy', 'deregisteredAt'];

/** Where a JSON.parse error is, as "line L, column C" (from the engine's message or its position). */
export function parseError(text: string, error: Error): string {
  const message = error.message;
  if (/line \d+ column \d+/.test(message)) return message;
  const at = /position (\d+)/.exec(message);
  if (!at) return message;
  const before = text.slice(0, Number(at[1]));
  const line = before.split('\n').length;
  const column = Number(at[1]) - before.lastIndexOf('\n');
  return `${message} (line ${line}, column ${column})`;
}

const errorText = (e: unknown): string => {
  const x = e as { name?: string; message?: string };
  return `${x.name ?? 'Error'}: ${x.message ?? String(e)}`;
};

export default function TaskDefinitionEditorPage() {
  const { family, revision } = useParams() as { family?: string; revision?: string };
  const navigate = useNavigate();
  const revising = family !== undefined && revision !== undefined;
  const [text, setText] = useState<string | undefined>(revising ? undefined : JSON.stringify(STARTER, null, 2));
  const [loadError, setLoadError] = useState<unknown>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!revising) return;
    let gone = false;
    client(ECSClient).send(new DescribeTaskDefinitionCommand({ taskDefinition: `${family}:${revision}`, include: ['TAGS'] })).then(
      (out) => {
        if (gone) return;
        const fields: Record<string, unknown> = { ...out.taskDefinition };
        for (const f of NOT_REGISTRABLE) delete fields[f];
        if (out.tags?.length) fields.tags = out.tags;
        setText(JSON.stringify(fields, null, 2));
      },
      (e) => !gone && setLoadError(e),
    );
    return () => void (gone = true);
  }, [revising, family, revision]);

  const create = async () => {
    setError(undefined);
    let input: RegisterTaskDefinitionCommandInput;
    try {
      input = JSON.parse(text ?? '') as RegisterTaskDefinitionCommandInput;
    } catch (e) {
      setError(`Not valid JSON: ${parseError(text ?? '', e as Error)}`);
      return;
    }
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      setError('Not valid JSON: the task definition must be a JSON object.');
      return;
    }
    setBusy(true);
    try {
      const out = await client(ECSClient).send(new RegisterTaskDefinitionCommand(input));
      navigate(taskDefinitionPath(out.taskDefinition?.taskDefinitionArn) ?? '/task-definitions');
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const back = revising ? `/task-definitions/${encodeURIComponent(family)}/${revision}` : '/task-definitions';
  const title = revising ? `Create new revision of ${family}:${revision}` : 'Create new task definition';
  return (
    <Page
      title={title}
      crumbs={[
        { text: 'Task definitions', to: '/task-definitions' },
        ...(revising ? [{ text: family, to: `/task-definitions/${encodeURIComponent(family)}` }, { text: `Revision ${revision}`, to: back }] : []),
        { text: revising ? 'Create new revision' : 'Create' },
      ]}
      description="The task definition as RegisterTaskDefinition takes it, in JSON (as the AWS CLI's --cli-input-json)."
    >
      <ApiError error={loadError} />
      <form onSubmit={(e) => { e.preventDefault(); void create(); }}>
        <Form
          actions={
            <SpaceBetween direction="horizontal" size="xs">
              <Button formAction="none" variant="link" onClick={() => navigate(back)}>Cancel</Button>
              <Button variant="primary" loading={busy} disabled={text === undefined} data-testid="create-task-definition">Create</Button>
            </SpaceBetween>
          }
        >
          <Container>
            {text === undefined && !loadError ? (
              <Box textAlign="center"><Spinner /></Box>
            ) : (
              <FormField
                label="Task definition JSON"
                stretch
                errorText={error ? <span data-testid="editor-error" style={{ whiteSpace: 'pre-wrap' }}>{error}</span> : undefined}
              >
                <div className="wharf-json-editor">
                  <style>{'.wharf-json-editor textarea { font-family: Monaco, Menlo, Consolas, "Courier New", monospace !important; font-size: 13px !important; line-height: 19px !important; color: inherit !important; }'}</style>
                  <Textarea
                    value={text ?? ''}
                    onChange={({ detail }) => setText(detail.value)}
                    rows={26}
                    spellcheck={false}
                    ariaLabel="Task definition JSON"
                    controlId="task-definition-json"
                  />
                </div>
              </FormField>
            )}
          </Container>
        </Form>
      </form>
    </Page>
  );
}
