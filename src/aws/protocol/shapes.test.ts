import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../errors.ts';
import type { ServiceModel } from '../model/types.ts';
import { decodeBase64, encodeBase64, formatTimestamp, parseTimestamp, shapeOf, timestampFormatOf, wireError } from './shapes.ts';

describe('parseTimestamp', () => {
  it('reads date-time in UTC, with fractions and with offsets', () => {
    assert.deepEqual(parseTimestamp('2026-12-03T06:50:01Z', 'iso8601'), new Date(Date.UTC(2026, 11, 3, 6, 50, 1)));
    assert.deepEqual(parseTimestamp('2026-12-03t06:50:01.123456z', 'iso8601'), new Date(Date.UTC(2026, 11, 3, 6, 50, 1, 123)));
    assert.deepEqual(parseTimestamp('2026-12-03T01:20:01-05:30', 'iso8601'), new Date(Date.UTC(2026, 11, 3, 6, 50, 1)));
    assert.deepEqual(parseTimestamp('0099-01-01T00:00:00Z', 'iso8601')?.getUTCFullYear(), 99);
  });

  it('refuses what is not a date-time, and days that do not exist', () => {
    for (const text of ['2026-12-03', '2026-12-03 06:50:01Z', '2026-12-03T06:50:01', '2026-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-12-03T24:00:00Z', 'soon']) {
      assert.equal(parseTimestamp(text, 'iso8601'), undefined, text);
    }
    assert.ok(parseTimestamp('2028-02-29T00:00:00Z', 'iso8601'), 'a leap day is a day');
  });

  it('reads epoch seconds and http-date', () => {
    assert.deepEqual(parseTimestamp('1764744601.25', 'epoch-seconds'), new Date(1764744601250));
    assert.equal(parseTimestamp('1e9', 'epoch-seconds'), undefined);
    assert.deepEqual(parseTimestamp('Thu, 03 Dec 2026 06:50:01 GMT', 'http-date'), new Date(Date.UTC(2026, 11, 3, 6, 50, 1)));
    assert.equal(parseTimestamp('Thu, 03 Dec 2026 06:50:01 PST', 'http-date'), undefined);
  });
});

describe('formatTimestamp', () => {
  const whole = new Date(Date.UTC(2026, 11, 3, 6, 50, 1));
  const fraction = new Date(Date.UTC(2026, 11, 3, 6, 50, 1, 250));
  it('writes date-time with milliseconds when set or always', () => {
    assert.equal(formatTimestamp(whole, 'iso8601'), '2026-12-03T06:50:01Z');
    assert.equal(formatTimestamp(fraction, 'iso8601'), '2026-12-03T06:50:01.250Z');
    assert.equal(formatTimestamp(whole, 'iso8601', 'always'), '2026-12-03T06:50:01.000Z');
  });

  it('writes epoch seconds and http-date', () => {
    assert.equal(formatTimestamp(fraction, 'epoch-seconds'), '1796280601.25');
    assert.equal(formatTimestamp(whole, 'http-date'), 'Thu, 03 Dec 2026 06:50:01 GMT');
  });
});

describe('base64', () => {
  it('round-trips bytes and refuses text that is not base64', () => {
    const bytes = new Uint8Array([0, 1, 2, 253, 254, 255]);
    assert.deepEqual(decodeBase64(encodeBase64(bytes)), bytes);
    assert.equal(encodeBase64('hi'), 'aGk=');
    assert.deepEqual(decodeBase64('aGk'), new Uint8Array([104, 105]), 'padding may be left off');
    for (const text of ['a', 'aGk==x', 'a b=', '!!!!']) assert.equal(decodeBase64(text), undefined, text);
  });
});

describe('model helpers', () => {
  const model: ServiceModel = {
    metadata: { serviceId: 'T', apiVersion: '1', protocol: 'awsQuery', signingName: 't' },
    operations: {},
    shapes: {
      Stamp: { type: 'timestamp', timestampFormat: 'http-date' },
      Bare: { type: 'timestamp' },
      Busy: { type: 'structure', members: {}, exception: true, error: { code: 'Busy', httpStatusCode: 503 } },
      Gone: { type: 'structure', members: {}, exception: true, error: { code: 'GoneAway', httpStatusCode: 410, senderFault: true } },
    },
  };

  it('takes a member timestampFormat over its shape, and the shape over the protocol default', () => {
    assert.equal(timestampFormatOf({ shape: 'Stamp', timestampFormat: 'epoch-seconds' }, shapeOf(model, 'Stamp'), 'iso8601'), 'epoch-seconds');
    assert.equal(timestampFormatOf({ shape: 'Stamp' }, shapeOf(model, 'Stamp'), 'iso8601'), 'http-date');
    assert.equal(timestampFormatOf({ shape: 'Bare' }, shapeOf(model, 'Bare'), 'iso8601'), 'iso8601');
  });

  it('treats a missing shape as a broken model, not as the caller’s error', () => {
    assert.throws(() => shapeOf(model, 'Nope'), (e: unknown) => e instanceof Error && !(e instanceof AwsError));
    assert.throws(() => shapeOf(model, 'toString'), /no shape toString/);
  });

  it('resolves errors by shape name or wire code, with the model status and fault', () => {
    assert.deepEqual(wireError(model, new AwsError('Gone', 'x')), { code: 'GoneAway', shape: 'Gone', status: 410, fault: 'Sender' });
    assert.deepEqual(wireError(model, new AwsError('GoneAway', 'x')), { code: 'GoneAway', shape: 'Gone', status: 410, fault: 'Sender' });
    assert.deepEqual(wireError(model, new AwsError('Busy', 'x')), { code: 'Busy', shape: 'Busy', status: 503, fault: 'Receiver' });
    assert.deepEqual(wireError(model, new AwsError('Throttling', 'x', 400)), { code: 'Throttling', status: 400, fault: 'Sender' });
    assert.deepEqual(wireError(model, new AwsError('toString', 'x', 400)), { code: 'toString', status: 400, fault: 'Sender' });
  });
});
