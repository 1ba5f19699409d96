/**
 * A Wharf agent in its own process, for tests that kill it (`kill -9`) and start it again:
 * `node --import tsx agent-main.testing.ts '<AgentOptions as JSON>'`, where `credentials` is
 * the credentials object itself (a provider cannot be JSON). Not used by the agent.
 */
import type { Credentials } from '../common/index.ts';
import { startAgent, type AgentOptions } from './index.ts';

const { credentials, ...options } = JSON.parse(process.argv[2] ?? '{}') as Omit<AgentOptions, 'credentials'> & { credentials: Credentials };
const agent = await startAgent({ ...options, credentials: async () => credentials, log: (m) => process.stderr.write(`[agent ${process.pid}] ${m}\n`) });
process.stdout.write(`${JSON.stringify({ agentId: agent.agentId })}\n`);
process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
