/**
 * ELBv2's fixed data: its security policies (protocols and ciphers, for DescribeSSLPolicies and
 * the data plane's TLS listeners), the account quotas at AWS's defaults (DescribeAccountLimits,
 * and the limits creation enforces), and the hosted zone ids of load balancer DNS names.
 */

/** A security policy: the TLS versions and ciphers, in preference order, a listener negotiates. */
export interface SslPolicy {
  name: string;
  protocols: string[];
  ciphers: string[];
  loadBalancerTypes: ('application' | 'network')[];
}

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const GCM = ['ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384'];
const TLS12 = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384',
  'AES128-GCM-SHA256', 'AES128-SHA256', 'AES256-GCM-SHA384', 'AES256-SHA256',
];
const LEGACY = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES128-SHA', 'ECDHE-RSA-AES128-SHA', 'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA', 'ECDHE-ECDSA-AES256-SHA',
  'AES128-GCM-SHA256', 'AES128-SHA256', 'AES128-SHA', 'AES256-GCM-SHA384', 'AES256-SHA256', 'AES256-SHA',
];
const both: SslPolicy['loadBalancerTypes'] = ['application', 'network'];

/** The security policies Wharf knows, the default first. */
export const SSL_POLICIES: SslPolicy[] = [
  { name: 'ELBSecurityPolicy-2016-08', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], ciphers: LEGACY, loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-TLS13-1-2-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], ciphers: [...TLS13, ...TLS12], loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06', protocols: ['TLSv1.2', 'TLSv1.3'], ciphers: [...TLS13, ...GCM], loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-TLS13-1-3-2021-06', protocols: ['TLSv1.3'], ciphers: TLS13, loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-TLS13-1-1-2021-06', protocols: ['TLSv1.1', 'TLSv1.2', 'TLSv1.3'], ciphers: [...TLS13, ...LEGACY], loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-TLS13-1-0-2021-06', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], ciphers: [...TLS13, ...LEGACY], loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-TLS-1-2-2017-01', protocols: ['TLSv1.2'], ciphers: TLS12, loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-TLS-1-2-Ext-2018-06', protocols: ['TLSv1.2'], ciphers: LEGACY, loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-TLS-1-1-2017-01', protocols: ['TLSv1.1', 'TLSv1.2'], ciphers: LEGACY, loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-FS-1-2-Res-2020-10', protocols: ['TLSv1.2'], ciphers: GCM, loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-FS-1-2-Res-2019-08', protocols: ['TLSv1.2'], ciphers: [...GCM, 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-RSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-RSA-AES256-SHA384'], loadBalancerTypes: both },
  { name: 'ELBSecurityPolicy-2015-05', protocols: ['TLSv1', 'TLSv1.1', 'TLSv1.2'], ciphers: LEGACY, loadBalancerTypes: both },
];

/** The policy a secure listener gets when it names none. */
export const DEFAULT_SSL_POLICY = 'ELBSecurityPolicy-2016-08';

/** The ALPN policies of TLS listeners. */
export const ALPN_POLICIES = ['HTTP1Only', 'HTTP2Only', 'HTTP2Optional', 'HTTP2Preferred', 'None'];

/** ELBv2's quotas per account and region, at AWS's defaults. */
export const LIMITS = {
  'application-load-balancers': 50,
  'condition-values-per-alb-rule': 5,
  'condition-wildcards-per-alb-rule': 5,
  'gateway-load-balancers': 100,
  'gateway-load-balancers-per-vpc': 100,
  'geneve-target-groups': 100,
  'listeners-per-application-load-balancer': 50,
  'listeners-per-network-load-balancer': 50,
  'network-load-balancers': 50,
  'rules-per-application-load-balancer': 100,
  'target-groups': 3000,
  'target-groups-per-action-on-application-load-balancer': 5,
  'target-groups-per-action-on-network-load-balancer': 1,
  'target-groups-per-application-load-balancer': 100,
  'targets-per-application-load-balancer': 1000,
  'targets-per-availability-zone-per-gateway-load-balancer': 300,
  'targets-per-availability-zone-per-network-load-balancer': 500,
  'targets-per-network-load-balancer': 3000,
  'certificates-per-application-load-balancer': 25,
  'certificates-per-network-load-balancer': 25,
  'targets-per-target-group': 1000,
} as const;

/** The most tags a resource may have. */
export const MAX_TAGS = 50;

/** Route 53 hosted zone ids of `*.elb.amazonaws.com` names, per region: [application, network]. */
const HOSTED_ZONES: Record<string, [string, string]> = {
  'us-east-1': ['Z35SXDOTRQ7X7K', 'Z26RNL4JYFTOTI'],
  'us-east-2': ['Z3AADJGX6KTTL2', 'ZLMOA37VPKANP'],
  'us-west-1': ['Z368ELLRRE2KJ0', 'Z24FKFUX50B4VW'],
  'us-west-2': ['Z1H1FL5HABSF5', 'Z18D5FSROUN65G'],
  'ca-central-1': ['ZQSVJUPU6J1EY', 'Z2EPGBW3API2WT'],
  'eu-west-1': ['Z32O12XQLNTSW2', 'Z2IFOLAFXWLO4F'],
  'eu-west-2': ['ZHURV8PSTC4K8', 'ZD4D7Y8KGAS4G'],
  'eu-west-3': ['Z3Q77PNBQS71R4', 'Z1CMS0P5QUZ6D5'],
  'eu-central-1': ['Z215JYRZR1TBD5', 'Z3F0SRJ5LGBH90'],
  'eu-north-1': ['Z23TAZ7KDJ1FQE', 'Z1UDT6IFJ4EJM'],
  'ap-northeast-1': ['Z14GRHDCWA56QT', 'Z31USIVHYNEOWT'],
  'ap-northeast-2': ['ZWKZPGTI48KDX', 'ZIBE1TIR4HY56'],
  'ap-southeast-1': ['Z1LMS91P8CMLE5', 'ZKVM4W9LS7TM'],
  'ap-southeast-2': ['Z1GM3OXH4ZPM65', 'ZCT6FZBF4DROD'],
  'ap-south-1': ['ZP97RAFLXTNZK', 'ZVDDRBQ08TROA'],
  'sa-east-1': ['Z2P70J7HTTTPLU', 'ZTK26PT1VY4CU'],
};

/** The hosted zone of a load balancer's DNS name (us-east-1's for a region not in the table). */
export function canonicalHostedZoneId(region: string, type: 'application' | 'network'): string {
  const zones = HOSTED_ZONES[region] ?? HOSTED_ZONES['us-east-1']!;
  return type === 'application' ? zones[0] : zones[1];
}
