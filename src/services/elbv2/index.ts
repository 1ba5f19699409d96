/**
 * Elastic Load Balancing v2, as served by Wharf: the Query-protocol ELBv2 API over the load
 * balancing domain (application and network load balancers, listeners, rules, target groups,
 * targets and their health, tags). The platform decodes awsQuery, authenticates, authorizes each
 * operation as `elasticloadbalancing:<Action>` on the resource's ARN (creations on the ARN of the
 * name, with any id; describes on `*`), validates against the model (ValidationError naming the
 * member) and encodes.
 */
import { elbv2Model, type Elbv2Operations, type ServiceDefinition } from '../../aws/index.ts';
import { elbv2ValidationError, type Elbv2Deps } from './common.ts';
import { listenerOperations } from './listeners.ts';
import { loadBalancerOperations } from './load-balancers.ts';
import { targetGroupOperations } from './target-groups.ts';

export type { Elbv2Deps } from './common.ts';

/** The ELBv2 API over the given store, clock, ids and ports. */
export function elbv2Service(deps: Elbv2Deps): ServiceDefinition<Elbv2Operations> {
  return {
    model: elbv2Model,
    iamPrefix: 'elasticloadbalancing',
    operations: { ...loadBalancerOperations(deps), ...targetGroupOperations(deps), ...listenerOperations(deps) },
    validationError: elbv2ValidationError,
    partly: {
      CreateLoadBalancer: 'application and network load balancers (no gateway); no Elastic IP allocations, customer-owned pools or IPv6 addresses; each load balancer gets a loopback address of its own (127.255.x.y) and an interface in each subnet; dualstack is recorded, not served.',
      CreateTargetGroup: 'target types instance and ip (no lambda or alb); no GENEVE.',
      CreateListener: 'no mutual TLS; certificates must be ACM\'s (no IAM server certificates); HTTPS and TLS listeners negotiate the security policy\'s TLS versions from TLS 1.2 up, not its cipher list.',
      CreateRule: 'conditions without RegexValues; no transforms; actions forward, redirect and fixed-response (no authenticate-oidc/cognito or jwt-validation).',
      ModifyRule: 'as CreateRule.',
      ModifyLoadBalancerAttributes: 'every attribute is kept and shown; access and connection logs are not written.',
      DescribeTargetHealth: 'no anomaly detection or administrative override; health states come from the data plane\'s health checks.',
    },
  };
}
