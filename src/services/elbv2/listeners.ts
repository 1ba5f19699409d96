/**
 * Listener, rule and tag operations: CreateListener, ModifyListener, DeleteListener,
 * DescribeListeners, the listener certificate operations, CreateRule, ModifyRule,
 * SetRulePriorities, DeleteRule, DescribeRules, AddTags, RemoveTags and DescribeTags.
 */
import { requestTagConditions, tagKeyConditions } from '../../aws/index.ts';
import * as lb from '../../lb/index.ts';
import {
  actionsIn, conditionsIn, envOf, listenerOut, need, page, ruleOut, scopeOf, tagsIn, tagsOut, type Elbv2Deps, type Elbv2OperationTable,
} from './common.ts';

const onListener = (i: { ListenerArn?: string }) => [i.ListenerArn ?? '*'];
const onRule = (i: { RuleArn?: string }) => [i.RuleArn ?? '*'];
const newListener = (i: { LoadBalancerArn?: string }) => [i.LoadBalancerArn ? `${i.LoadBalancerArn.replace(':loadbalancer/', ':listener/')}/*` : '*'];
const newRule = (i: { ListenerArn?: string }) => [i.ListenerArn ? `${i.ListenerArn.replace(':listener/', ':listener-rule/')}/*` : '*'];
const certificatesIn = (c: { CertificateArn?: string }[] | undefined) => c?.map((x) => x.CertificateArn ?? '');

/** The listener, rule and tag operations. */
export function listenerOperations(deps: Elbv2Deps): Elbv2OperationTable {
  const env = envOf(deps);
  const certificates = (scope: lb.Scope, arn: string) => (deps.certificates ?? lb.certificateArnForm)(scope, arn);
  return {
    CreateListener: {
      authorization: { resources: newListener, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        if (i.MutualAuthentication && i.MutualAuthentication.Mode !== undefined && i.MutualAuthentication.Mode !== 'off') {
          throw lb.LbErrors.validation('Mutual TLS authentication is not supported');
        }
        const record = await lb.createListener(env, scopeOf(ctx), need(i.LoadBalancerArn, 'loadBalancerArn'), {
          port: i.Port, protocol: i.Protocol, certificates: certificatesIn(i.Certificates), sslPolicy: i.SslPolicy, alpnPolicy: i.AlpnPolicy,
          defaultActions: actionsIn(need(i.DefaultActions, 'defaultActions')), tags: tagsIn(i.Tags),
        }, certificates, deps.certificateUses);
        return { Listeners: [listenerOut(record)] };
      },
    },
    ModifyListener: {
      authorization: { resources: onListener },
      handler: async (i, ctx) => {
        const record = await lb.modifyListener(deps.store, scopeOf(ctx), need(i.ListenerArn, 'listenerArn'), {
          port: i.Port, protocol: i.Protocol, certificates: certificatesIn(i.Certificates), sslPolicy: i.SslPolicy, alpnPolicy: i.AlpnPolicy,
          ...(i.DefaultActions ? { defaultActions: actionsIn(i.DefaultActions) } : {}),
        }, certificates, deps.certificateUses);
        return { Listeners: [listenerOut(record)] };
      },
    },
    DeleteListener: {
      authorization: { resources: onListener },
      handler: async (i, ctx) => {
        await lb.deleteListener(deps.store, scopeOf(ctx), need(i.ListenerArn, 'listenerArn'), deps.certificateUses);
        return {};
      },
    },
    DescribeListeners: {
      handler: async (i, ctx) => {
        const all = await lb.describeListeners(deps.store, scopeOf(ctx), { loadBalancerArn: i.LoadBalancerArn, arns: i.ListenerArns });
        const { items, NextMarker } = page(all, (r) => `${String(r.createdAt).padStart(15, '0')}/${r.id}`, i.Marker, i.PageSize);
        return { Listeners: items.map(listenerOut), ...(NextMarker ? { NextMarker } : {}) };
      },
    },
    AddListenerCertificates: {
      authorization: { resources: onListener },
      handler: async (i, ctx) => {
        const record = await lb.addListenerCertificates(deps.store, scopeOf(ctx), need(i.ListenerArn, 'listenerArn'), certificatesIn(need(i.Certificates, 'certificates'))!, certificates, deps.certificateUses);
        return { Certificates: record.certificates.map((c) => ({ CertificateArn: c.certificateArn, IsDefault: c.isDefault })) };
      },
    },
    RemoveListenerCertificates: {
      authorization: { resources: onListener },
      handler: async (i, ctx) => {
        await lb.removeListenerCertificates(deps.store, scopeOf(ctx), need(i.ListenerArn, 'listenerArn'), certificatesIn(need(i.Certificates, 'certificates'))!, deps.certificateUses);
        return {};
      },
    },
    DescribeListenerCertificates: {
      authorization: { resources: onListener },
      handler: async (i, ctx) => {
        const all = await lb.listenerCertificates(deps.store, scopeOf(ctx), need(i.ListenerArn, 'listenerArn'));
        const { items, NextMarker } = page(all, (c) => c.certificateArn, i.Marker, i.PageSize);
        return { Certificates: items.map((c) => ({ CertificateArn: c.certificateArn, IsDefault: c.isDefault })), ...(NextMarker ? { NextMarker } : {}) };
      },
    },
    CreateRule: {
      authorization: { resources: newRule, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        if (i.Transforms?.length) throw lb.LbErrors.validation('Rule transforms are not supported');
        const record = await lb.createRule(env, scopeOf(ctx), {
          listenerArn: need(i.ListenerArn, 'listenerArn'), priority: need(i.Priority, 'priority'), conditions: conditionsIn(need(i.Conditions, 'conditions')),
          actions: actionsIn(need(i.Actions, 'actions')), tags: tagsIn(i.Tags),
        });
        return { Rules: [ruleOut(record)] };
      },
    },
    ModifyRule: {
      authorization: { resources: onRule },
      handler: async (i, ctx) => {
        if (i.Transforms?.length) throw lb.LbErrors.validation('Rule transforms are not supported');
        const record = await lb.modifyRule(deps.store, scopeOf(ctx), need(i.RuleArn, 'ruleArn'), {
          ...(i.Conditions ? { conditions: conditionsIn(i.Conditions) } : {}), ...(i.Actions ? { actions: actionsIn(i.Actions) } : {}),
        });
        return { Rules: [ruleOut(record)] };
      },
    },
    SetRulePriorities: {
      authorization: { resources: (i) => (i.RulePriorities ?? []).map((r) => r.RuleArn ?? '*') },
      handler: async (i, ctx) => {
        const rules = await lb.setRulePriorities(deps.store, scopeOf(ctx), need(i.RulePriorities, 'rulePriorities').map((r) => ({ ruleArn: r.RuleArn ?? '', priority: r.Priority ?? 0 })));
        return { Rules: rules.map(ruleOut) };
      },
    },
    DeleteRule: {
      authorization: { resources: onRule },
      handler: async (i, ctx) => {
        await lb.deleteRule(deps.store, scopeOf(ctx), need(i.RuleArn, 'ruleArn'));
        return {};
      },
    },
    DescribeRules: {
      handler: async (i, ctx) => {
        const all = await lb.describeRules(deps.store, scopeOf(ctx), { listenerArn: i.ListenerArn, arns: i.RuleArns });
        const { items, NextMarker } = page(all, (r) => `${r.priority === 'default' ? '99999' : String(r.priority).padStart(5, '0')}/${r.id}`, i.Marker, i.PageSize);
        return { Rules: items.map(ruleOut), ...(NextMarker ? { NextMarker } : {}) };
      },
    },
    AddTags: {
      authorization: { resources: (i) => i.ResourceArns ?? ['*'], conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        await lb.addTags(deps.store, scopeOf(ctx), need(i.ResourceArns, 'resourceArns'), tagsIn(need(i.Tags, 'tags')));
        return {};
      },
    },
    RemoveTags: {
      authorization: { resources: (i) => i.ResourceArns ?? ['*'], conditions: (i) => tagKeyConditions(i.TagKeys) },
      handler: async (i, ctx) => {
        await lb.removeTags(deps.store, scopeOf(ctx), need(i.ResourceArns, 'resourceArns'), need(i.TagKeys, 'tagKeys'));
        return {};
      },
    },
    DescribeTags: {
      authorization: { resources: (i) => i.ResourceArns ?? ['*'] },
      handler: async (i, ctx) => {
        const all = await lb.describeTags(deps.store, scopeOf(ctx), need(i.ResourceArns, 'resourceArns'));
        return { TagDescriptions: all.map((d) => ({ ResourceArn: d.arn, Tags: tagsOut(d.tags) })) };
      },
    },
  };
}
