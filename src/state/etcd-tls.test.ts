/**
 * The etcd store over TLS, with client certificates and with etcd's own user authentication,
 * against a real etcd member given certificates made here with openssl.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EtcdCluster } from './etcd-cluster.ts';
import { EtcdStore } from './etcd.ts';
import { StoreUnavailableError } from './errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'wharf-etcd-tls-'));
const file = (name: string) => join(dir, name);
let etcd: EtcdCluster;

/** A CA, a certificate for 127.0.0.1 (server and client use), and a client certificate, all signed by the CA. */
function makeCertificates(): void {
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=wharf-test-ca', '-keyout', 'ca.key', '-out', 'ca.pem');
  writeFileSync(file('member.ext'), 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  writeFileSync(file('client.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn] of [['member', '127.0.0.1'], ['client', 'root']]) {
    openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${cn}`, '-keyout', `${name}.key`, '-out', `${name}.csr`);
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '1', '-extfile', `${name}.ext`, '-out', `${name}.pem`);
  }
}

before(async () => {
  makeCertificates();
  etcd = await EtcdCluster.start({
    members: 1, dir: join(dir, 'etcd'), tls: { cert: file('member.pem'), key: file('member.key'), ca: file('ca.pem'), clientCertAuth: true },
  });
});
after(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const tls = (withClientCert: boolean) => ({
  ca: readFileSync(file('ca.pem')), ...(withClientCert && { cert: readFileSync(file('client.pem')), key: readFileSync(file('client.key')) }),
});

describe('EtcdStore over TLS', () => {
  it('works with the CA and a client certificate, and is refused without the certificate', async () => {
    const store = new EtcdStore({ hosts: etcd.hosts, root: 'tls/', tls: tls(true) });
    await store.txn([], [{ type: 'put', key: 'k', value: 'over TLS' }]);
    assert.equal((await store.get('k'))?.value, 'over TLS');
    await store.close();
    const anonymous = new EtcdStore({ hosts: etcd.hosts, root: 'tls/', tls: tls(false), callTimeoutMs: 2000 });
    await assert.rejects(anonymous.get('k'), StoreUnavailableError);
    await anonymous.close();
  });

  it('authenticates as an etcd user once etcd\'s authentication is on', async () => {
    const etcdctl = (...args: string[]) => execFileSync('etcdctl', [
      '--endpoints', etcd.hosts[0], '--cacert', file('ca.pem'), '--cert', file('client.pem'), '--key', file('client.key'), ...args,
    ], { env: { ...process.env, ETCDCTL_API: '3' }, stdio: 'pipe' });
    etcdctl('user', 'add', 'root', '--new-user-password', 'root-secret');
    etcdctl('user', 'add', 'wharf', '--new-user-password', 'wharf-secret');
    etcdctl('role', 'add', 'wharf');
    etcdctl('role', 'grant-permission', 'wharf', '--prefix=true', 'readwrite', 'auth/');
    etcdctl('user', 'grant-role', 'wharf', 'wharf');
    etcdctl('auth', 'enable');
    const store = new EtcdStore({ hosts: etcd.hosts, root: 'auth/', tls: tls(true), auth: { username: 'wharf', password: 'wharf-secret' } });
    await store.txn([], [{ type: 'put', key: 'k', value: 'as wharf' }]);
    assert.equal((await store.get('k'))?.value, 'as wharf');
    await store.close();
    const wrong = new EtcdStore({ hosts: etcd.hosts, root: 'auth/', tls: tls(true), auth: { username: 'wharf', password: 'not-it' }, callTimeoutMs: 2000 });
    await assert.rejects(wrong.get('k'), StoreUnavailableError);
    await wrong.close();
  });
});
