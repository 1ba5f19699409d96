/**
 * What every part may share: time and ids as ports (`Clock`, `Ids`), the agent link's
 * messages, which images Wharf's own registry serves, and SigV4 signing for Wharf's own
 * clients. Nothing here does I/O.
 */
export { elapsedMs, ManualClock, randomIds, systemClock, type Clock, type Ids } from './clock.ts';
export {
  AGENT_LINK_LIMITS, AGENT_LINK_PATH, AGENT_RECONNECT_MAX_MS, TASK_STATUSES, VPC_ADDRESS_ATTRIBUTE,
  type AgentLinkErrorCode, type AgentMessage, type ContainerSample, type ContainerStateChange, type DesiredTask, type FirewallRule, type RoleCredentials, type ServerMessage, type TaskFirewall, type TaskInterface, type TaskEfsVolume, type TaskRoleKind, type TaskSpec, type TaskStateChange, type TaskStatus,
} from './agent-protocol.ts';
export { ECR_HOST, registryImageRef } from './registry-image.ts';
export { MetricsRegistry } from './prometheus.ts';
export { NodeSha256, sha256Hex } from './sha256.ts';
export { Sealer } from './seal.ts';
export { signRequest, type Credentials, type RequestToSign } from './sign-request.ts';
export {
  assignable, assignableCount, containsCidr, containsIp, formatCidr, formatIp, gatewayOf, overlaps, parseCidr, parseIp, size, type Cidr,
} from './cidr.ts';
export { canonicalJson, sameJson } from './canonical-json.ts';
