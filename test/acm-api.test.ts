/**
 * ACM end to end, through @aws-sdk/client-acm and the AWS CLI v2 against a real control plane in
 * this process (so the test can read the raw records and serve a certificate with the data
 * plane's lookup), and a `wharf dev` writing and serving its root: a request issued at once whose
 * chain openssl verifies against the root from /_wharf/acm/ca.pem; an openssl-made certificate
 * imported and re-imported; ACM's refusals; deletion refused while in use (InUseBy: the load
 * balancers whose listeners use it, made through ELBv2); tags; paging; private
 * keys never in a response nor in clear in the store; and curl trusting the root over TLS.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  ACMClient, AddTagsToCertificateCommand, DeleteCertificateCommand, DescribeCertificateCommand, ExportCertificateCommand, GetAccountConfigurationCommand,
  GetCertificateCommand, ImportCertificateCommand, ListCertificatesCommand, ListTagsForCertificateCommand, PutAccountConfigurationCommand,
  RemoveTagsFromCertificateCommand, RenewCertificateCommand, RequestCertificateCommand, paginateListCertificates,
} from '@aws-sdk/client-acm';
import { DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AddListenerCertificatesCommand, CreateListenerCommand, CreateLoadBalancerCommand, CreateTargetGroupCommand, DeleteListenerCommand, DeleteLoadBalancerCommand,
  ElasticLoadBalancingV2Client, RemoveListenerCertificatesCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { certificateForServing, setCertificateInUse } from '../src/acm/index.ts';
import type { ControlPlane } from '../src/cli/control-plane.ts';
import { loadSealer } from '../src/cli/sealing-key.ts';
import { systemClock } from '../src/common/index.ts';
import { transact } from '../src/state/index.ts';
import { credentials, region, rootKeyEnv, startDev, tempDir, type WharfProcess } from './support/wharf.ts';
import { ACCOUNT, awsCli, inProcessControlPlane, refused, userWithKey, type Keys } from './support/in-process.ts';

const run = promisify(execFile);
const dataDir = tempDir();
const controlPlane = inProcessControlPlane({ dataDir });
const work = tempDir();
let plane: ControlPlane;
let acm: ACMClient;

/** Every response the SDK and the CLI gave, to look for private keys in. */
const responses: string[] = [];

function client(keys: Keys = credentials): ACMClient {
  const c = new ACMClient({ endpoint: plane.url, region, credentials: keys, maxAttempts: 1 });
  c.middlewareStack.add((next) => async (args) => {
    const out = await next(args);
    responses.push(JSON.stringify(out.output) ?? '');
    return out;
  }, { step: 'deserialize', name: 'recordResponses' });
  return c;
}

const { cli: rawCli, cliFails } = awsCli(() => plane.url, 'acm');
const cli = async (...args: string[]) => {
  const out = await rawCli(...args);
  responses.push(JSON.stringify(out));
  return out;
};

const file = (name: string, text: string | Buffer) => {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
};

async function openssl(...args: string[]): Promise<string> {
  const { stdout, stderr } = await run('openssl', args, { cwd: work });
  return stdout + stderr;
}

/** A self-signed certificate and key made by openssl. */
async function opensslSelfSigned(name: string, prefix: string): Promise<{ cert: string; key: string }> {
  const [cert, key] = [join(work, `${prefix}.crt`), join(work, `${prefix}.key`)];
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '30', '-subj', `/O=Example/CN=${name}`, '-addext', `subjectAltName=DNS:${name}`);
  return { cert, key };
}

before(async () => {
  plane = await controlPlane();
  acm = client();
});
after(() => acm?.destroy());

const ARN = new RegExp(`^arn:aws:acm:${region}:${ACCOUNT}:certificate/[0-9a-f-]{36}$`);

describe('ACM through the SDK and the AWS CLI', () => {
  it('RequestCertificate is ISSUED at once; GetCertificate\'s chain verifies against /_wharf/acm/ca.pem with openssl', async () => {
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({
      DomainName: 'www.example.com', SubjectAlternativeNames: ['*.example.com'], ValidationMethod: 'DNS', IdempotencyToken: 'first', Tags: [{ Key: 'env', Value: 'test' }],
    }));
    assert.match(CertificateArn!, ARN);
    const { Certificate: d } = await acm.send(new DescribeCertificateCommand({ CertificateArn }));
    assert.deepEqual([d!.Status, d!.Type, d!.KeyAlgorithm, d!.DomainName, d!.SubjectAlternativeNames, d!.Subject, d!.Issuer],
      ['ISSUED', 'AMAZON_ISSUED', 'RSA_2048', 'www.example.com', ['www.example.com', '*.example.com'], 'CN=www.example.com', 'Wharf']);
    assert.deepEqual(d!.DomainValidationOptions!.map((v) => [v.DomainName, v.ValidationStatus, v.ValidationMethod, v.ResourceRecord?.Type]),
      [['www.example.com', 'SUCCESS', 'DNS', 'CNAME'], ['*.example.com', 'SUCCESS', 'DNS', 'CNAME']]);
    assert.equal(d!.NotAfter!.getTime() - d!.NotBefore!.getTime(), 395 * 86_400_000);
    assert.deepEqual(d!.ExtendedKeyUsages, [{ Name: 'TLS_WEB_SERVER_AUTHENTICATION', OID: '1.3.6.1.5.5.7.3.1' }]);
    assert.deepEqual(d!.KeyUsages, [{ Name: 'DIGITAL_SIGNATURE' }, { Name: 'KEY_ENCIPHERMENT' }]);
    assert.match(d!.Serial!, /^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    assert.deepEqual(d!.Options, { CertificateTransparencyLoggingPreference: 'ENABLED', Export: 'DISABLED' });
    assert.ok(d!.CreatedAt instanceof Date && d!.IssuedAt instanceof Date && d!.InUseBy!.length === 0);
    assert.equal((await acm.send(new RequestCertificateCommand({ DomainName: 'www.example.com', IdempotencyToken: 'first' }))).CertificateArn, CertificateArn);

    const got = await acm.send(new GetCertificateCommand({ CertificateArn }));
    const root = await (await fetch(`${plane.url}/_wharf/acm/ca.pem`)).text();
    assert.equal(root, readFileSync(join(dataDir, 'acm-ca.pem'), 'utf8'), 'the root is written to the data dir');
    assert.equal(got.CertificateChain, root);
    assert.match(await openssl('verify', '-CAfile', file('ca.pem', root), file('leaf.pem', got.Certificate!)), /leaf\.pem: OK/);
    assert.equal(new X509Certificate(got.Certificate!).serialNumber.toLowerCase(), d!.Serial!.replaceAll(':', ''));
  });

  it('the AWS CLI requests, imports an openssl certificate (fileb://), describes, gets and lists', async () => {
    const requested = await cli('request-certificate', '--domain-name', 'cli.example.com', '--subject-alternative-names', 'api.cli.example.com', '--key-algorithm', 'EC_prime256v1', '--validation-method', 'EMAIL');
    assert.match(requested.CertificateArn, ARN);
    const described = await cli('describe-certificate', '--certificate-arn', requested.CertificateArn);
    assert.equal(described.Certificate.KeyAlgorithm, 'EC_prime256v1');
    assert.deepEqual(described.Certificate.DomainValidationOptions[0].ValidationEmails.slice(0, 2), ['admin@cli.example.com', 'administrator@cli.example.com']);

    const made = await opensslSelfSigned('imported.example.com', 'imported');
    const imported = await cli('import-certificate', '--certificate', `fileb://${made.cert}`, '--private-key', `fileb://${made.key}`, '--tags', 'Key=origin,Value=openssl');
    assert.match(imported.CertificateArn, ARN);
    const d = (await cli('describe-certificate', '--certificate-arn', imported.CertificateArn)).Certificate;
    assert.deepEqual([d.Type, d.Status, d.DomainName, d.KeyAlgorithm, d.Issuer, d.SignatureAlgorithm], ['IMPORTED', 'ISSUED', 'imported.example.com', 'RSA_2048', 'Example', 'SHA256WITHRSA']);
    assert.ok(d.ImportedAt);
    const got = await cli('get-certificate', '--certificate-arn', imported.CertificateArn);
    assert.equal(new X509Certificate(got.Certificate).fingerprint256, new X509Certificate(readFileSync(made.cert)).fingerprint256);
    assert.equal(got.CertificateChain, undefined, 'a self-signed certificate has no chain');

    const listed = await cli('list-certificates');
    const arns = listed.CertificateSummaryList.map((s: { CertificateArn: string }) => s.CertificateArn);
    assert.ok(arns.includes(imported.CertificateArn));
    assert.ok(!arns.includes(requested.CertificateArn), 'EC certificates are listed only when Includes asks for them');
    const withEc = await cli('list-certificates', '--includes', 'keyTypes=EC_prime256v1,RSA_2048', '--certificate-statuses', 'ISSUED');
    assert.ok(withEc.CertificateSummaryList.some((s: { CertificateArn: string; KeyAlgorithm: string }) => s.CertificateArn === requested.CertificateArn && s.KeyAlgorithm === 'EC_prime256v1'));

    // Re-import a new certificate and key into the same ARN.
    const next = await opensslSelfSigned('imported.example.com', 'imported2');
    const again = await cli('import-certificate', '--certificate-arn', imported.CertificateArn, '--certificate', `fileb://${next.cert}`, '--private-key', `fileb://${next.key}`);
    assert.equal(again.CertificateArn, imported.CertificateArn);
    assert.equal(new X509Certificate((await cli('get-certificate', '--certificate-arn', imported.CertificateArn)).Certificate).fingerprint256,
      new X509Certificate(readFileSync(next.cert)).fingerprint256);
    assert.deepEqual((await cli('list-tags-for-certificate', '--certificate-arn', imported.CertificateArn)).Tags, [{ Key: 'origin', Value: 'openssl' }]);
  });

  it('refuses what ACM refuses: a key that does not match, two certificates, an unknown or malformed ARN, bad input', async () => {
    const a = await opensslSelfSigned('a.example.com', 'a');
    const b = await opensslSelfSigned('b.example.com', 'b');
    const mismatch = await cliFails('import-certificate', '--certificate', `fileb://${a.cert}`, '--private-key', `fileb://${b.key}`);
    assert.match(mismatch, /ValidationException.*The private key does not match the certificate\./);
    await refused(acm.send(new ImportCertificateCommand({ Certificate: Buffer.concat([readFileSync(a.cert), readFileSync(b.cert)]), PrivateKey: readFileSync(a.key) })),
      'ValidationException', 'The certificate field contains more than one certificate. You can specify only one certificate in this field.');
    await refused(acm.send(new ImportCertificateCommand({ Certificate: readFileSync(a.cert), PrivateKey: readFileSync(a.key), CertificateChain: readFileSync(b.cert) })),
      'ValidationException', 'Could not validate the certificate with the certificate chain.');
    const missing = `arn:aws:acm:${region}:${ACCOUNT}:certificate/00000000-0000-4000-8000-000000000000`;
    await refused(acm.send(new DescribeCertificateCommand({ CertificateArn: missing })), 'ResourceNotFoundException', `Could not find certificate ${missing}.`);
    await refused(acm.send(new GetCertificateCommand({ CertificateArn: `arn:aws:acm:${region}:${ACCOUNT}:thing/x` })), 'InvalidArnException');
    await refused(acm.send(new RequestCertificateCommand({ DomainName: 'not a domain' })), 'ValidationException', /domainName/);
    await refused(acm.send(new RequestCertificateCommand({ DomainName: 'x.example.com', DomainValidationOptions: [{ DomainName: 'x.example.com', ValidationDomain: 'example.org' }] })),
      'InvalidDomainValidationOptionsException');
    await refused(acm.send(new RequestCertificateCommand({ DomainName: 'x.example.com', SubjectAlternativeNames: Array.from({ length: 12 }, (_, i) => `s${i}.example.com`) })),
      'LimitExceededException');
    await refused(acm.send(new ListCertificatesCommand({ NextToken: 'garbage' })), 'InvalidArgsException');
  });

  it('DeleteCertificate is refused while a listener uses the certificate; tags are added, removed and listed; renew and export', async () => {
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'lb.example.com', Options: { Export: 'ENABLED' } }));
    const listener = `arn:aws:elasticloadbalancing:${region}:${ACCOUNT}:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2`;
    await transact(plane.store, (tx) => setCertificateInUse(tx, CertificateArn!, listener, true));
    assert.deepEqual((await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!.InUseBy, [listener]);
    assert.equal((await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!.RenewalEligibility, 'ELIGIBLE');
    await refused(acm.send(new DeleteCertificateCommand({ CertificateArn })), 'ResourceInUseException');

    await acm.send(new AddTagsToCertificateCommand({ CertificateArn, Tags: [{ Key: 'team', Value: 'edge' }, { Key: 'flag' }] }));
    await acm.send(new RemoveTagsFromCertificateCommand({ CertificateArn, Tags: [{ Key: 'team', Value: 'other' }, { Key: 'flag' }] }));
    assert.deepEqual((await acm.send(new ListTagsForCertificateCommand({ CertificateArn }))).Tags, [{ Key: 'team', Value: 'edge' }]);
    await refused(acm.send(new AddTagsToCertificateCommand({ CertificateArn, Tags: [{ Key: 'aws:reserved', Value: 'x' }] })), 'InvalidTagException');

    const before = (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!;
    await acm.send(new RenewCertificateCommand({ CertificateArn }));
    const renewed = (await acm.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!;
    assert.notEqual(renewed.Serial, before.Serial);
    assert.equal(renewed.RenewalSummary?.RenewalStatus, 'SUCCESS');

    const exported = await acm.send(new ExportCertificateCommand({ CertificateArn, Passphrase: Buffer.from('a passphrase') }));
    assert.match(exported.PrivateKey!, /^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const notExportable = await acm.send(new RequestCertificateCommand({ DomainName: 'plain.example.com' }));
    await refused(acm.send(new ExportCertificateCommand({ CertificateArn: notExportable.CertificateArn, Passphrase: Buffer.from('pw') })), 'ValidationException');

    await transact(plane.store, (tx) => setCertificateInUse(tx, CertificateArn!, listener, false));
    await acm.send(new DeleteCertificateCommand({ CertificateArn }));
    await refused(acm.send(new DescribeCertificateCommand({ CertificateArn })), 'ResourceNotFoundException');

    assert.deepEqual((await acm.send(new GetAccountConfigurationCommand({}))).ExpiryEvents, { DaysBeforeExpiry: 45 });
    await acm.send(new PutAccountConfigurationCommand({ IdempotencyToken: 't1', ExpiryEvents: { DaysBeforeExpiry: 30 } }));
    assert.deepEqual((await acm.send(new GetAccountConfigurationCommand({}))).ExpiryEvents, { DaysBeforeExpiry: 30 });
  });

  it('InUseBy lists the load balancers whose listeners use the certificate; DeleteCertificate is refused until none does', async () => {
    const elb = new ElasticLoadBalancingV2Client({ endpoint: plane.url, region, credentials, maxAttempts: 1 });
    const ec2 = new EC2Client({ endpoint: plane.url, region, credentials });
    const subnets = (await ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }))).Subnets!.map((x) => x.SubnetId!);
    ec2.destroy();
    const shared = (await acm.send(new RequestCertificateCommand({ DomainName: 'shared.example.com' }))).CertificateArn!;
    const own = (await acm.send(new RequestCertificateCommand({ DomainName: 'nlb.example.com' }))).CertificateArn!;
    const inUseBy = async (arn: string) => (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!.InUseBy;
    const alb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'certs-alb', Subnets: subnets.slice(0, 2) }))).LoadBalancers![0]!;
    const nlb = (await elb.send(new CreateLoadBalancerCommand({ Name: 'certs-nlb', Type: 'network', Subnets: subnets.slice(0, 1) }))).LoadBalancers![0]!;
    const group = (await elb.send(new CreateTargetGroupCommand({ Name: 'certs-tcp', Protocol: 'TCP', Port: 80, VpcId: nlb.VpcId }))).TargetGroups![0]!;
    const fixed = [{ Type: 'fixed-response' as const, FixedResponseConfig: { StatusCode: '200' } }];
    const https = async (Port: number) => (await elb.send(new CreateListenerCommand({
      LoadBalancerArn: alb.LoadBalancerArn, Protocol: 'HTTPS', Port, Certificates: [{ CertificateArn: shared }], DefaultActions: fixed,
    }))).Listeners![0]!.ListenerArn!;
    const first = await https(443);
    const second = await https(8443);
    const tlsListener = (await elb.send(new CreateListenerCommand({
      LoadBalancerArn: nlb.LoadBalancerArn, Protocol: 'TLS', Port: 443, Certificates: [{ CertificateArn: own }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }],
    }))).Listeners![0]!.ListenerArn!;
    await elb.send(new AddListenerCertificatesCommand({ ListenerArn: tlsListener, Certificates: [{ CertificateArn: shared }] }));

    const both = [alb.LoadBalancerArn!, nlb.LoadBalancerArn!].sort();
    assert.deepEqual(await inUseBy(shared), both, 'a default certificate and one AddListenerCertificates added: each load balancer once');
    assert.deepEqual(await inUseBy(own), [nlb.LoadBalancerArn]);
    const described = (await cli('describe-certificate', '--certificate-arn', shared)).Certificate;
    assert.deepEqual([described.InUseBy, (await acm.send(new ListCertificatesCommand({}))).CertificateSummaryList!.find((c) => c.CertificateArn === shared)?.InUse], [both, true]);
    await refused(acm.send(new DeleteCertificateCommand({ CertificateArn: shared })), 'ResourceInUseException', `Certificate ${shared} in account ${ACCOUNT} is in use.`);
    assert.match(await cliFails('delete-certificate', '--certificate-arn', shared), /ResourceInUseException/);
    assert.deepEqual(await inUseBy(shared), both, 'a refused deletion changes nothing');

    await elb.send(new RemoveListenerCertificatesCommand({ ListenerArn: tlsListener, Certificates: [{ CertificateArn: shared }] }));
    assert.deepEqual(await inUseBy(shared), [alb.LoadBalancerArn]);
    await elb.send(new DeleteListenerCommand({ ListenerArn: second }));
    assert.deepEqual(await inUseBy(shared), [alb.LoadBalancerArn], 'the load balancer\'s other listener still uses it');
    await elb.send(new DeleteListenerCommand({ ListenerArn: first }));
    assert.deepEqual(await inUseBy(shared), []);
    await acm.send(new DeleteCertificateCommand({ CertificateArn: shared }));
    await refused(acm.send(new DescribeCertificateCommand({ CertificateArn: shared })), 'ResourceNotFoundException');

    await refused(acm.send(new DeleteCertificateCommand({ CertificateArn: own })), 'ResourceInUseException');
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: nlb.LoadBalancerArn }));
    assert.deepEqual(await inUseBy(own), [], 'deleting the load balancer lets go of its listeners\' certificates');
    await cli('delete-certificate', '--certificate-arn', own);
    await elb.send(new DeleteLoadBalancerCommand({ LoadBalancerArn: alb.LoadBalancerArn }));
    elb.destroy();
  });

  it('ListCertificates pages with MaxItems and NextToken, in creation order either way', async () => {
    const made: string[] = [];
    for (let i = 0; i < 5; i++) made.push((await acm.send(new RequestCertificateCommand({ DomainName: `page${i}.paging.test` }))).CertificateArn!);
    const collect = async (order: 'ASCENDING' | 'DESCENDING') => {
      const seen: string[] = [];
      let pages = 0;
      for await (const page of paginateListCertificates({ client: acm, pageSize: 2 }, { SortBy: 'CREATED_AT', SortOrder: order })) {
        pages++;
        assert.ok(page.CertificateSummaryList!.length <= 2);
        seen.push(...page.CertificateSummaryList!.map((s) => s.CertificateArn!));
      }
      return { seen: seen.filter((a) => made.includes(a)), all: seen, pages };
    };
    const up = await collect('ASCENDING');
    assert.deepEqual(up.seen, made);
    assert.ok(up.pages >= 3);
    assert.equal(new Set(up.all).size, up.all.length, 'no certificate twice');
    assert.deepEqual((await collect('DESCENDING')).seen, [...made].reverse());
  });

  it('IAM: a user without acm permissions is refused; one allowed acm:DescribeCertificate reads', async () => {
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'iam.example.com' }));
    const nobody = client(await userWithKey(plane.url, 'acm-nobody'));
    await refused(nobody.send(new DescribeCertificateCommand({ CertificateArn })), 'AccessDeniedException', undefined, 403);
    const reader = client(await userWithKey(plane.url, 'acm-reader', [{ Effect: 'Allow', Action: 'acm:DescribeCertificate', Resource: CertificateArn }]));
    assert.equal((await reader.send(new DescribeCertificateCommand({ CertificateArn }))).Certificate!.CertificateArn, CertificateArn);
    await refused(reader.send(new ListCertificatesCommand({})), 'AccessDeniedException', undefined, 403);
  });

  it('no private key in any response, nor in clear in the store', async () => {
    assert.ok(responses.length > 20);
    const leaked = responses.filter((r) => r.includes('PRIVATE KEY') && !r.includes('ENCRYPTED PRIVATE KEY'));
    assert.deepEqual(leaked, []);
    const all = await plane.store.range('acm/', { limit: 10_000 });
    assert.ok(all.kvs.length > 10);
    for (const kv of all.kvs) assert.ok(!kv.value.includes('PRIVATE KEY'), kv.key);
    for (const name of ['imported.key', 'imported2.key', 'a.key']) {
      const body = readFileSync(join(work, name), 'utf8').split('\n')[1]!;
      for (const kv of all.kvs) assert.ok(!kv.value.includes(body), `${name} in ${kv.key}`);
    }
  });
});

describe('a certificate served over TLS', () => {
  let server: Server | undefined;
  after(() => server?.close());

  it('curl trusts the chain certificateForServing gives, with only the root from /_wharf/acm/ca.pem', async () => {
    const { CertificateArn } = await acm.send(new RequestCertificateCommand({ DomainName: 'app.wharf.test', SubjectAlternativeNames: ['*.apps.wharf.test'] }));
    const serving = (await certificateForServing({ store: plane.store, sealer: loadSealer(dataDir, rootKeyEnv), clock: systemClock }, CertificateArn!))!;
    server = createServer({ cert: serving.fullChainPem, key: serving.privateKeyPem }, (_req, res) => res.end('served by wharf\n'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const ca = file('trust.pem', await (await fetch(`${plane.url}/_wharf/acm/ca.pem`)).text());
    for (const name of ['app.wharf.test', 'blue.apps.wharf.test']) {
      const { stdout } = await run('curl', ['--silent', '--show-error', '--cacert', ca, '--resolve', `${name}:${port}:127.0.0.1`, `https://${name}:${port}/`]);
      assert.equal(stdout, 'served by wharf\n');
    }
    await assert.rejects(run('curl', ['--silent', '--show-error', '--cacert', ca, '--resolve', `other.wharf.test:${port}:127.0.0.1`, `https://other.wharf.test:${port}/`]),
      /no alternative certificate subject name matches|SSL: no alternative|does not match/);
    await assert.rejects(run('curl', ['--silent', '--show-error', '--resolve', `app.wharf.test:${port}:127.0.0.1`, `https://app.wharf.test:${port}/`]),
      /certificate/, 'without the root, the chain is not trusted');
  });
});

describe('wharf dev', () => {
  let dev: WharfProcess | undefined;
  after(async () => dev?.stop());

  it('writes its root to <data-dir>/acm-ca.pem on start, serves it, issues from it, and keeps it across a reset', async () => {
    dev = await startDev();
    const root = readFileSync(join(dev.dataDir, 'acm-ca.pem'), 'utf8');
    assert.equal(await (await fetch(`${dev.url}/_wharf/acm/ca.pem`)).text(), root);
    assert.ok(new X509Certificate(root).ca);
    const devCli = awsCli(() => dev!.url, 'acm').cli;
    const { CertificateArn } = await devCli('request-certificate', '--domain-name', 'dev.wharf.test');
    const got = await devCli('get-certificate', '--certificate-arn', CertificateArn);
    assert.match(await openssl('verify', '-CAfile', file('dev-ca.pem', root), file('dev-leaf.pem', got.Certificate)), /dev-leaf\.pem: OK/);

    // The dev mode's reset wipes the certificates but keeps the authority operators trust.
    const reset = await fetch(`${dev.url}/_wharf/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(reset.status, 200);
    assert.equal(await (await fetch(`${dev.url}/_wharf/acm/ca.pem`)).text(), root);
    assert.match(await devCli('list-certificates').then((l) => JSON.stringify(l)), /"CertificateSummaryList":\[\]/);
    const after = await devCli('get-certificate', '--certificate-arn', (await devCli('request-certificate', '--domain-name', 'dev2.wharf.test')).CertificateArn);
    assert.equal(after.CertificateChain, root);
  });
});
