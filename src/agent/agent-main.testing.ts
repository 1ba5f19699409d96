/**
 * A Wharf agent in its own process, for tests that kill it (`kill -9`) and start it again:
 * `node --import tsx agent-main.testing.ts '<AgentOptions as JSON>'`. Not used by the agent.
 */
import { startAgent, type AgentOptions } from './index.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as AgentOptions;
const agent = await startAgent({ ...options, log: (m) => process.stderr.write(`[agent ${process.pid}] ${m}\n`) });
process.stdout.write(`${JSON.stringify({ agentId: agent.agentId })}\n`);
process.on('SIGTERM', () => void agent.stop().then(() => process.exit(0)));
