/**
 * What a task definition page does with revisions: deregister them (after a confirmation) and
 * run one (RunTask in a cluster, with subnets when it uses awsvpc). Errors are ECS's own.
 */
import { useState } from 'react';
import { DeregisterTaskDefinitionCommand, ECSClient, RunTaskCommand, type LaunchType, type Task, type TaskDefinition } from '@aws-sdk/client-ecs';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import Alert from '@cloudscape-design/components/alert';
import Box from '@cloudscape-design/components/box';
import FormField from '@cloudscape-design/components/form-field';
import Input from '@cloudscape-design/components/input';
import Multiselect from '@cloudscape-design/components/multiselect';
import Select from '@cloudscape-design/components/select';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { client } from '../clients.ts';
import { useLive } from '../live.ts';
import { listClusters } from '../pages/clusters.tsx';
import { ActionModal } from './action-modal.tsx';
import { ApiError } from './api-error.tsx';
import { idOf, shortArn } from './format.tsx';
import { RouterLink } from './page.tsx';

/** The console path of a task definition revision from its ARN (`…:task-definition/web:3`). */
export function taskDefinitionPath(arn: string | undefined): string | undefined {
  const m = /task-definition\/(.+):(\d+)$/.exec(arn ?? '');
  return m ? `/task-definitions/${encodeURIComponent(m[1])}/${m[2]}` : undefined;
}

/** Deregisters the given revisions (ARNs or family:revision) once confirmed; reports each failure. */
export function DeregisterModal({ revisions, onClose, onDone }: { revisions: string[]; onClose: () => void; onDone?: () => void }) {
  const deregister = async () => {
    for (const r of revisions) await client(ECSClient).send(new DeregisterTaskDefinitionCommand({ taskDefinition: r }));
    onClose();
    onDone?.();
  };
  return (
    <ActionModal header="Deregister task definition" action="Deregister" run={deregister} onClose={onClose} testId="deregister-modal" submitTestId="confirm-deregister">
      <Box>
        Deregister {revisions.map(shortArn).join(', ')}? An INACTIVE revision runs no new task and starts no new service; tasks and
        services already using it keep running.
      </Box>
    </ActionModal>
  );
}

const DEFAULT = '(cluster default capacity provider strategy)';

/** RunTask for a revision: a cluster, a count, a launch type, and subnets for awsvpc. */
export function RunTaskModal({ definition, onClose }: { definition: TaskDefinition; onClose: () => void }) {
  const [cluster, setCluster] = useState<string>();
  const [count, setCount] = useState('1');
  // A definition that requires one launch type can run only with it.
  const [launch, setLaunch] = useState(definition.requiresCompatibilities?.length === 1 ? definition.requiresCompatibilities[0] : DEFAULT);
  const [subnets, setSubnets] = useState<string[]>([]);
  const [started, setStarted] = useState<{ cluster: string; tasks: Task[]; failures: string[] }>();
  const awsvpc = definition.networkMode === 'awsvpc';
  const clusters = useLive(listClusters, ['ecs/clusters'], []);
  const subnetList = useLive(async () => (awsvpc ? (await client(EC2Client).send(new DescribeSubnetsCommand({}))).Subnets ?? [] : []), ['network/subnets'], [awsvpc]);
  const chosen = cluster ?? clusters.data?.[0]?.clusterName;
  const launchTypes = [...new Set([...(definition.requiresCompatibilities ?? []), ...(definition.compatibilities ?? [])])];
  const run = async () => {
    const out = await client(ECSClient).send(new RunTaskCommand({
      cluster: chosen,
      taskDefinition: definition.taskDefinitionArn,
      count: Number(count),
      ...(launch !== DEFAULT && { launchType: launch as LaunchType }),
      ...(awsvpc && { networkConfiguration: { awsvpcConfiguration: { subnets } } }),
    }));
    setStarted({ cluster: chosen!, tasks: out.tasks ?? [], failures: (out.failures ?? []).map((f) => `${f.arn ?? ''} ${f.reason ?? ''}${f.detail ? ` (${f.detail})` : ''}`.trim()) });
  };
  return (
    <ActionModal header={`Run task: ${shortArn(definition.taskDefinitionArn)}`} action="Run task" run={run} onClose={onClose} disabled={!chosen}
      dismiss={started ? 'Close' : 'Cancel'} testId="run-task-modal" submitTestId="confirm-run">
      <FormField label="Cluster" errorText={clusters.error ? <ApiError error={clusters.error} /> : undefined}>
        <Select
          selectedOption={chosen ? { value: chosen, label: chosen } : null}
          options={(clusters.data ?? []).map((c) => ({ value: c.clusterName!, label: c.clusterName! }))}
          statusType={clusters.loading && !clusters.data ? 'loading' : 'finished'}
          onChange={({ detail }) => setCluster(detail.selectedOption.value)}
          placeholder="Choose a cluster"
          data-testid="run-cluster"
        />
      </FormField>
      <FormField label="Launch type">
        <Select
          selectedOption={{ value: launch, label: launch }}
          options={[DEFAULT, ...launchTypes].map((l) => ({ value: l, label: l }))}
          onChange={({ detail }) => setLaunch(detail.selectedOption.value!)}
        />
      </FormField>
      <FormField label="Number of tasks" description="1 to 10.">
        <Input type="number" value={count} onChange={({ detail }) => setCount(detail.value)} controlId="run-count" />
      </FormField>
      {awsvpc && (
        <FormField label="Subnets" description="The awsvpc network mode gives each task an elastic network interface in one of these subnets.">
          <Multiselect
            selectedOptions={subnets.map((s) => ({ value: s, label: s }))}
            options={(subnetList.data ?? []).map((s) => ({ value: s.SubnetId!, label: s.SubnetId!, description: `${s.CidrBlock ?? ''} ${s.AvailabilityZone ?? ''} ${s.VpcId ?? ''}` }))}
            statusType={subnetList.loading && !subnetList.data ? 'loading' : subnetList.error ? 'error' : 'finished'}
            errorText={subnetList.error ? (subnetList.error as Error).message : undefined}
            onChange={({ detail }) => setSubnets(detail.selectedOptions.map((o) => o.value!))}
            placeholder="Choose subnets"
            data-testid="run-subnets"
          />
        </FormField>
      )}
      {started && (
        <Alert type={started.failures.length ? 'warning' : 'success'} header={`${started.tasks.length} task(s) started`} data-testid="run-result">
          <SpaceBetween size="xxs">
            {started.tasks.map((t) => (
              <RouterLink key={t.taskArn} to={`/clusters/${encodeURIComponent(started.cluster)}/tasks/${idOf(t.taskArn)}`}>{idOf(t.taskArn)}</RouterLink>
            ))}
            {started.failures.map((f) => <Box key={f}>{f}</Box>)}
          </SpaceBetween>
        </Alert>
      )}
    </ActionModal>
  );
}
