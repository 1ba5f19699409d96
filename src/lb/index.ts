/**
 * The load balancing domain: what an ELBv2 load balancer, listener, rule, target group and
 * target registration are, where their records are stored (`keys`), and the writes that change
 * them — shared by the ELBv2 API adapter (`services/elbv2`) and, later, the data plane (the
 * proxies read listeners, rules and registrations; the health checkers write target health).
 * Nothing here reads a request or shapes a response. See docs/load-balancing.md.
 */
export {
  keys, lbId, listenerArn, loadBalancerArn, parseLbArn, ruleArn, targetGroupArn, targetKey,
  type Action, type Condition, type FixedResponseAction, type ForwardAction, type HealthCheck, type LbTag, type ListenerRecord,
  type LoadBalancerRecord, type LoadBalancerType, type LoadBalancerZone, type ParsedLbArn, type Protocol, type RedirectAction, type RuleRecord,
  type Scope, type TargetGroupRecord, type TargetHealthReason, type TargetHealthRecord, type TargetHealthState, type TargetRegistrationRecord,
} from './records.ts';
export { LbErrors } from './errors.ts';
export { applyLoadBalancerAttributes, applyTargetGroupAttributes, isHttp, loadBalancerDefaults, targetGroupDefaults } from './attributes.ts';
export { ALPN_POLICIES, DEFAULT_SSL_POLICY, LIMITS, MAX_TAGS, SSL_POLICIES, canonicalHostedZoneId, type SslPolicy } from './catalog.ts';
export { checkConditions, wildcardPattern, type ConditionInput } from './conditions.ts';
export { checkActions, forwardedGroups, type ActionInput } from './actions.ts';
export { healthCheckFor, matchesCode, type HealthCheckInput } from './health-checks.ts';
export { AddressesExhausted, stageAddress, stageFreeAddress } from './addresses.ts';
export {
  checkName, createLoadBalancer, deleteLoadBalancer, describeLoadBalancers, loadBalancerAttributes, modifyLoadBalancerAttributes,
  setIpAddressType, setSecurityGroups, setSubnets,
  type CreateLoadBalancerRequest, type DescribeLoadBalancersRequest, type LbEnv, type SubnetChoice,
} from './load-balancers.ts';
export {
  createTargetGroup, deleteTargetGroup, findTargetGroup, describeTargetGroups, loadBalancerArnsOf, modifyTargetGroup, modifyTargetGroupAttributes, targetGroupAttributes,
  type CreateTargetGroupRequest, type DescribeTargetGroupsRequest,
} from './target-groups.ts';
export {
  REASON_DESCRIPTIONS, deregisterTargets, describeTargetHealth, healthOf, putTargetHealth, registerTargets, stageDeregisterTargets, stageRegisterTargets,
  type InstanceDirectory, type TargetHealthView, type TargetInput,
} from './targets.ts';
export {
  addListenerCertificates, certificateArnForm, createListener, deleteListener, describeListeners, listenerCertificates, modifyListener,
  removeListenerCertificates, type CertificateCheck, type ListenerRequest,
} from './listeners.ts';
export { createRule, defaultRuleOf, deleteRule, describeRules, modifyRule, setRulePriorities, stageForwardWeights, type CreateRuleRequest } from './rules.ts';
export { addTags, describeTags, removeTags } from './tags.ts';
export { certificatesOfLoadBalancer, stageCertificateUses, type CertificateUse } from './certificate-uses.ts';
export { lbResourceInfo } from './resource-info.ts';
