/**
 * An NLB's TLS listeners carrying real flows: certificates issued by Wharf's ACM (through
 * @aws-sdk/client-acm), a TLS listener made through @aws-sdk/client-elastic-load-balancing-v2
 * that terminates TLS and forwards the plain stream to a TCP echo target, picks its certificate by
 * SNI and negotiates ALPN by its ALPN policy; and one that encrypts again to a TLS target group
 * (a node TLS echo server with a self-signed certificate the load balancer does not verify). The
 * clients are node's TLS client trusting Wharf's root and, when installed, `openssl s_client`;
 * the listener's flows are read back as AWS/NetworkELB metrics.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { ACMClient, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  AddListenerCertificatesCommand, CreateListenerCommand, DescribeListenersCommand, CreateLoadBalancerCommand, DescribeLoadBalancersCommand,
  DescribeTargetHealthCommand, ModifyListenerCommand, type TargetGroup,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { credentials, region } from './support/wharf.ts';
import { hostGroup, lbFixture, until } from './support/lb-fixture.ts';

// Metrics published every 300 ms, so the test reads them back soon.
const fx = lbFixture('nlb-tls', { lbMetricsIntervalMs: 300 });
const closers: (() => void)[] = [];
const scratch = mkdtempSync(join(tmpdir(), 'wharf-nlb-tls-'));
after(() => {
  for (const close of closers) close();
  rmSync(scratch, { recursive: true, force: true });
});

/** An echo server that says which kind it is first: `tcp:` or `tls:`. */
async function echo(kind: 'tcp' | 'tls'): Promise<number> {
  const serve = (socket: net.Socket) => {
    socket.on('error', () => undefined);
    socket.write(`${kind}:`);
    socket.pipe(socket);
  };
  let server: net.Server;
  if (kind === 'tcp') {
    server = net.createServer({ allowHalfOpen: true }, serve);
  } else {
    // A self-signed certificate the load balancer is not told to trust: an NLB does not verify its targets.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=target.internal',
      '-keyout', join(scratch, 'key.pem'), '-out', join(scratch, 'cert.pem')], { stdio: 'ignore' });
    server = tls.createServer({ key: readFileSync(join(scratch, 'key.pem')), cert: readFileSync(join(scratch, 'cert.pem')), allowHalfOpen: true }, serve);
  }
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return (server.address() as net.AddressInfo).port;
}

interface Exchange {
  reply: string;
  alpn: string | false;
  names: string;
}

/** Opens a TLS connection through the listener, sends `message`, half-closes and reads everything back. */
function exchange(address: string, port: number, o: { servername: string; ca: string; alpn?: string[]; message?: string }): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: address, port, servername: o.servername, ca: o.ca, ALPNProtocols: o.alpn }, () => {
      socket.end(o.message ?? 'hello');
    });
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('data', (c: string) => (reply += c));
    socket.on('end', () => resolve({ reply, alpn: socket.alpnProtocol ?? false, names: socket.getPeerCertificate().subjectaltname ?? '' }));
    socket.on('error', reject);
  });
}

describe('an NLB with TLS listeners', () => {
  let address = '';
  let ca = '';
  let lbArn = '';
  let tcpGroup: TargetGroup;
  let tlsGroup: TargetGroup;
  let certs: { a: string; b: string };

  before(async () => {
    const acm = new ACMClient({ endpoint: fx.plane.url, region, credentials, maxAttempts: 1 });
    certs = {
      a: (await acm.send(new RequestCertificateCommand({ DomainName: 'a.example.com' }))).CertificateArn!,
      b: (await acm.send(new RequestCertificateCommand({ DomainName: '*.example.org' }))).CertificateArn!,
    };
    acm.destroy();
    ca = await (await fetch(`${fx.plane.url}/_wharf/acm/ca.pem`)).text();
    const [lb] = (await fx.elb.send(new CreateLoadBalancerCommand({ Name: 'secure', Type: 'network', Subnets: [fx.subnets[0]!.SubnetId!] }))).LoadBalancers!;
    lbArn = lb!.LoadBalancerArn!;
    const group = (name: string, protocol: 'TCP' | 'TLS', port: number) => hostGroup(fx, lb!.VpcId!, name, protocol, port);
    tcpGroup = await group('plain', 'TCP', await echo('tcp'));
    tlsGroup = await group('reencrypt', 'TLS', await echo('tls'));
    address = (await fx.elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))).LoadBalancers![0]!.AvailabilityZones![0]!.LoadBalancerAddresses![0]!.IpAddress!;
  });

  it('terminates TLS with its ACM certificates, chosen by SNI, and forwards the plain stream to a TCP target', async () => {
    const listener = (await fx.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn, Protocol: 'TLS', Port: 8443, Certificates: [{ CertificateArn: certs.a }], AlpnPolicy: ['HTTP2Preferred'],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tcpGroup.TargetGroupArn }],
    }))).Listeners![0]!;
    await fx.elb.send(new AddListenerCertificatesCommand({ ListenerArn: listener.ListenerArn, Certificates: [{ CertificateArn: certs.b }] }));
    await healthy(tcpGroup);
    const first = await until('the TLS listener with both certificates', async () => {
      const r = await exchange(address, 8443, { servername: 'www.example.org', ca }).catch(() => undefined);
      return r?.names === 'DNS:*.example.org' ? r : undefined;
    });
    assert.equal(first.reply, 'tcp:hello', 'the target got the decrypted bytes and answered in plain');
    const a = await exchange(address, 8443, { servername: 'a.example.com', ca, message: 'x'.repeat(256 * 1024) });
    assert.equal(a.names, 'DNS:a.example.com');
    assert.equal(a.reply, `tcp:${'x'.repeat(256 * 1024)}`, '256 KiB echoed through, half-close and all');
    await assert.rejects(exchange(address, 8443, { servername: 'elsewhere.example.net', ca }), /altnames|does not match/,
      'a name no certificate covers gets the default certificate, which the client refuses');
  });

  it('negotiates ALPN by the listener\'s ALPN policy', async () => {
    const both = ['http/1.1', 'h2'];
    assert.equal((await exchange(address, 8443, { servername: 'a.example.com', ca, alpn: both })).alpn, 'h2', 'HTTP2Preferred: h2 first');
    assert.equal((await exchange(address, 8443, { servername: 'a.example.com', ca, alpn: ['http/1.1'] })).alpn, 'http/1.1');
    const [listener] = (await fx.elb.send(new ModifyListenerCommand({
      ListenerArn: (await listenerOn(8443))!, AlpnPolicy: ['HTTP2Optional'],
    }))).Listeners!;
    assert.equal(listener!.AlpnPolicy![0], 'HTTP2Optional');
    await until('HTTP2Optional in force', async () => ((await exchange(address, 8443, { servername: 'a.example.com', ca, alpn: both }).catch(() => undefined))?.alpn === 'http/1.1' ? true : undefined));
    await fx.elb.send(new ModifyListenerCommand({ ListenerArn: (await listenerOn(8443))!, AlpnPolicy: ['None'] }));
    await until('no ALPN', async () => ((await exchange(address, 8443, { servername: 'a.example.com', ca, alpn: both }).catch(() => undefined))?.alpn === false ? true : undefined));
  });

  it('encrypts again to a TLS target group without verifying the target', async () => {
    await fx.elb.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn, Protocol: 'TLS', Port: 9443, Certificates: [{ CertificateArn: certs.a }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tlsGroup.TargetGroupArn }],
    }));
    await healthy(tlsGroup);
    const r = await until('the re-encrypting listener', () => exchange(address, 9443, { servername: 'a.example.com', ca, message: 'secret' }).catch(() => undefined));
    assert.equal(r.reply, 'tls:secret', 'the TLS target answered over its own TLS');
    assert.equal(r.names, 'DNS:a.example.com', 'the client saw the listener\'s certificate, not the target\'s');
  });

  it('serves openssl s_client, with the chain Wharf\'s root verifies', { skip: !existsSync('/usr/bin/openssl') && 'openssl is not installed' }, async () => {
    const caFile = join(scratch, 'ca.pem');
    execFileSync('sh', ['-c', `cat > ${caFile}`], { input: ca });
    // s_client stays up while its input is open: it is stopped once the echo is back.
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn('openssl', ['s_client', '-connect', `${address}:8443`, '-servername', 'a.example.com', '-CAfile', caFile, '-verify_return_error'], { stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      const timer = setTimeout(() => child.kill(), 20_000);
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('tcp:via-openssl')) child.kill();
      });
      child.on('error', reject);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(stdout);
      });
      child.stdin.write('via-openssl\n');
    });
    assert.match(out, /tcp:via-openssl/);
    assert.match(out, /Verify return code: 0 \(ok\)/);
  });

  it('publishes its TLS flows and the failed handshakes as AWS/NetworkELB metrics', async () => {
    // A client that speaks plain HTTP to the TLS port: its handshake never starts.
    await new Promise<void>((resolve) => {
      const plain = net.connect(8443, address, () => plain.write('GET / HTTP/1.0\r\n\r\n'));
      plain.on('close', () => resolve());
      plain.on('error', () => resolve());
    });
    const cw = new CloudWatchClient({ endpoint: fx.plane.url, region, credentials });
    const lbDim = { Name: 'LoadBalancer', Value: lbArn.split(':loadbalancer/')[1]! };
    const sum = async (metric: string) => {
      const { Datapoints } = await cw.send(new GetMetricStatisticsCommand({
        Namespace: 'AWS/NetworkELB', MetricName: metric, Dimensions: [lbDim], StartTime: new Date(Date.now() - 3_600_000), EndTime: new Date(Date.now() + 60_000),
        Period: 60, Statistics: ['Sum'],
      }));
      return (Datapoints ?? []).reduce((n, d) => n + (d.Sum ?? 0), 0);
    };
    const flows = await until('NewFlowCount_TLS', async () => ((await sum('NewFlowCount_TLS')) >= 6 ? sum('NewFlowCount_TLS') : undefined), 10_000);
    assert.equal(await sum('NewFlowCount_TCP'), 0, 'a TLS listener\'s flows are TLS flows');
    assert.equal(await sum('NewFlowCount'), flows);
    assert.ok((await sum('ProcessedBytes_TLS')) >= 2 * 256 * 1024, 'the 256 KiB each way');
    await until('ClientTLSNegotiationErrorCount', async () => ((await sum('ClientTLSNegotiationErrorCount')) === 1 ? true : undefined), 10_000);
    cw.destroy();
  });
});

/** Waits for the group's targets to pass their health checks (checked once a listener uses the group). */
async function healthy(g: TargetGroup): Promise<void> {
  await until(`${g.TargetGroupName} healthy`, async () => ((await fx.elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions!
    .every((d) => d.TargetHealth!.State === 'healthy') ? true : undefined));
}

async function listenerOn(port: number): Promise<string | undefined> {
  const [lb] = (await fx.elb.send(new DescribeLoadBalancersCommand({ Names: ['secure'] }))).LoadBalancers!;
  return (await fx.elb.send(new DescribeListenersCommand({ LoadBalancerArn: lb!.LoadBalancerArn }))).Listeners!.find((l) => l.Port === port)?.ListenerArn;
}
