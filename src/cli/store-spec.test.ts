import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseStoreSpec } from './store-spec.ts';

describe('parseStoreSpec', () => {
  const env = {};
  it('defaults to SQLite', () => {
    assert.deepEqual(parseStoreSpec({ env }), { kind: 'sqlite' });
    assert.deepEqual(parseStoreSpec({ store: 'sqlite', env }), { kind: 'sqlite' });
  });

  it('reads etcd members and the root prefix', () => {
    assert.deepEqual(parseStoreSpec({ store: 'etcd://10.0.0.1:2379,etcd-2.internal:2379', env }), {
      kind: 'etcd', hosts: ['http://10.0.0.1:2379', 'http://etcd-2.internal:2379'], root: 'wharf/',
    });
    assert.equal((parseStoreSpec({ store: 'etcd://127.0.0.1:2379/teams/a', env }) as { root: string }).root, 'teams/a/');
  });

  it('reads TLS files and the user, with the password from the environment only', () => {
    const files: Record<string, string> = { '/ca.pem': 'CA', '/c.pem': 'CERT', '/k.pem': 'KEY' };
    const spec = parseStoreSpec({
      store: 'etcds://[::1]:2379', etcdCa: '/ca.pem', etcdCert: '/c.pem', etcdKey: '/k.pem', etcdUser: 'wharf',
      env: { WHARF_ETCD_PASSWORD: 'pw' }, readFile: (p) => Buffer.from(files[p]),
    });
    assert.deepEqual(spec, {
      kind: 'etcd', hosts: ['https://[::1]:2379'], root: 'wharf/',
      tls: { ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY') },
      auth: { username: 'wharf', password: 'pw' },
    });
  });

  it('refuses what it cannot use, naming the flag', () => {
    assert.throws(() => parseStoreSpec({ store: 'mysql://x', env }), /--store must be sqlite or etcd:/);
    assert.throws(() => parseStoreSpec({ store: 'etcd://no-port', env }), /no-port is not host:port/);
    assert.throws(() => parseStoreSpec({ store: 'etcds://h:1', env }), /needs --etcd-ca/);
    assert.throws(() => parseStoreSpec({ store: 'etcd://h:1', etcdCa: '/ca', env }), /need an etcds:\/\/ store/);
    assert.throws(() => parseStoreSpec({ store: 'etcd://h:1', etcdUser: 'u', env }), /WHARF_ETCD_PASSWORD/);
  });
});
