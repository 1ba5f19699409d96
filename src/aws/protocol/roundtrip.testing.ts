/**
 * A test harness for the codecs against the real AWS SDK clients: a tiny HTTP server on
 * 127.0.0.1 that finds the operation (by `X-Amz-Target`, `Action`, or a REST method and path), decodes the request with
 * the model's codec, records what it decoded, and answers with what the test's handler returns
 * (or throws), encoded by the same codec. Not the endpoint: no SigV4, no IAM, no validation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AwsError } from '../errors.ts';
import type { OperationModel, ServiceModel } from '../model/types.ts';
import { codecFor, isRestProtocol, queryParameters, restOperationOf } from './index.ts';
import type { WireRequest, WireResponse } from './types.ts';

/** What the server decoded for one request. */
export interface DecodedCall {
  operation: string;
  input: Record<string, unknown>;
}

/** Answers one decoded call: an SDK-shaped output, or a thrown AwsError. */
export type TestHandler = (call: DecodedCall) => object | Promise<object>;

/** A running codec server. */
export interface CodecServer {
  /** `http://127.0.0.1:<port>`, for the SDK client's `endpoint`. */
  url: string;
  /** Every call decoded so far, in order. */
  calls: DecodedCall[];
  /** The raw responses written, for tests that look at the bytes. */
  responses: WireResponse[];
  close(): Promise<void>;
}

/** The credentials and settings every round-trip client uses: one attempt, so a failure is seen once. */
export const clientConfig = (url: string) => ({
  endpoint: url,
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'x' },
  maxAttempts: 1,
});

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function findOperation(model: ServiceModel, request: WireRequest): OperationModel {
  if (isRestProtocol(model.metadata.protocol)) {
    const rest = restOperationOf(model, request);
    if (!rest) throw new AwsError('UnknownOperationException', `No operation for ${request.method} ${request.path} in the test model.`);
    return rest;
  }
  const target = request.headers['x-amz-target'];
  const name = target ? target.slice(target.lastIndexOf('.') + 1) : queryParameters(request).get('Action') ?? '';
  const operation = Object.hasOwn(model.operations, name) ? model.operations[name] : undefined;
  if (!operation) throw new AwsError('UnknownOperationException', `No operation ${name} in the test model.`);
  return operation;
}

/** Starts a codec server for `model` on an ephemeral port of 127.0.0.1. */
export async function startCodecServer(model: ServiceModel, handler: TestHandler): Promise<CodecServer> {
  const codec = codecFor(model.metadata.protocol);
  const calls: DecodedCall[] = [];
  const responses: WireResponse[] = [];
  let sequence = 0;

  const server = http.createServer((req, res) => {
    void (async () => {
      const requestId = `00000000-0000-4000-8000-${String(++sequence).padStart(12, '0')}`;
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const headers: Record<string, string | undefined> = {};
      for (const [key, value] of Object.entries(req.headers)) headers[key] = Array.isArray(value) ? value.join(',') : value;
      const request: WireRequest = { method: req.method ?? 'GET', path: (req.url ?? '/').split('?')[0]!, query: url.searchParams, headers, body: await readBody(req) };
      let response: WireResponse;
      try {
        const operation = findOperation(model, request);
        const call = { operation: operation.name, input: codec.decodeInput(model, operation, request) };
        calls.push(call);
        response = codec.encodeOutput(model, operation, await handler(call), requestId);
      } catch (error) {
        if (!(error instanceof AwsError)) throw error;
        response = codec.encodeError(model, error, requestId);
      }
      responses.push(response);
      res.writeHead(response.status, { ...response.headers, 'content-length': Buffer.byteLength(response.body) });
      res.end(response.body);
    })().catch((error: unknown) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error instanceof Error ? error.stack : error));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    responses,
    close: () => new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      server.closeAllConnections(); // the SDKs keep connections alive
    }),
  };
}
