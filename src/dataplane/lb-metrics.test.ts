/**
 * The ALB metrics' counting: dimensions as AWS names them, target and load balancer answers kept
 * apart, response times as statistic sets, RequestCountPerTarget over the healthy targets, host
 * counts, and nothing carried over from one take to the next.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LoadBalancerRecord } from '../lb/index.ts';
import { LbMetrics, dimensionOf } from './lb-metrics.ts';

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
});
