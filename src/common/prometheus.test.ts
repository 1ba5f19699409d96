import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from './prometheus.ts';

describe('Prometheus text', () => {
  it('renders counters, histograms with cumulative buckets, and gauges read at scrape time', () => {
    const m = new MetricsRegistry();
    m.count('wharf_api_requests_total', 'API requests.', { operation: 'RunTask', status: '200' });
    m.count('wharf_api_requests_total', 'API requests.', { operation: 'RunTask', status: '200' });
    m.observe('wharf_api_request_seconds', 'API latency.', 0.003, { operation: 'RunTask' });
    m.observe('wharf_api_request_seconds', 'API latency.', 0.2, { operation: 'RunTask' });
    let links = 3;
    m.gauge('wharf_agent_links', 'Agent links.', () => [{ labels: {}, value: links }]);
    links = 4;
    const text = m.render();
    assert.match(text, /# TYPE wharf_api_requests_total counter\nwharf_api_requests_total\{operation="RunTask",status="200"\} 2\n/);
    assert.match(text, /wharf_api_request_seconds_bucket\{operation="RunTask",le="0.0025"\} 0\n/);
    assert.match(text, /wharf_api_request_seconds_bucket\{operation="RunTask",le="0.005"\} 1\n/);
    assert.match(text, /wharf_api_request_seconds_bucket\{operation="RunTask",le="\+Inf"\} 2\n/);
    assert.match(text, /wharf_api_request_seconds_count\{operation="RunTask"\} 2\n/);
    assert.match(text, /# TYPE wharf_agent_links gauge\nwharf_agent_links 4\n/);
  });

  it('escapes label values', () => {
    const m = new MetricsRegistry();
    m.count('x_total', 'x.', { v: 'a"b\\c\nd' });
    assert.match(m.render(), /x_total\{v="a\\"b\\\\c\\nd"\} 1/);
  });
});
