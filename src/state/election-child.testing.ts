/**
 * A leader in its own process, for the election tests to kill -9: campaigns on the etcd hosts
 * and root given as arguments, writes once and prints `leading <candidate>` once it leads, then
 * waits to be killed.
 */
import { EtcdElection } from './election.ts';
import { EtcdStore } from './etcd.ts';

const [hosts, root, candidate, ttl] = process.argv.slice(2);
const store = new EtcdStore({ hosts: hosts.split(','), root });
const election = new EtcdElection(store, { name: 'controllers', candidate, ttlSeconds: Number(ttl), pollMs: 50 });
const term = await election.campaign();
await term.store.txn([], [{ type: 'put', key: 'written-by', value: candidate }]);
process.stdout.write(`leading ${term.leader}\n`);
setInterval(() => undefined, 60_000);
