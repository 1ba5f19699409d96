/**
 * Small HTTP helpers of the distribution API: the spec's error body, JSON answers, bounded
 * body reads, and the Range / Content-Range grammars.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegistryError } from './errors.ts';

/** Headers as node takes them. */
export type Headers = Record<string, string | number | string[]>;

/** Writes a registry error as `{"errors":[...]}` (no body for HEAD). */
export function sendError(req: IncomingMessage, res: ServerResponse, error: RegistryError, headers: Headers = {}): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A body the client is still sending is not read: close the connection after answering.
  if (!req.complete) headers = { ...headers, connection: 'close' };
  sendJson(req, res, error.status, { errors: error.entries() }, headers);
}

/** Writes a JSON answer with its length. */
export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Headers = {}, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** Writes an answer without a body. */
export function sendEmpty(res: ServerResponse, status: number, headers: Headers = {}): void {
  res.writeHead(status, { 'content-length': 0, ...headers });
  res.end();
}

/** The declared Content-Length, or undefined (chunked or absent). */
export function contentLength(req: IncomingMessage): number | undefined {
  const raw = req.headers['content-length'];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/** True when the request carries a body (a length above zero, or chunked transfer). */
export function hasBody(req: IncomingMessage): boolean {
  const length = contentLength(req);
  if (length !== undefined) return length > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/**
 * Reads a body of at most `limit` bytes; returns undefined as soon as it is longer (the rest
 * is left unread; the caller answers and the connection is closed).
 */
export function readBodyUpTo(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = contentLength(req);
  if (declared !== undefined && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onClose = () => onError(new Error('the request was closed before its body ended'));
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/**
 * The single byte range a `Range: bytes=...` header asks of a `size`-byte entity: a range,
 * 'unsatisfiable' (answer 416), or undefined (no header, or one this server ignores and answers
 * in full, as RFC 9110 allows: multiple ranges, other units, bad syntax).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return undefined;
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** A chunk's `Content-Range: <start>-<end>` (inclusive, as the spec writes it), or 'invalid'. */
export function parseContentRange(header: string | undefined): { start: number; end: number } | 'invalid' | undefined {
  if (header === undefined) return undefined;
  const m = /^(?:bytes[ =])?(\d+)-(\d+)(?:\/(?:\d+|\*))?$/.exec(header.trim());
  if (!m) return 'invalid';
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return 'invalid';
  return { start, end };
}

/** The `Range` header value of an upload that has `offset` bytes (distribution writes `0-0` for none). */
export function uploadRange(offset: number): string {
  return `0-${Math.max(0, offset - 1)}`;
}

/** An optional non-negative integer query parameter; 'invalid' when it is not one. */
export function queryInteger(value: string | null): number | undefined | 'invalid' {
  if (value === null || value === '') return undefined;
  if (!/^\d{1,9}$/.test(value)) return 'invalid';
  return Number(value);
}
