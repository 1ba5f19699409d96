/**
 * The one shape every console action takes before it changes something: a modal with Cancel and
 * one primary button that runs the action, shows it busy, and shows AWS's error in place when it
 * fails (the modal stays open, so the input can be corrected and tried again). Enter in a field
 * submits, as in a form.
 */
import { useState, type ReactNode } from 'react';
import Box from '@cloudscape-design/components/box';
import Button from '@cloudscape-design/components/button';
import Modal from '@cloudscape-design/components/modal';
import SpaceBetween from '@cloudscape-design/components/space-between';
import { ApiError } from './api-error.tsx';

export interface ActionModalProps {
  header: string;
  /** The primary button's text (Delete, Create, Stop, ...). */
  action: string;
  /** Does the work; throws AWS's error to show it. Closing the modal on success is the caller's. */
  run: () => Promise<void>;
  onClose: () => void;
  /** The primary button is disabled (a required field is empty, a confirmation is not typed). */
  disabled?: boolean;
  /** The dismiss button's text (Cancel unless told, e.g. Close once a result is shown). */
  dismiss?: string;
  testId?: string;
  submitTestId?: string;
  children: ReactNode;
}

export function ActionModal({ header, action, run, onClose, disabled, dismiss = 'Cancel', testId, submitTestId, children }: ActionModalProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async () => {
    if (busy || disabled) return;
    setBusy(true);
    setError(undefined);
    try {
      await run();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal visible onDismiss={onClose} header={header} data-testid={testId}
      footer={
        <Box float="right">
          <SpaceBetween direction="horizontal" size="xs">
            <Button variant="link" onClick={onClose}>{dismiss}</Button>
            <Button variant="primary" loading={busy} disabled={disabled} onClick={() => void submit()} data-testid={submitTestId}>{action}</Button>
          </SpaceBetween>
        </Box>
      }>
      <form onSubmit={(e) => { e.preventDefault(); void submit(); }}>
        <SpaceBetween size="m">
          {children}
          <ApiError error={error} />
        </SpaceBetween>
      </form>
    </Modal>
  );
}
