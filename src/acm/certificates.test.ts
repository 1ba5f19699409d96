/**
 * The ACM domain on both store backends (SQLite and a one-member etcd): one authority per store
 * however many ask at once, requested certificates issued by it, idempotency tokens, imports and
 * ACM's refusals, re-import into the same ARN, listing filters and expiry, InUseBy keeping a
 * certificate from deletion, renewal, export, serving, and no private key in clear in the store.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import type { AwsError } from '../aws/index.ts';
import { ManualClock, Sealer, randomIds } from '../common/index.ts';
import { transact } from '../state/index.ts';
import { storeBackends } from '../state/backends.testing.ts';
import { ensureAuthority, issuingAuthority } from './authority.ts';
import {
  deleteCertificate, describeCertificate, exportCertificate, getCertificate, importCertificate, listCertificates, modifyCertificate, renewCertificate, requestCertificate,
  type AcmEnv,
} from './certificates.ts';
import type { Scope } from './records.ts';
import { certificateForServing, coversName, setCertificateInUse } from './serving.ts';
import { withTags, withoutTags } from './tags.ts';
import { KEY_USAGE_BITS, OID, buildCertificate, toPem } from './x509.ts';

const scope: Scope = { account: '123456789012', region: 'eu-west-1' };
const DAY = 86_400_000;
const START = Date.UTC(2026, 11, 3, 12);
const code = (expected: string, message?: string | RegExp) => (e: AwsError) => {
  assert.equal(e.code, expected, e.message);
  if (typeof message === 'string') assert.equal(e.message, message);
  else if (message) assert.match(e.message, message);
  return true;
};

/** A self-signed certificate for `name` made here, with its key (as an operator's openssl would). */
function selfSigned(name: string, keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }), notBefore = START - DAY, notAfter = START + 90 * DAY) {
  const subject = [{ type: 'O' as const, value: 'Example' }, { type: 'CN' as const, value: name }];
  const pem = toPem(buildCertificate({
    serial: randomBytes(8), subject, issuer: subject, notBefore, notAfter, publicKey: keys.publicKey, issuerPublicKey: keys.publicKey, ca: false,
    keyUsage: [KEY_USAGE_BITS.digitalSignature], extendedKeyUsage: [OID.serverAuth, OID.clientAuth], dnsNames: [name],
  }, keys.privateKey));
  return { certificate: Buffer.from(pem), privateKey: Buffer.from(keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string), keys };
}

const backends = storeBackends('acm');

for (const [backend, open] of Object.entries(backends)) {
  describe(`ACM domain on ${backend}`, () => {
    const fresh = async (): Promise<AcmEnv & { clock: ManualClock }> => ({
      store: await open(), clock: new ManualClock(START), ids: randomIds, sealer: new Sealer(randomBytes(32)),
    });

    it('one authority per store, however many ask at once; its key sealed', async () => {
      const env = await fresh();
      const all = await Promise.all([1, 2, 3, 4].map(() => issuingAuthority(env)));
      assert.equal(new Set(all.map((a) => a.record.certificatePem)).size, 1);
      const root = all[0]!.certificate;
      assert.ok(root.ca && root.verify(root.publicKey));
      assert.match(root.subject, /CN=Wharf ACM Root [0-9a-f]{8}/);
      assert.equal((await ensureAuthority(env)).certificatePem, all[0]!.record.certificatePem);
      const raw = (await env.store.get('acm/authority'))!.value;
      assert.ok(!raw.includes('PRIVATE KEY'), 'the authority\'s key is sealed');
    });

    it('a store restored under another sealing key still gives the root; issuing then fails plainly, importing still works', async () => {
      const env = await fresh();
      const root = await ensureAuthority(env);
      const elsewhere = { ...env, sealer: new Sealer(randomBytes(32)) };
      assert.equal((await ensureAuthority(elsewhere)).certificatePem, root.certificatePem);
      await assert.rejects(requestCertificate(elsewhere, scope, { domainName: 'a.example.com' }), (e: AwsError) => e.code === 'InternalFailure' && e.status === 500 && /sealing key/.test(e.message));
      const made = selfSigned('b.example.com');
      assert.equal((await importCertificate(elsewhere, scope, { certificate: made.certificate, privateKey: made.privateKey })).status, 'ISSUED');
    });

    it('RequestCertificate: issued at once by the authority, with SANs, 395 days, a sealed key; a token within the hour names the same certificate', async () => {
      const env = await fresh();
      const r = await requestCertificate(env, scope, { domainName: 'www.example.com', subjectAlternativeNames: ['*.example.com', 'www.example.com'], idempotencyToken: 'tok1' });
      assert.match(r.arn, /^arn:aws:acm:eu-west-1:123456789012:certificate\/[0-9a-f-]{36}$/);
      assert.deepEqual([r.status, r.type, r.keyAlgorithm, r.subjectAlternativeNames], ['ISSUED', 'AMAZON_ISSUED', 'RSA_2048', ['www.example.com', '*.example.com']]);
      assert.equal(r.notAfter - r.notBefore, 395 * DAY);
      const leaf = new X509Certificate(r.certificatePem);
      const root = (await issuingAuthority(env)).certificate;
      assert.ok(leaf.checkIssued(root) && leaf.verify(root.publicKey));
      assert.equal(r.chainPem, root.toString());
      assert.equal((await requestCertificate(env, scope, { domainName: 'other.example.com', idempotencyToken: 'tok1' })).arn, r.arn);
      env.clock.advance(61 * 60_000);
      assert.notEqual((await requestCertificate(env, scope, { domainName: 'www.example.com', idempotencyToken: 'tok1' })).arn, r.arn);
      const ec = await requestCertificate(env, scope, { domainName: 'ec.example.com', keyAlgorithm: 'EC_prime256v1', validationMethod: 'EMAIL' });
      assert.equal(new X509Certificate(ec.certificatePem).publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      assert.deepEqual(ec.domainValidation[0]!.validationEmails?.[0], 'admin@ec.example.com');
      await assert.rejects(requestCertificate(env, scope, { domainName: 'a.example.com', keyAlgorithm: 'RSA_4096' }), code('ValidationException'));
      await assert.rejects(requestCertificate(env, scope, { domainName: 'a.example.com', subjectAlternativeNames: Array.from({ length: 10 }, (_, i) => `n${i}.example.com`) }), code('LimitExceededException'));
      await assert.rejects(requestCertificate(env, scope, { domainName: 'a.example.com', domainValidationOptions: [{ domainName: 'b.example.com', validationDomain: 'example.com' }] }),
        code('InvalidDomainValidationOptionsException'));
      await assert.rejects(requestCertificate(env, scope, { domainName: 'a.example.com', domainValidationOptions: [{ domainName: 'a.example.com', validationDomain: 'example.org' }] }),
        code('InvalidDomainValidationOptionsException'));
    });

    it('ImportCertificate: a self-signed certificate and key; ACM\'s refusals; re-import keeps the ARN and tags; a certificate Wharf issued cannot be re-imported', async () => {
      const env = await fresh();
      const made = selfSigned('shop.example.com');
      const r = await importCertificate(env, scope, { certificate: made.certificate, privateKey: made.privateKey, tags: [{ key: 'team', value: 'web' }] });
      assert.deepEqual([r.type, r.status, r.domainName, r.keyAlgorithm, r.issuer, r.subject, r.signatureAlgorithm], ['IMPORTED', 'ISSUED', 'shop.example.com', 'EC_prime256v1', 'Example', 'O=Example,CN=shop.example.com', 'SHA256WITHECDSA']);
      assert.deepEqual(r.extendedKeyUsages.map((e) => e.name), ['TLS_WEB_SERVER_AUTHENTICATION', 'TLS_WEB_CLIENT_AUTHENTICATION']);
      assert.deepEqual(r.keyUsages, ['DIGITAL_SIGNATURE']);

      const other = selfSigned('shop.example.com');
      await assert.rejects(importCertificate(env, scope, { certificate: made.certificate, privateKey: other.privateKey }), code('ValidationException', 'The private key does not match the certificate.'));
      await assert.rejects(importCertificate(env, scope, { certificate: Buffer.concat([made.certificate, other.certificate]), privateKey: made.privateKey }),
        code('ValidationException', 'The certificate field contains more than one certificate. You can specify only one certificate in this field.'));
      await assert.rejects(importCertificate(env, scope, { certificate: Buffer.from('not a certificate'), privateKey: made.privateKey }), code('ValidationException', /Unable to parse certificate/));
      const encrypted = Buffer.from(made.keys.privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }) as string);
      await assert.rejects(importCertificate(env, scope, { certificate: made.certificate, privateKey: encrypted }), code('ValidationException', /should not be encrypted/));
      const ed = generateKeyPairSync('ed25519');
      await assert.rejects(importCertificate(env, scope, { certificate: made.certificate, privateKey: Buffer.from(ed.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string) }),
        code('ValidationException', 'The private key is not supported.'));
      await assert.rejects(importCertificate(env, scope, { certificate: made.certificate, privateKey: made.privateKey, certificateChain: other.certificate }),
        code('ValidationException', 'Could not validate the certificate with the certificate chain.'));
      const expired = selfSigned('old.example.com', undefined, START - 100 * DAY, START - DAY);
      await assert.rejects(importCertificate(env, scope, { certificate: expired.certificate, privateKey: expired.privateKey }), code('ValidationException', /expired/));

      const renewed = selfSigned('shop.example.com');
      const again = await importCertificate(env, scope, { certificateArn: r.arn, certificate: renewed.certificate, privateKey: renewed.privateKey });
      assert.equal(again.arn, r.arn);
      assert.deepEqual(again.tags, [{ key: 'team', value: 'web' }]);
      assert.notEqual(again.serial, r.serial);
      await assert.rejects(importCertificate(env, scope, { certificateArn: r.arn, certificate: renewed.certificate, privateKey: renewed.privateKey, tags: [{ key: 'a' }] }), code('InvalidParameterException'));
      const issued = await requestCertificate(env, scope, { domainName: 'shop.example.com' });
      await assert.rejects(importCertificate(env, scope, { certificateArn: issued.arn, certificate: renewed.certificate, privateKey: renewed.privateKey }), code('InvalidParameterException'));
      await assert.rejects(importCertificate(env, scope, { certificateArn: `${issued.arn.slice(0, -4)}0000`, certificate: renewed.certificate, privateKey: renewed.privateKey }),
        code('ResourceNotFoundException', `Could not find certificate ${issued.arn.slice(0, -4)}0000.`));
    });

    it('lists RSA certificates by default, others when asked; filters by status; an issued certificate past NotAfter reads EXPIRED', async () => {
      const env = await fresh();
      const rsa = await requestCertificate(env, scope, { domainName: 'a.example.com' });
      env.clock.advance(1000);
      const ec = await requestCertificate(env, scope, { domainName: 'b.example.com', keyAlgorithm: 'EC_prime256v1' });
      assert.deepEqual((await listCertificates(env, scope, {})).map((c) => c.record.arn), [rsa.arn]);
      assert.deepEqual((await listCertificates(env, scope, { keyTypes: ['RSA_2048', 'EC_prime256v1'] })).map((c) => c.record.arn), [rsa.arn, ec.arn]);
      assert.deepEqual((await listCertificates(env, scope, { keyTypes: ['RSA_2048', 'EC_prime256v1'], sortOrder: 'DESCENDING' })).map((c) => c.record.arn), [ec.arn, rsa.arn]);
      env.clock.advance(396 * DAY);
      assert.deepEqual((await listCertificates(env, scope, { statuses: ['ISSUED'] })).length, 0);
      assert.deepEqual((await listCertificates(env, scope, { statuses: ['EXPIRED'] })).map((c) => c.status), ['EXPIRED']);
      assert.equal((await getCertificate(env, scope, rsa.arn)).certificatePem, rsa.certificatePem, 'an expired certificate can still be read');
    });

    it('InUseBy keeps a certificate from deletion until the listener lets go; serving gives the chain and a matching key', async () => {
      const env = await fresh();
      const r = await requestCertificate(env, scope, { domainName: 'api.example.com', subjectAlternativeNames: ['*.api.example.com'] });
      const listener = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/1/2';
      await transact(env.store, (tx) => setCertificateInUse(tx, r.arn, listener, true));
      await transact(env.store, (tx) => setCertificateInUse(tx, r.arn, listener, true));
      assert.deepEqual((await describeCertificate(env, scope, r.arn)).inUseBy, [listener]);
      await assert.rejects(deleteCertificate(env, scope, r.arn), code('ResourceInUseException'));

      const serving = (await certificateForServing(env, r.arn))!;
      assert.equal(serving.status, 'ISSUED');
      assert.ok(new X509Certificate(serving.certificatePem).checkPrivateKey(createPrivateKey(serving.privateKeyPem)));
      assert.ok(serving.fullChainPem.startsWith(serving.certificatePem) && serving.fullChainPem.length > serving.certificatePem.length);
      assert.ok(coversName(serving.domainNames, 'v1.api.example.com') && !coversName(serving.domainNames, 'a.v1.api.example.com'));
      assert.equal(await certificateForServing(env, r.arn.replace(/.{4}$/, '0000')), undefined);

      await transact(env.store, (tx) => setCertificateInUse(tx, r.arn, listener, false));
      await deleteCertificate(env, scope, r.arn);
      await assert.rejects(describeCertificate(env, scope, r.arn), code('ResourceNotFoundException'));
      await assert.rejects(transact(env.store, (tx) => setCertificateInUse(tx, r.arn, listener, true)), code('ResourceNotFoundException'));
      await assert.rejects(describeCertificate(env, scope, 'arn:aws:acm:eu-west-1:123456789012:nope'), code('InvalidArnException'));
    });

    it('renewal issues anew in the same ARN; export only of an exportable certificate, its key under the passphrase; tags', async () => {
      const env = await fresh();
      const r = await requestCertificate(env, scope, { domainName: 'x.example.com', exportOption: 'ENABLED', tags: [{ key: 'a', value: '1' }] });
      env.clock.advance(DAY);
      const renewed = await renewCertificate(env, scope, r.arn);
      assert.equal(renewed.arn, r.arn);
      assert.notEqual(renewed.serial, r.serial);
      assert.equal(renewed.notBefore, r.notBefore + DAY);
      assert.equal(renewed.renewal?.status, 'SUCCESS');

      const exported = await exportCertificate(env, scope, r.arn, Buffer.from('correct horse'));
      assert.match(exported.privateKeyPem, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
      const key = createPrivateKey({ key: exported.privateKeyPem, passphrase: 'correct horse' });
      assert.ok(new X509Certificate(exported.certificatePem).checkPrivateKey(key));
      assert.equal((await describeCertificate(env, scope, r.arn)).exported, true);
      const plain = await requestCertificate(env, scope, { domainName: 'y.example.com' });
      await assert.rejects(exportCertificate(env, scope, plain.arn, Buffer.from('pw')), code('ValidationException'));

      let tagged = await modifyCertificate(env, scope, r.arn, (c) => withTags(c, [{ key: 'b' }, { key: 'a', value: '2' }]));
      assert.deepEqual(tagged.tags, [{ key: 'a', value: '2' }, { key: 'b' }]);
      tagged = await modifyCertificate(env, scope, r.arn, (c) => withoutTags(c, [{ key: 'a', value: 'other' }, { key: 'b' }]));
      assert.deepEqual(tagged.tags, [{ key: 'a', value: '2' }], 'a tag given with another value stays');
      await assert.rejects(modifyCertificate(env, scope, r.arn, (c) => withTags(c, [{ key: 'aws:x' }])), code('InvalidTagException'));
      await assert.rejects(modifyCertificate(env, scope, r.arn, (c) => withTags(c, Array.from({ length: 50 }, (_, i) => ({ key: `k${i}` })))), code('TooManyTagsException'));
    });

    it('no private key is in clear anywhere in the store', async () => {
      const env = await fresh();
      const made = selfSigned('clear.example.com');
      await importCertificate(env, scope, { certificate: made.certificate, privateKey: made.privateKey });
      await requestCertificate(env, scope, { domainName: 'clear2.example.com', keyAlgorithm: 'EC_secp384r1' });
      const all = await env.store.range('', { limit: 1000 });
      assert.ok(all.kvs.length >= 3);
      const keyBody = made.privateKey.toString().split('\n')[1]!;
      for (const kv of all.kvs) {
        assert.ok(!kv.value.includes('PRIVATE KEY'), kv.key);
        assert.ok(!kv.value.includes(keyBody), kv.key);
      }
    });
  });
}

it('a key is sealed for its own certificate: moved to another record, it does not open', async () => {
  const sealer = new Sealer(randomBytes(32));
  const sealed = sealer.seal('key', 'acm:arn:aws:acm:eu-west-1:123456789012:certificate/a#private-key');
  assert.throws(() => sealer.open(sealed, 'acm:arn:aws:acm:eu-west-1:123456789012:certificate/b#private-key'));
});
