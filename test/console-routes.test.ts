/**
 * The console's routes on a control plane: the built app served compressed and cached, deep
 * links answered with the app, nothing outside the build; the change stream refused unsigned
 * and telling a signed caller which kinds of its resources changed (and nothing else).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { CreateClusterCommand, ECSClient } from '@aws-sdk/client-ecs';
import { signRequest } from '../src/common/index.ts';
import { credentials, region, rootKeyEnv, tempDir } from './support/wharf.ts';
import { startControlPlane, type ControlPlane } from '../src/cli/control-plane.ts';
import { parseStoreSpec } from '../src/cli/store-spec.ts';
import { EtcdCluster } from '../src/state/index.ts';
import { ACCOUNT, inProcessControlPlane } from './support/in-process.ts';

const dist = tempDir();
mkdirSync(join(dist, 'assets'));
const INDEX = '<!doctype html><html><head><title>Wharf console</title></head><body><div id="root"></div></body></html>';
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;
writeFileSync(join(dist, 'index.html'), INDEX);
writeFileSync(join(dist, 'assets', 'index-abc123.js'), SCRIPT);
process.env.WHARF_CONSOLE_DIST = dist;
const plane = inProcessControlPlane();
let url = '';

interface Reply { status: number; headers: http.IncomingHttpHeaders; body: Buffer }

function get(path: string, headers: Record<string, string> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http.get(`${url}${path}`, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

before(async () => {
  url = (await plane()).url;
});
after(() => {
  delete process.env.WHARF_CONSOLE_DIST;
});

describe('the console on the control plane', () => {
  it('serves the app at /console/, and its own routes (deep links) with the app', async () => {
    const bare = await get('/console');
    assert.equal(bare.status, 301);
    assert.equal(bare.headers.location, '/console/');
    for (const path of ['/console/', '/console/clusters/default/tasks/0123abcd', '/console/task-definitions/web/3']) {
      const r = await get(path);
      assert.equal(r.status, 200, path);
      assert.equal(r.body.toString(), INDEX);
      assert.equal(r.headers['cache-control'], 'no-cache');
      assert.match(String(r.headers['content-security-policy']), /default-src 'self'/);
    }
  });

  it('sends hashed assets compressed as the browser asks, cached for a year, and 304 when unchanged', async () => {
    const br = await get('/console/assets/index-abc123.js', { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(br.status, 200);
    assert.equal(br.headers['content-encoding'], 'br');
    assert.equal(br.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(br.headers['content-type']), /^text\/javascript/);
    assert.ok(br.body.length < SCRIPT.length / 10, 'compressed');
    assert.equal(brotliDecompressSync(br.body).toString(), SCRIPT);
    const gz = await get('/console/assets/index-abc123.js', { 'accept-encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gunzipSync(gz.body).toString(), SCRIPT);
    const plain = await get('/console/assets/index-abc123.js');
    assert.equal(plain.headers['content-encoding'], undefined);
    assert.equal(plain.body.toString(), SCRIPT);
    const again = await get('/console/assets/index-abc123.js', { 'if-none-match': String(plain.headers.etag) });
    assert.equal(again.status, 304);
    assert.equal(again.body.length, 0);
  });

  it('answers a missing asset 404 and never a file outside the build', async () => {
    assert.equal((await get('/console/assets/missing.js')).status, 404);
    for (const path of ['/console/../package.json', '/console/%2e%2e/%2e%2e/package.json', '/console/..%2f..%2fpackage.json']) {
      const r = await get(path);
      assert.ok(!r.body.toString().includes('"name": "wharf"'), path);
    }
  });

  it('refuses an unsigned change stream, and one signed with a key IAM does not know', async () => {
    const unsigned = await get('/_wharf/console/changes');
    // As ECS refuses an unsigned call.
    assert.equal(unsigned.status, 400);
    assert.equal(JSON.parse(unsigned.body.toString()).__type, 'MissingAuthenticationTokenException');
    const headers = await signRequest({
      method: 'GET', url: new URL(`${url}/_wharf/console/changes`), region, service: 'ecs',
      credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'nope' },
    });
    const unknown = await get('/_wharf/console/changes', headers);
    assert.equal(unknown.status, 400);
    assert.equal(JSON.parse(unknown.body.toString()).__type, 'UnrecognizedClientException');
  });

  it("tells a signed caller the kinds of its resources that change, without names or data", () => changesAreStreamed(url));
});

describe('the change stream on etcd', () => {
  let etcd: EtcdCluster;
  let plane: ControlPlane;
  before(async () => {
    etcd = await EtcdCluster.start({ members: 1, dir: tempDir() });
    plane = await startControlPlane({
      host: '127.0.0.1', port: 0, dataDir: tempDir(), account: ACCOUNT, region, allowReset: false, unknownKeysAsRoot: false,
      env: rootKeyEnv, log: () => undefined, store: parseStoreSpec({ store: etcd.storeUrl, env: {} }), dns: false,
    });
  });
  after(async () => {
    await plane?.stop();
    await etcd?.stop();
  });

  it('tells a signed caller the kinds of its resources that change, as on SQLite', () => changesAreStreamed(plane.url));
});

/** Opens the change stream of the control plane at `at`, creates a cluster, and checks what the stream said. */
async function changesAreStreamed(at: string): Promise<void> {
  const headers = await signRequest({ method: 'GET', url: new URL(`${at}/_wharf/console/changes`), region, service: 'ecs', credentials });
  const events: string[] = [];
  const req = http.get(`${at}/_wharf/console/changes`, { headers });
  const response = await new Promise<http.IncomingMessage>((resolve) => req.once('response', resolve));
  assert.equal(response.statusCode, 200);
  assert.equal(response.headers['content-type'], 'text/event-stream');
  response.setEncoding('utf8');
  let buffer = '';
  const got = new Promise<void>((resolve) => {
    response.on('data', (chunk: string) => {
      buffer += chunk;
      for (const line of buffer.split('\n')) if (line.startsWith('data: ')) events.push(line.slice(6));
      if (events.some((e) => e.includes('ecs/clusters'))) resolve();
    });
  });
  const ecs = new ECSClient({ endpoint: at, region, credentials });
  await ecs.send(new CreateClusterCommand({ clusterName: 'console-stream' }));
  await got;
  req.destroy();
  const kinds = events.flatMap((e) => (JSON.parse(e) as { kinds: string[] }).kinds);
  assert.ok(kinds.includes('ecs/clusters'));
  assert.ok(!events.join().includes('console-stream'), 'no names');
}
