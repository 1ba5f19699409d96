/** Small shared renderings: statuses as Cloudscape indicators, times, ARNs' short names. */
import StatusIndicator, { type StatusIndicatorProps } from '@cloudscape-design/components/status-indicator';

const STATUS: Record<string, StatusIndicatorProps.Type> = {
  ACTIVE: 'success', RUNNING: 'success', HEALTHY: 'success', healthy: 'success', COMPLETED: 'success', SUCCEEDED: 'success', OK: 'success', active: 'success', InService: 'success', Succeeded: 'success', ENABLED: 'success', AVAILABLE: 'success', SUCCESSFUL: 'success', ROLLBACK_SUCCESSFUL: 'warning', STOP_REQUESTED: 'stopped', ROLLBACK_REQUESTED: 'warning',
  PENDING: 'pending', PROVISIONING: 'pending', ACTIVATING: 'pending', IN_PROGRESS: 'in-progress', initial: 'pending', Pending: 'pending', provisioning: 'pending', CREATING: 'pending', InProgress: 'in-progress',
  STOPPING: 'stopped', DEACTIVATING: 'stopped', DEPROVISIONING: 'stopped', DRAINING: 'stopped', draining: 'stopped', INACTIVE: 'stopped', STOPPED: 'stopped', DISABLED: 'stopped', unused: 'stopped',
  FAILED: 'error', UNHEALTHY: 'error', unhealthy: 'error', ALARM: 'error', ROLLBACK_FAILED: 'error', Failed: 'error', failed: 'error',
  ROLLBACK_IN_PROGRESS: 'warning', ROLLBACK_COMPLETED: 'warning', INSUFFICIENT_DATA: 'info', UNKNOWN: 'info', unavailable: 'warning',
};

export function Status({ value }: { value: string | undefined }) {
  if (!value) return <>-</>;
  return <StatusIndicator type={STATUS[value] ?? 'info'}>{value}</StatusIndicator>;
}

/** A time as the console shows it (local, to the second), or '-'. */
export function time(value: Date | string | number | undefined): string {
  if (value === undefined) return '-';
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? '-' : d.toLocaleString(undefined, { hour12: false });
}

/** The resource name at the end of an ARN (`…:task-definition/web:3` → `web:3`). */
export function shortArn(arn: string | undefined): string {
  if (!arn) return '-';
  const slash = arn.indexOf('/');
  return slash >= 0 ? arn.slice(slash + 1) : arn.slice(arn.lastIndexOf(':') + 1);
}

/** The last path segment of an ARN (a task's id). */
export const idOf = (arn: string | undefined): string => (arn ? arn.slice(arn.lastIndexOf('/') + 1) : '');
