/**
 * `--store`: where a `wharf server`'s state lives. `sqlite` (the default: a file in the data
 * dir) or `etcd://host:port,host:port/` — `etcds://` for TLS — with the root prefix as the URL's
 * path (default `wharf/`). TLS files and the etcd user come from flags; the password from the
 * environment (WHARF_ETCD_PASSWORD), never the command line, where `ps` would show it.
 */
import { readFileSync } from 'node:fs';
import type { StoreSpec } from './control-plane.ts';

/** What the flags and environment say about the store. */
export interface StoreFlags {
  store?: string;
  etcdCa?: string;
  etcdCert?: string;
  etcdKey?: string;
  etcdUser?: string;
  env: NodeJS.ProcessEnv;
  /** Reads a TLS file (default: the file system). */
  readFile?: (path: string) => Buffer;
}

/** The store a server opens, from `--store` and its companion flags. */
export function parseStoreSpec(f: StoreFlags): StoreSpec {
  if (f.store === undefined || f.store === 'sqlite') return { kind: 'sqlite' };
  const m = /^(etcds?):\/\/([^/]+)(\/.*)?$/.exec(f.store);
  if (!m) throw new Error(`--store must be sqlite or etcd://host:port[,host:port...][/root/], not ${f.store}`);
  const [, scheme, list, path] = m;
  const tls = scheme === 'etcds';
  const hosts = list.split(',').map((host) => {
    if (!/^[A-Za-z0-9.-]+:\d{1,5}$|^\[[0-9A-Fa-f:.]+\]:\d{1,5}$/.test(host)) throw new Error(`--store: ${host} is not host:port`);
    return `${tls ? 'https' : 'http'}://${host}`;
  });
  const root = path && path !== '/' ? `${path.slice(1).replace(/\/?$/, '/')}` : 'wharf/';
  const read = f.readFile ?? ((p: string) => readFileSync(p));
  if (!tls && (f.etcdCa || f.etcdCert || f.etcdKey)) throw new Error('--etcd-ca, --etcd-cert and --etcd-key need an etcds:// store');
  if ((f.etcdCert === undefined) !== (f.etcdKey === undefined)) throw new Error('--etcd-cert and --etcd-key are given together');
  if (tls && !f.etcdCa) throw new Error('an etcds:// store needs --etcd-ca FILE (the CA that signed the members\' certificates)');
  const password = f.env.WHARF_ETCD_PASSWORD;
  if (f.etcdUser !== undefined && password === undefined) throw new Error('--etcd-user needs its password in WHARF_ETCD_PASSWORD');
  return {
    kind: 'etcd',
    hosts,
    root,
    ...(tls && { tls: { ca: read(f.etcdCa!), ...(f.etcdCert && { cert: read(f.etcdCert), key: read(f.etcdKey!) }) } }),
    ...(f.etcdUser !== undefined && { auth: { username: f.etcdUser, password: password! } }),
  };
}
