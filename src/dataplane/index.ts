/**
 * The data planes beside the API that carry users' traffic, each reading the store and never
 * writing around it: the Application Load Balancer's listener proxy and the pure parts it stands
 * on (rule conditions, target health, target picks, its own answers); the DNS server that answers
 * tasks the names of Cloud Map namespaces and load balancers and forwards the rest.
 */
export { compileConditions, type RequestPredicate, type RequestView } from './alb/conditions.ts';
export { observe, registered, statusMatcher, type CheckResult, type TargetHealthState, type Thresholds } from './alb/health.ts';
export { TargetPicker, pickWeighted, routable, type Algorithm, type RoutableTarget } from './alb/balance.ts';
export { errorResponse, fixedResponse, redirectResponse, type OwnResponse, type RequestUri } from './alb/responses.ts';
export { ListenerProxy, type ExchangeRecord, type ListenerProxyOptions, type RouteDecision } from './alb/proxy.ts';
export { probe, type ProbeTarget } from './alb/probe.ts';
export { TcpListenerProxy, resetByLoadBalancer, TCP_IDLE_TIMEOUT_MS, type FlowEndpoint, type TcpRoute, type TcpFlowEnd, type TcpFlowRecord, type TcpListenerProxyOptions } from './nlb/tcp.ts';
export { UdpListenerProxy, UDP_FLOW_TIMEOUT_MS, type UdpRoute, type UdpFlowEnd, type UdpFlowRecord, type UdpListenerProxyOptions } from './nlb/udp.ts';
export { TcpUdpListenerProxy } from './nlb/tcp-udp.ts';
export { encodeProxyV2, PROXY_V2_SIGNATURE, type ProxyHeaderV2, type ProxyEndpoint, type ProxyTlv } from './nlb/proxy-protocol.ts';
export { LbView } from './lb-view.ts';
export { GroupTargets, type GroupTarget, type InstanceAddresses, type IpTargets } from './targets.ts';
export { LoadBalancers, type LoadBalancersOptions } from './load-balancers.ts';
export { SubnetAddresses, hostAddressPort, type AddressPort } from './subnet-addresses.ts';
export { HealthChecker, type HealthCheckerOptions } from './health-checker.ts';
export { LbMetrics, dimensionOf, type ConnectionBytes, type LbDatum } from './lb-metrics.ts';
export { NlbMetrics, type FlowObserver, type FlowProtocol } from './nlb-metrics.ts';
export { tlsListenerProxy, ALPN_PROTOCOLS, type TlsListenerProxyOptions } from './nlb/tls.ts';
export { listenerTls, policyVersions, type CertificateSource, type ListenerTls } from './listener-tls.ts';
export { DnsServer, type DnsServerOptions } from './dns/server.ts';
export { LbViewNames } from './dns/lb-names.ts';
export { noDiscoveryNames, noLoadBalancerNames, type DiscoveryNames, type DiscoveryAnswer, type DiscoveryRecordType, type LoadBalancerNames, type AddressData, type SrvData, type CnameData } from './dns/names.ts';
export { upstreamsFromResolvConf, type Upstream } from './dns/upstreams.ts';
