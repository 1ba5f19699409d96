/**
 * The ALB metrics' counting: dimensions as AWS names them, target and load balancer answers kept
 * apart, response times as statistic sets, RequestCountPerTarget over the healthy targets, host
 * counts, client connections with their bytes as they pass, and nothing carried over from one take
 * to the next; the NLB's flows by protocol, their peak concurrency, resets and bytes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadBalancerRecord } from '../lb/index.ts';
import { LbMetrics, dimensionOf } from './lb-metrics.ts';
import { NlbMetrics } from './nlb-metrics.ts';

const lbArn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/shop/50dc6c495c0c9188';
const tgArn = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/web/73e2d6bc24d8a067';
const lb = { arn: lbArn } as LoadBalancerRecord;

describe('ALB metrics', () => {
  it('dimension values are the ARNs\' resource parts', () => {
    assert.equal(dimensionOf(lbArn), 'app/shop/50dc6c495c0c9188');
    assert.equal(dimensionOf(tgArn), 'targetgroup/web/73e2d6bc24d8a067');
  });

  it('counts requests by load balancer and group, answers of its own apart, times as statistic sets', () => {
    const m = new LbMetrics();
    m.record(lb, { statusCode: 200, by: 'target', targetGroupArn: tgArn, targetResponseMs: 10 });
    m.record(lb, { statusCode: 502, by: 'target', targetGroupArn: tgArn, targetResponseMs: 30 });
    m.record(lb, { statusCode: 503, by: 'elb' });
    m.record(lb, { statusCode: 404, by: 'elb', action: 'fixed-response' });
    const data = m.take(1000, [{ groupArn: tgArn, loadBalancerArns: [lbArn], healthy: 2, unhealthy: 1 }]);
    const pick = (name: string, dims: number) => data.filter((d) => d.metricName === name && d.dimensions.length === dims).map((d) => d.value ?? d.statisticValues);
    assert.deepEqual(pick('RequestCount', 1), [4]);
    assert.deepEqual(pick('RequestCount', 2), [2]);
    assert.deepEqual(pick('HTTPCode_Target_2XX_Count', 1), [1]);
    assert.deepEqual(pick('HTTPCode_Target_5XX_Count', 2), [1]);
    assert.deepEqual(pick('HTTPCode_ELB_5XX_Count', 1), [1]);
    assert.deepEqual(pick('HTTPCode_ELB_4XX_Count', 1), [], 'a fixed response is no error of the load balancer');
    assert.deepEqual(pick('HTTP_Fixed_Response_Count', 1), [1]);
    assert.deepEqual(pick('TargetResponseTime', 2), [{ SampleCount: 2, Sum: 0.04, Minimum: 0.01, Maximum: 0.03 }]);
    assert.deepEqual(pick('RequestCountPerTarget', 1), [1], 'two requests over two healthy targets');
    assert.deepEqual([pick('HealthyHostCount', 2), pick('UnHealthyHostCount', 2)], [[2], [1]]);
    assert.deepEqual(data.find((d) => d.metricName === 'HealthyHostCount')!.dimensions, [
      { name: 'TargetGroup', value: 'targetgroup/web/73e2d6bc24d8a067' }, { name: 'LoadBalancer', value: 'app/shop/50dc6c495c0c9188' },
    ]);
    assert.deepEqual(m.take(2000, []), [], 'no request since: no request metric');
  });

  it('counts client connections, the most open at once, and their bytes in the interval they passed', () => {
    const m = new LbMetrics();
    const a = { bytesRead: 100, bytesWritten: 50 };
    const b = { bytesRead: 10, bytesWritten: 0 };
    const ca = m.connectionOpened(lb, a);
    m.connectionOpened(lb, b);
    const first = m.take(1000, []);
    const value = (data: typeof first, name: string) => data.find((d) => d.metricName === name)?.value;
    assert.deepEqual([value(first, 'NewConnectionCount'), value(first, 'ActiveConnectionCount'), value(first, 'ProcessedBytes')], [2, 2, 160]);
    a.bytesRead += 1000;
    ca.closed();
    const second = m.take(2000, []);
    assert.deepEqual([value(second, 'NewConnectionCount'), value(second, 'ActiveConnectionCount'), value(second, 'ProcessedBytes')], [undefined, 2, 1000]);
    assert.equal(second.find((d) => d.metricName === 'ProcessedBytes')!.unit, 'Bytes');
  });
});

describe('NLB metrics', () => {
  const nlb = { arn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/edge/50dc6c495c0c9188' } as LoadBalancerRecord;

  it('counts flows by protocol, their peak, bytes and resets; flows open across takes stay active', () => {
    const m = new NlbMetrics();
    m.flowStarted(nlb, 'TCP');
    m.flowStarted(nlb, 'TLS');
    m.flowEnded(nlb, 'TCP', { bytes: 300, started: true, end: 'client-reset' });
    m.flowEnded(nlb, 'TCP', { bytes: 0, started: false, end: 'no-target' });
    m.clientTlsError(nlb);
    const data = m.take(1000, [{ groupArn: tgArn, loadBalancerArns: [nlb.arn], healthy: 1, unhealthy: 0 }]);
    const value = (d: typeof data, name: string) => d.find((x) => x.metricName === name)?.value;
    assert.deepEqual(
      ['NewFlowCount', 'NewFlowCount_TCP', 'NewFlowCount_TLS', 'ActiveFlowCount', 'ActiveFlowCount_TLS', 'ProcessedBytes_TCP', 'TCP_Client_Reset_Count', 'TCP_ELB_Reset_Count', 'ClientTLSNegotiationErrorCount', 'HealthyHostCount']
        .map((n) => value(data, n)),
      [2, 1, 1, 2, 1, 300, 1, 1, 1, 1],
    );
    assert.deepEqual(data.find((d) => d.metricName === 'NewFlowCount')!.dimensions, [{ name: 'LoadBalancer', value: 'net/edge/50dc6c495c0c9188' }]);
    const later = m.take(2000, []);
    assert.deepEqual(later.map((d) => [d.metricName, d.value]), [['ActiveFlowCount', 1], ['ActiveFlowCount_TLS', 1]], 'the TLS flow is still open');
    m.flowEnded(nlb, 'TLS', { bytes: 10, started: true, end: 'closed' });
    assert.deepEqual(m.take(3000, []).map((d) => [d.metricName, d.value]), [['ProcessedBytes', 10], ['ProcessedBytes_TLS', 10], ['ActiveFlowCount', 1], ['ActiveFlowCount_TLS', 1]]);
    assert.deepEqual(m.take(4000, []), []);
  });
});
