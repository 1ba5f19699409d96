/**
 * What ELBv2 does with listeners, over the store: CreateListener (one per port of a load
 * balancer, of a protocol of its type, HTTPS and TLS with a certificate and a security policy),
 * ModifyListener, DeleteListener (its rules with it), DescribeListeners and the listener
 * certificate list. Certificates are checked through `CertificateCheck`, and marked in use by the
 * listener's load balancer through `CertificateUse` (certificate-uses.ts): the ports ACM fills.
 */
import { getDoc, listDocs, transact, type Store, type Tx } from '../state/index.ts';
import { checkActions, stageForwards, type ActionInput } from './actions.ts';
import { certificatesOfLoadBalancer, stageCertificateUses, type CertificateUse } from './certificate-uses.ts';
import { ALPN_POLICIES, DEFAULT_SSL_POLICY, LIMITS, SSL_POLICIES } from './catalog.ts';
import { LbErrors } from './errors.ts';
import { findLoadBalancer, stageDeleteListener, type LbEnv } from './load-balancers.ts';
import { keys, lbId, listenerArn, parseLbArn, type LbTag, type ListenerRecord, type LoadBalancerRecord, type Protocol, type Scope } from './records.ts';
import { checkTags } from './tags.ts';

/**
 * Whether a certificate ARN names a certificate the listener may use. Until ACM is served, any
 * `arn:aws:acm:` certificate ARN (or IAM server certificate ARN) of the listener's region is
 * taken as it is; ACM's domain replaces this with a lookup of its certificates.
 */
export type CertificateCheck = (scope: Scope, certificateArn: string) => Promise<boolean>;

/** The check used while there is no certificate store: the ARN's form only. */
export const certificateArnForm: CertificateCheck = async (scope, arn) =>
  new RegExp(`^arn:aws[a-z-]*:acm:${scope.region}:\\d{12}:certificate/[0-9a-f-]{36}$`).test(arn)
  || /^arn:aws[a-z-]*:iam::\d{12}:server-certificate\/.+$/.test(arn);

/** What CreateListener and ModifyListener ask for (ModifyListener: only what changes). */
export interface ListenerRequest {
  port?: number;
  protocol?: string;
  certificates?: string[];
  sslPolicy?: string;
  alpnPolicy?: string[];
  defaultActions?: ActionInput[];
  tags?: LbTag[];
}

const APPLICATION: Protocol[] = ['HTTP', 'HTTPS'];
const NETWORK: Protocol[] = ['TCP', 'TLS', 'UDP', 'TCP_UDP'];
const secure = (p: Protocol) => p === 'HTTPS' || p === 'TLS';

/** The listener an ARN names, read through `tx`. */
export async function findListener(tx: Tx, scope: Scope, arn: string): Promise<ListenerRecord> {
  const p = parseLbArn(arn);
  const listener = p?.kind === 'listener' ? await tx.get<ListenerRecord>(keys.listener(scope, p.loadBalancerId, p.id)) : undefined;
  if (!listener || listener.arn !== arn) throw LbErrors.listenerNotFound();
  return listener;
}

async function checkCertificates(scope: Scope, arns: string[], certificates: CertificateCheck): Promise<void> {
  for (const arn of arns) if (!(await certificates(scope, arn))) throw LbErrors.certificateNotFound(arn);
}

/** The listener `req` makes of `current` (or anew), its protocol, TLS settings and actions checked. */
function settle(lb: LoadBalancerRecord, current: ListenerRecord | undefined, req: ListenerRequest): Omit<ListenerRecord, 'id' | 'arn' | 'tags' | 'createdAt' | 'defaultRuleId'> {
  const allowed = lb.type === 'application' ? APPLICATION : NETWORK;
  const protocol = (req.protocol ?? current?.protocol ?? (lb.type === 'application' ? 'HTTP' : 'TCP')) as Protocol;
  if (!allowed.includes(protocol)) throw LbErrors.validation(`Listener protocol '${protocol}' must be one of '${allowed.join(', ')}'`);
  const port = req.port ?? current?.port;
  if (port === undefined) throw LbErrors.validation('A listener port must be specified');
  let certificates = current?.certificates ?? [];
  if (req.certificates !== undefined) {
    if (req.certificates.length > 1) throw LbErrors.validation('Only one default certificate can be specified');
    certificates = [...req.certificates.map((certificateArn) => ({ certificateArn, isDefault: true })), ...certificates.filter((c) => !c.isDefault)];
  }
  let sslPolicy = req.sslPolicy ?? current?.sslPolicy;
  let alpnPolicy = req.alpnPolicy !== undefined ? req.alpnPolicy[0] : current?.alpnPolicy;
  if (secure(protocol)) {
    if (!certificates.some((c) => c.isDefault)) throw LbErrors.validation(`A certificate must be specified for ${protocol} listeners`);
    sslPolicy ??= DEFAULT_SSL_POLICY;
    if (!SSL_POLICIES.some((p) => p.name === sslPolicy)) throw LbErrors.sslPolicyNotFound(sslPolicy);
  } else {
    if (req.certificates?.length) throw LbErrors.validation(`Certificates are not supported for ${protocol} listeners`);
    if (req.sslPolicy !== undefined) throw LbErrors.validation(`An SSL policy is not supported for ${protocol} listeners`);
    certificates = [];
    sslPolicy = undefined;
  }
  if (req.alpnPolicy !== undefined) {
    if (req.alpnPolicy.length > 1) throw LbErrors.validation('Only one ALPN policy can be specified');
    if (protocol !== 'TLS') throw LbErrors.alpnPolicyNotFound(alpnPolicy ?? '');
    if (!ALPN_POLICIES.includes(alpnPolicy ?? '')) throw LbErrors.alpnPolicyNotFound(alpnPolicy ?? '');
  }
  if (protocol !== 'TLS') alpnPolicy = undefined;
  const defaultActions = req.defaultActions !== undefined ? checkActions(req.defaultActions, lb.type) : current?.defaultActions;
  if (!defaultActions) throw LbErrors.validation('Default actions must be specified');
  return {
    loadBalancerArn: lb.arn, loadBalancerId: lb.id, port, protocol, certificates,
    ...(sslPolicy !== undefined ? { sslPolicy } : {}), ...(alpnPolicy !== undefined ? { alpnPolicy } : {}), defaultActions,
  };
}

/** CreateListener. */
export async function createListener(
  env: LbEnv, scope: Scope, loadBalancerArn: string, req: ListenerRequest, certificates: CertificateCheck, uses?: CertificateUse,
): Promise<ListenerRecord> {
  checkTags(req.tags ?? []);
  await checkCertificates(scope, req.certificates ?? [], certificates);
  const now = env.clock.now();
  const id = lbId(env.ids.hex32());
  const defaultRuleId = lbId(env.ids.hex32());
  return transact(env.store, async (tx) => {
    const lb = await findLoadBalancer(tx, scope, loadBalancerArn);
    const settled = settle(lb, undefined, req);
    const portKey = keys.listenerPort(scope, lb.id, settled.port);
    if (await tx.get(portKey)) throw LbErrors.duplicateListener();
    const others = await tx.list(keys.listeners(scope, lb.id));
    if (others.length >= (lb.type === 'application' ? LIMITS['listeners-per-application-load-balancer'] : LIMITS['listeners-per-network-load-balancer'])) {
      throw LbErrors.tooManyListeners();
    }
    const record: ListenerRecord = { ...settled, id, arn: listenerArn(lb, id), defaultRuleId, tags: req.tags ?? [], createdAt: now };
    await stageForwards(tx, scope, lb, record.protocol, record.arn, [], record.defaultActions);
    const before = await certificatesOfLoadBalancer(tx, scope, lb.id);
    tx.put(portKey, { id });
    tx.put(keys.listener(scope, lb.id, id), record);
    await stageCertificateUses(tx, scope, lb, before, uses);
    return record;
  });
}

/** ModifyListener: what the request gives replaces the listener's; a new port must be free. */
export async function modifyListener(store: Store, scope: Scope, arn: string, req: ListenerRequest, certificates: CertificateCheck, uses?: CertificateUse): Promise<ListenerRecord> {
  await checkCertificates(scope, req.certificates ?? [], certificates);
  return transact(store, async (tx) => {
    const listener = await findListener(tx, scope, arn);
    const lb = await findLoadBalancer(tx, scope, listener.loadBalancerArn);
    const { id, arn: own, defaultRuleId, tags, createdAt } = listener;
    const record: ListenerRecord = { id, arn: own, defaultRuleId, tags, createdAt, ...settle(lb, listener, req) };
    if (record.port !== listener.port) {
      const portKey = keys.listenerPort(scope, lb.id, record.port);
      if (await tx.get(portKey)) throw LbErrors.duplicateListener();
      tx.delete(keys.listenerPort(scope, lb.id, listener.port));
      tx.put(portKey, { id: listener.id });
    }
    await stageForwards(tx, scope, lb, record.protocol, record.arn, listener.defaultActions, record.defaultActions);
    const before = await certificatesOfLoadBalancer(tx, scope, lb.id);
    tx.put(keys.listener(scope, lb.id, listener.id), record);
    await stageCertificateUses(tx, scope, lb, before, uses);
    return record;
  });
}

/** DeleteListener: its rules go with it. */
export async function deleteListener(store: Store, scope: Scope, arn: string, uses?: CertificateUse): Promise<void> {
  await transact(store, async (tx) => {
    const listener = await findListener(tx, scope, arn);
    const before = await certificatesOfLoadBalancer(tx, scope, listener.loadBalancerId);
    await stageDeleteListener(tx, scope, listener);
    await stageCertificateUses(tx, scope, { id: listener.loadBalancerId, arn: listener.loadBalancerArn }, before, uses);
  });
}

/** DescribeListeners: of a load balancer, or by ARNs, in creation order. */
export async function describeListeners(store: Store, scope: Scope, req: { loadBalancerArn?: string; arns?: string[] }): Promise<ListenerRecord[]> {
  if ((req.loadBalancerArn === undefined) === !req.arns?.length) throw LbErrors.validation('Either a load balancer ARN or listener ARNs must be specified, but not both');
  const order = (a: ListenerRecord, b: ListenerRecord) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1);
  if (req.loadBalancerArn !== undefined) {
    const p = parseLbArn(req.loadBalancerArn);
    const lb = p?.kind === 'loadbalancer' ? await getDoc<LoadBalancerRecord>(store, keys.loadBalancer(scope, p.id)) : undefined;
    if (!lb || lb.value.arn !== req.loadBalancerArn) throw LbErrors.loadBalancerNotFound();
    return (await listDocs<ListenerRecord>(store, keys.listeners(scope, lb.value.id))).map((d) => d.value).sort(order);
  }
  const out: ListenerRecord[] = [];
  for (const arn of new Set(req.arns)) {
    const p = parseLbArn(arn);
    const doc = p?.kind === 'listener' ? await getDoc<ListenerRecord>(store, keys.listener(scope, p.loadBalancerId, p.id)) : undefined;
    if (!doc || doc.value.arn !== arn) throw LbErrors.listenerNotFound();
    out.push(doc.value);
  }
  return out.sort(order);
}

/** AddListenerCertificates: further (non-default) certificates of a secure listener. */
export async function addListenerCertificates(
  store: Store, scope: Scope, arn: string, arns: string[], certificates: CertificateCheck, uses?: CertificateUse,
): Promise<ListenerRecord> {
  await checkCertificates(scope, arns, certificates);
  return transact(store, async (tx) => {
    const listener = await findListener(tx, scope, arn);
    const added = arns.filter((a) => !listener.certificates.some((c) => c.certificateArn === a)).map((certificateArn) => ({ certificateArn, isDefault: false }));
    const all = [...listener.certificates, ...added];
    if (all.length > LIMITS['certificates-per-application-load-balancer'] + 1) throw LbErrors.tooManyCertificates();
    const record = { ...listener, certificates: all };
    const before = await certificatesOfLoadBalancer(tx, scope, listener.loadBalancerId);
    tx.put(keys.listener(scope, listener.loadBalancerId, listener.id), record);
    await stageCertificateUses(tx, scope, { id: listener.loadBalancerId, arn: listener.loadBalancerArn }, before, uses);
    return record;
  });
}

/** RemoveListenerCertificates: never the default one. */
export async function removeListenerCertificates(store: Store, scope: Scope, arn: string, arns: string[], uses?: CertificateUse): Promise<void> {
  await transact(store, async (tx) => {
    const listener = await findListener(tx, scope, arn);
    if (listener.certificates.some((c) => c.isDefault && arns.includes(c.certificateArn))) {
      throw LbErrors.operationNotPermitted('The default certificate of a listener cannot be removed; use ModifyListener to replace it');
    }
    const before = await certificatesOfLoadBalancer(tx, scope, listener.loadBalancerId);
    tx.put(keys.listener(scope, listener.loadBalancerId, listener.id), { ...listener, certificates: listener.certificates.filter((c) => !arns.includes(c.certificateArn)) });
    await stageCertificateUses(tx, scope, { id: listener.loadBalancerId, arn: listener.loadBalancerArn }, before, uses);
  });
}

/** DescribeListenerCertificates. */
export async function listenerCertificates(store: Store, scope: Scope, arn: string): Promise<ListenerRecord['certificates']> {
  return transact(store, async (tx) => (await findListener(tx, scope, arn)).certificates);
}
