/** An AWS error as the console shows it: the error code and AWS's message (AccessDenied included), never a blank page. */
import Alert from '@cloudscape-design/components/alert';

export function ApiError({ error, header }: { error: unknown; header?: string }) {
  if (!error) return null;
  const e = error as { name?: string; message?: string; Code?: string };
  const code = e.Code ?? e.name ?? 'Error';
  const denied = /AccessDenied|UnauthorizedOperation|NotAuthorized/.test(code);
  return (
    <Alert type="error" header={header ?? (denied ? 'Access denied' : code)} data-testid="api-error">
      {denied ? `${code}: ` : ''}{e.message ?? String(error)}
    </Alert>
  );
}
