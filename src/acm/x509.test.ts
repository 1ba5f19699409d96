/**
 * The DER encoder and the certificates built with it, read back by node's X509Certificate and
 * by openssl (`x509 -text`, `verify -CAfile`): names, SANs, validity, extensions, signatures
 * by RSA and EC issuers, and DER's rules (minimal integers, sorted sets, UTCTime before 2050).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bitsSet, children, integer, namedBits, oid, oidText, read, set, time, utf8String } from './der.ts';
import { KEY_USAGE_BITS, OID, buildCertificate, toPem, type CertificateTemplate } from './x509.ts';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const DAY = 86_400_000;

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = (namedCurve = 'prime256v1') => generateKeyPairSync('ec', { namedCurve });

function rootOf(keys: { publicKey: KeyObject; privateKey: KeyObject }, cn = 'Test Root'): { pem: string; cert: X509Certificate } {
  const t: CertificateTemplate = {
    serial: Buffer.from([0x01, 0x02, 0x03]), subject: [{ type: 'C', value: 'US' }, { type: 'O', value: 'Wharf' }, { type: 'CN', value: cn }],
    issuer: [{ type: 'C', value: 'US' }, { type: 'O', value: 'Wharf' }, { type: 'CN', value: cn }],
    notBefore: NOW - DAY, notAfter: NOW + 3650 * DAY, publicKey: keys.publicKey, issuerPublicKey: keys.publicKey, ca: true,
    keyUsage: [KEY_USAGE_BITS.digitalSignature, KEY_USAGE_BITS.keyCertSign, KEY_USAGE_BITS.cRLSign],
  };
  const pem = toPem(buildCertificate(t, keys.privateKey));
  return { pem, cert: new X509Certificate(pem) };
}

function leafOf(issuer: { publicKey: KeyObject; privateKey: KeyObject }, subjectKey: KeyObject, names: string[], notAfter = NOW + 395 * DAY): X509Certificate {
  const t: CertificateTemplate = {
    serial: randomBytes(16), subject: [{ type: 'CN', value: names[0]! }], issuer: [{ type: 'C', value: 'US' }, { type: 'O', value: 'Wharf' }, { type: 'CN', value: 'Test Root' }],
    notBefore: NOW, notAfter, publicKey: subjectKey, issuerPublicKey: issuer.publicKey, ca: false,
    keyUsage: [KEY_USAGE_BITS.digitalSignature, KEY_USAGE_BITS.keyEncipherment], extendedKeyUsage: [OID.serverAuth], dnsNames: names,
  };
  return new X509Certificate(toPem(buildCertificate(t, issuer.privateKey)));
}

function openssl(args: string[], files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'wharf-x509-'));
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('DER encoding', () => {
  it('integers are minimal two\'s complement, with a leading zero for a set top bit', () => {
    assert.deepEqual(integer(0), Buffer.from([2, 1, 0]));
    assert.deepEqual(integer(127), Buffer.from([2, 1, 0x7f]));
    assert.deepEqual(integer(128), Buffer.from([2, 2, 0, 0x80]));
    assert.deepEqual(integer(256), Buffer.from([2, 2, 1, 0]));
    assert.deepEqual(integer(Buffer.from([0, 0, 0x05])), Buffer.from([2, 1, 5]));
    assert.deepEqual(integer(Buffer.from([0xff])), Buffer.from([2, 2, 0, 0xff]));
  });

  it('OIDs encode and read back, long lengths use the long form', () => {
    assert.deepEqual(oid('1.2.840.113549.1.1.11'), Buffer.from('06092a864886f70d01010b', 'hex'));
    for (const o of ['2.5.29.17', '1.3.6.1.5.5.7.3.1', '1.2.840.10045.4.3.2']) assert.equal(oidText(read(oid(o)).content), o);
    const long = utf8String('x'.repeat(300));
    assert.deepEqual(long.subarray(0, 4), Buffer.from([0x0c, 0x82, 0x01, 0x2c]));
    assert.equal(read(long).content.length, 300);
  });

  it('named bits drop trailing zeros; sets sort their elements; times switch to GeneralizedTime in 2050', () => {
    assert.deepEqual(namedBits([0, 2]), Buffer.from([3, 2, 5, 0xa0]));
    assert.deepEqual(namedBits([0, 5, 6]), Buffer.from([3, 2, 1, 0x86]));
    assert.deepEqual(bitsSet(read(namedBits([0, 2, 8])).content), [0, 2, 8]);
    assert.deepEqual(children(read(set(integer(5), integer(1))).content).map((e) => e.content[0]), [1, 5]);
    assert.equal(read(time(Date.UTC(2049, 11, 31, 23, 59, 59))).content.toString(), '491231235959Z');
    assert.equal(read(time(Date.UTC(2050, 0, 1))).tag, 0x18);
    assert.equal(read(time(Date.UTC(2050, 0, 1))).content.toString(), '20500101000000Z');
  });
});

for (const [kind, issuerKeys] of [['RSA 2048', rsa], ['EC P-256', ec], ['EC P-384', () => ec('secp384r1')]] as const) {
  describe(`certificates signed by an ${kind} root`, () => {
    const keys = issuerKeys();
    const root = rootOf(keys);

    it('the root is a self-signed CA that verifies with its own key', () => {
      assert.equal(root.cert.ca, true);
      assert.equal(root.cert.subject, 'C=US\nO=Wharf\nCN=Test Root');
      assert.equal(root.cert.issuer, root.cert.subject);
      assert.equal(root.cert.serialNumber, '010203');
      assert.ok(root.cert.verify(keys.publicKey));
      assert.ok(root.cert.checkIssued(root.cert));
    });

    it('a leaf: subject, SANs with a wildcard, validity of 395 days, EKU serverAuth, verified by the root\'s key', () => {
      const subject = rsa();
      const leaf = leafOf(keys, subject.publicKey, ['www.example.com', '*.example.com', 'example.org']);
      assert.equal(leaf.ca, false);
      assert.equal(leaf.subject, 'CN=www.example.com');
      assert.equal(leaf.issuer, 'C=US\nO=Wharf\nCN=Test Root');
      assert.equal(leaf.subjectAltName, 'DNS:www.example.com, DNS:*.example.com, DNS:example.org');
      assert.equal(new Date(leaf.validFrom).getTime(), NOW);
      assert.equal(new Date(leaf.validTo).getTime(), NOW + 395 * DAY);
      assert.deepEqual(leaf.keyUsage, [OID.serverAuth]);
      assert.ok(leaf.verify(keys.publicKey));
      assert.ok(!leaf.verify(subject.publicKey));
      assert.ok(leaf.checkIssued(root.cert));
      assert.ok(leaf.checkPrivateKey(subject.privateKey));
      assert.equal(leaf.checkHost('api.example.com'), '*.example.com', 'the wildcard covers one label');
      assert.equal(leaf.checkHost('a.b.example.com'), undefined);
    });

    it('openssl reads every field and verifies the leaf against the root', () => {
      const leaf = leafOf(keys, ec().publicKey, ['app.wharf.test', '*.wharf.test']);
      const text = openssl(['x509', '-noout', '-text', '-in', 'leaf.pem'], { 'leaf.pem': leaf.toString() });
      assert.match(text, /Version: 3 \(0x2\)/);
      assert.match(text, /Subject: CN\s?=\s?app\.wharf\.test/);
      assert.match(text, /DNS:app\.wharf\.test, DNS:\*\.wharf\.test/);
      assert.match(text, /X509v3 Basic Constraints: critical\s+CA:FALSE/);
      assert.match(text, /X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
      assert.match(text, /X509v3 Extended Key Usage:\s+TLS Web Server Authentication/);
      assert.match(text, /X509v3 Subject Key Identifier/);
      assert.match(text, /X509v3 Authority Key Identifier/);
      assert.match(text, kind.startsWith('RSA') ? /Signature Algorithm: sha256WithRSAEncryption/ : /Signature Algorithm: ecdsa-with-SHA(256|384)/);
      // openssl checks the chain at the certificates' own time, which is near today's.
      const verified = openssl(['verify', '-attime', String(NOW / 1000 + 60), '-CAfile', 'ca.pem', 'leaf.pem'], { 'ca.pem': root.pem, 'leaf.pem': leaf.toString() });
      assert.match(verified, /leaf\.pem: OK/);
      const other = rootOf(rsa(), 'Test Root');
      assert.throws(() => openssl(['verify', '-attime', String(NOW / 1000 + 60), '-CAfile', 'ca.pem', 'leaf.pem'], { 'ca.pem': other.pem, 'leaf.pem': leaf.toString() }));
    });
  });
}

it('a certificate valid past 2050 encodes notAfter as GeneralizedTime that openssl reads', () => {
  const keys = ec();
  const leaf = leafOf(keys, keys.publicKey, ['late.example.com'], Date.UTC(2051, 5, 1));
  assert.equal(new Date(leaf.validTo).getTime(), Date.UTC(2051, 5, 1));
  assert.match(openssl(['x509', '-noout', '-enddate', '-in', 'c.pem'], { 'c.pem': leaf.toString() }), /notAfter=Jun  1 00:00:00 2051 GMT/);
});
