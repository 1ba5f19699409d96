/**
 * The control plane's end of the agent link: a WebSocket per agent at `/_wharf/agent`, signed
 * with SigV4 by the agent's principal, that registers the agent's host as container instances,
 * sends down the tasks it should run and applies the reports it sends up, through the ECS
 * domain. See README.md.
 */
export {
  AgentLinkServer, type AgentLinkOptions, type RegistryAuthSource, type RegistryHolder,
} from './agent-link.ts';
export { DEFAULT_LINK_LIMITS, type LinkLimits } from './limits.ts';
