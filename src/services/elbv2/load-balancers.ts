/**
 * Load balancer operations: CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer, their
 * attributes, SetSecurityGroups, SetSubnets, SetIpAddressType; and the account-wide
 * DescribeAccountLimits and DescribeSSLPolicies.
 */
import { formatArn, requestTagConditions, type RequestContext } from '../../aws/index.ts';
import * as lb from '../../lb/index.ts';
import { attributesIn, attributesOut, envOf, loadBalancerOut, need, page, scopeOf, tagsIn, type Elbv2Deps, type Elbv2OperationTable } from './common.ts';

const onLoadBalancer = (i: { LoadBalancerArn?: string }) => [i.LoadBalancerArn ?? '*'];

/** A load balancer not made yet is authorized on its name's ARNs (its id is not known before). */
const newLoadBalancer = (i: { Name?: string; Type?: string }, ctx: RequestContext) =>
  [formatArn('elasticloadbalancing', ctx.region, ctx.account, `loadbalancer/${i.Type === 'network' ? 'net' : 'app'}/${i.Name ?? '*'}/*`)];

/** SubnetMappings or Subnets, exactly one. */
function subnetsIn(i: { Subnets?: string[]; SubnetMappings?: { SubnetId?: string; PrivateIPv4Address?: string; AllocationId?: string }[] }): lb.SubnetChoice[] {
  if (i.Subnets?.length && i.SubnetMappings?.length) throw lb.LbErrors.validation('Subnets and SubnetMappings cannot be specified at the same time');
  if (i.SubnetMappings?.some((m) => m.AllocationId !== undefined)) throw lb.LbErrors.validation('Elastic IP allocations are not supported');
  return i.SubnetMappings?.length
    ? i.SubnetMappings.map((m) => ({ subnetId: m.SubnetId ?? '', ...(m.PrivateIPv4Address !== undefined ? { privateIpv4Address: m.PrivateIPv4Address } : {}) }))
    : (i.Subnets ?? []).map((subnetId) => ({ subnetId }));
}

/** The load balancer operations. */
export function loadBalancerOperations(deps: Elbv2Deps): Elbv2OperationTable {
  const env = envOf(deps);
  return {
    CreateLoadBalancer: {
      authorization: { resources: newLoadBalancer, conditions: (i) => requestTagConditions(i.Tags) },
      handler: async (i, ctx) => {
        if (i.Type === 'gateway') throw lb.LbErrors.validation("Load balancer type 'gateway' is not supported");
        if (i.CustomerOwnedIpv4Pool !== undefined) throw lb.LbErrors.validation('Customer-owned IP address pools are not supported');
        const record = await lb.createLoadBalancer(env, scopeOf(ctx), {
          name: need(i.Name, 'name'), type: i.Type as lb.LoadBalancerType | undefined, scheme: i.Scheme,
          ipAddressType: i.IpAddressType === 'dualstack-without-public-ipv4' ? 'dualstack' : i.IpAddressType,
          subnets: subnetsIn(i), securityGroups: i.SecurityGroups, tags: tagsIn(i.Tags),
        });
        return { LoadBalancers: [loadBalancerOut(record, 'provisioning')] };
      },
    },
    DescribeLoadBalancers: {
      handler: async (i, ctx) => {
        const all = await lb.describeLoadBalancers(deps.store, scopeOf(ctx), { arns: i.LoadBalancerArns, names: i.Names });
        const { items, NextMarker } = page(all, (r) => `${String(r.createdAt).padStart(15, '0')}/${r.id}`, i.Marker, i.PageSize);
        return { LoadBalancers: items.map((r) => loadBalancerOut(r)), ...(NextMarker ? { NextMarker } : {}) };
      },
    },
    DeleteLoadBalancer: {
      authorization: { resources: onLoadBalancer },
      handler: async (i, ctx) => {
        await lb.deleteLoadBalancer(deps.store, scopeOf(ctx), need(i.LoadBalancerArn, 'loadBalancerArn'), deps.certificateUses);
        return {};
      },
    },
    DescribeLoadBalancerAttributes: {
      authorization: { resources: onLoadBalancer },
      handler: async (i, ctx) => ({ Attributes: attributesOut(await lb.loadBalancerAttributes(deps.store, scopeOf(ctx), need(i.LoadBalancerArn, 'loadBalancerArn'))) }),
    },
    ModifyLoadBalancerAttributes: {
      authorization: { resources: onLoadBalancer },
      handler: async (i, ctx) => {
        const changes = attributesIn(need(i.Attributes, 'attributes'));
        const all = await lb.modifyLoadBalancerAttributes(deps.store, scopeOf(ctx), need(i.LoadBalancerArn, 'loadBalancerArn'), changes);
        return { Attributes: attributesOut(all) };
      },
    },
    SetSecurityGroups: {
      authorization: { resources: onLoadBalancer },
      handler: async (i, ctx) => ({
        SecurityGroupIds: await lb.setSecurityGroups(deps.store, scopeOf(ctx), need(i.LoadBalancerArn, 'loadBalancerArn'), need(i.SecurityGroups, 'securityGroups')),
      }),
    },
    SetSubnets: {
      authorization: { resources: onLoadBalancer },
      handler: async (i, ctx) => {
        const record = await lb.setSubnets(env, scopeOf(ctx), need(i.LoadBalancerArn, 'loadBalancerArn'), subnetsIn(i));
        return { AvailabilityZones: loadBalancerOut(record).AvailabilityZones, IpAddressType: record.ipAddressType };
      },
    },
    SetIpAddressType: {
      authorization: { resources: onLoadBalancer },
      handler: async (i, ctx) => {
        const type = need(i.IpAddressType, 'ipAddressType');
        const record = await lb.setIpAddressType(deps.store, scopeOf(ctx), need(i.LoadBalancerArn, 'loadBalancerArn'), type === 'dualstack-without-public-ipv4' ? 'dualstack' : type);
        return { IpAddressType: record.ipAddressType };
      },
    },
    DescribeAccountLimits: {
      handler: async (i) => {
        const all = Object.entries(lb.LIMITS).map(([Name, Max]) => ({ Name, Max: String(Max) }));
        const { items, NextMarker } = page(all, (l) => l.Name, i.Marker, i.PageSize);
        return { Limits: items, ...(NextMarker ? { NextMarker } : {}) };
      },
    },
    DescribeSSLPolicies: {
      handler: async (i) => {
        const wanted = i.Names?.length ? i.Names : undefined;
        for (const name of wanted ?? []) if (!lb.SSL_POLICIES.some((p) => p.name === name)) throw lb.LbErrors.sslPolicyNotFound(name);
        const all = lb.SSL_POLICIES.filter((p) => (!wanted || wanted.includes(p.name)) && (!i.LoadBalancerType || p.loadBalancerTypes.includes(i.LoadBalancerType as 'application')));
        const { items, NextMarker } = page(all, (p) => p.name, i.Marker, i.PageSize);
        return {
          SslPolicies: items.map((p) => ({
            Name: p.name, SslProtocols: p.protocols, Ciphers: p.ciphers.map((Name, n) => ({ Name, Priority: n + 1 })), SupportedLoadBalancerTypes: p.loadBalancerTypes,
          })),
          ...(NextMarker ? { NextMarker } : {}),
        };
      },
    },
  };
}
