/**
 * Pieces shared by the CloudWatch, EventBridge, IAM and Cloud Map pages: paging through a list
 * call, a JSON document shown as AWS returns it (IAM's are URL-encoded), and a time range.
 */
import Box from '@cloudscape-design/components/box';
import DateRangePicker, { type DateRangePickerProps } from '@cloudscape-design/components/date-range-picker';

/** Every page of a list call (`page` gets the previous page's token and returns items and the next one). */
export async function allPages<T>(page: (token?: string) => Promise<{ items?: T[]; next?: string }>, max = 50): Promise<T[]> {
  const out: T[] = [];
  let token: string | undefined;
  let n = 0;
  do {
    const p = await page(token);
    out.push(...(p.items ?? []));
    token = p.next;
  } while (token && ++n < max);
  return out;
}

/** A JSON document pretty-printed; IAM returns policy documents URL-encoded, so they are decoded first. */
export function JsonView({ value, testId }: { value: string | object | undefined; testId?: string }) {
  if (value === undefined || value === '') return <Box color="text-status-inactive">-</Box>;
  return (
    <Box variant="code" data-testid={testId}>
      <pre style={{ margin: 0, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>{pretty(value)}</pre>
    </Box>
  );
}

function pretty(value: string | object): string {
  if (typeof value !== 'string') return JSON.stringify(value, null, 2);
  let text = value;
  if (/%[0-9A-Fa-f]{2}/.test(text) && !text.trimStart().startsWith('{')) {
    try {
      text = decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      // Shown as it came.
    }
  }
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

const RELATIVE: DateRangePickerProps.RelativeOption[] = [
  { key: '5m', amount: 5, unit: 'minute', type: 'relative' },
  { key: '1h', amount: 1, unit: 'hour', type: 'relative' },
  { key: '1d', amount: 1, unit: 'day', type: 'relative' },
];

const UNIT_MS: Record<string, number> = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000, week: 604_800_000, month: 2_592_000_000, year: 31_536_000_000 };

export const lastHour: DateRangePickerProps.Value = RELATIVE[1];

/** The start and end of a picked range, as of now for a relative one. */
export function rangeOf(value: DateRangePickerProps.Value | null, now = Date.now()): { start: number; end: number } {
  if (!value) return { start: now - 3_600_000, end: now };
  if (value.type === 'relative') return { start: now - value.amount * (UNIT_MS[value.unit] ?? 60_000), end: now };
  return { start: new Date(value.startDate).getTime(), end: new Date(value.endDate).getTime() };
}

/** A time range: last 5 minutes, hour or day, or absolute dates and times. */
export function TimeRangePicker({ value, onChange, testId }: { value: DateRangePickerProps.Value | null; onChange: (v: DateRangePickerProps.Value | null) => void; testId?: string }) {
  return (
    <div data-testid={testId}>
      <DateRangePicker
        value={value}
        onChange={({ detail }) => onChange(detail.value)}
        relativeOptions={RELATIVE}
        placeholder="Time range"
        ariaLabel="Time range"
        isValidRange={(v) => {
          if (v?.type === 'absolute') {
            if (!v.startDate || !v.endDate) return { valid: false, errorMessage: 'Choose a start and an end.' };
            if (new Date(v.startDate).getTime() > new Date(v.endDate).getTime()) return { valid: false, errorMessage: 'The start is after the end.' };
          }
          return { valid: true };
        }}
        i18nStrings={{
          relativeModeTitle: 'Relative range',
          absoluteModeTitle: 'Absolute range',
          relativeRangeSelectionHeading: 'Choose a range',
          modeSelectionLabel: 'Date range mode',
          cancelButtonLabel: 'Cancel',
          applyButtonLabel: 'Apply',
          clearButtonLabel: 'Clear',
          customRelativeRangeOptionLabel: 'Custom range',
          customRelativeRangeOptionDescription: 'Set a custom range in the past',
          customRelativeRangeUnitLabel: 'Unit of time',
          customRelativeRangeDurationLabel: 'Duration',
          startDateLabel: 'Start date',
          endDateLabel: 'End date',
          startTimeLabel: 'Start time',
          endTimeLabel: 'End time',
          formatRelativeRange: (v) => `Last ${v.amount} ${v.unit}${v.amount === 1 ? '' : 's'}`,
          formatUnit: (unit, n) => (n === 1 ? unit : `${unit}s`),
        }}
      />
    </div>
  );
}
