/** The runtime contract against the local Docker Engine. */
import { DockerRuntime } from './docker-runtime.ts';
import { runtimeContract } from './runtime-contract.testing.ts';

runtimeContract('Docker', async () => new DockerRuntime());
