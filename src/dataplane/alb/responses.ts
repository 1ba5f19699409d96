/**
 * What an Application Load Balancer answers itself, pure: a redirect action's Location (the
 * request's URI with the action's components, `#{protocol}`, `#{host}`, `#{port}`, `#{path}` and
 * `#{query}` reused from the request), a fixed-response action, and the load balancer's own
 * error pages (502, 503, 504) in the shape ALB sends them, from `awselb/2.0`.
 */
import type { FixedResponseAction, RedirectAction } from '../../lb/index.ts';

/** The request's URI in its parts, as a redirect sees them. */
export interface RequestUri {
  /** `http` or `https`: the listener's protocol. */
  protocol: 'http' | 'https';
  host: string;
  port: number;
  /** The path with its leading `/`. */
  path: string;
  /** The query string without its `?` (empty when there is none). */
  query: string;
}

/** A response the load balancer writes without a target. */
export interface OwnResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

const SERVER = 'awselb/2.0';

/** The redirect's Location and status (301 or 302). */
export function redirectResponse(config: Pick<RedirectAction, 'protocol' | 'host' | 'port' | 'path' | 'query' | 'statusCode'>, uri: RequestUri): OwnResponse {
  const fill = (template: string) => template
    .replace(/#\{protocol\}/g, uri.protocol)
    .replace(/#\{host\}/g, uri.host)
    .replace(/#\{port\}/g, String(uri.port))
    .replace(/#\{path\}/g, uri.path.replace(/^\//, ''))
    .replace(/#\{query\}/g, uri.query);
  const protocol = fill(config.protocol).toLowerCase();
  const host = fill(config.host);
  const port = fill(config.port);
  const path = fill(config.path);
  const query = fill(config.query);
  // The scheme's own port is left out of the URL.
  const defaultPort = (protocol === 'https' && port === '443') || (protocol === 'http' && port === '80');
  const location = `${protocol}://${host}${defaultPort ? '' : `:${port}`}${path.startsWith('/') ? path : `/${path}`}${query ? `?${query}` : ''}`;
  const statusCode = config.statusCode === 'HTTP_301' ? 301 : 302;
  return { statusCode, headers: { server: SERVER, location, 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(page(statusCode))) }, body: page(statusCode) };
}

/** A fixed-response action's answer. */
export function fixedResponse(config: Pick<FixedResponseAction, 'statusCode' | 'contentType' | 'messageBody'>): OwnResponse {
  const body = config.messageBody ?? '';
  return {
    statusCode: Number(config.statusCode),
    headers: { server: SERVER, 'content-type': config.contentType ?? 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)) },
    body,
  };
}

const REASONS: Record<number, string> = {
  301: 'Moved Permanently', 302: 'Found', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 408: 'Request Time-out',
  413: 'Request Entity Too Large', 460: '', 463: '', 500: 'Internal Server Error', 502: 'Bad Gateway',
  503: 'Service Temporarily Unavailable', 504: 'Gateway Time-out',
};

function page(statusCode: number): string {
  const title = `${statusCode} ${REASONS[statusCode] ?? ''}`.trim();
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
}

/** The load balancer's own error page: 502 (the target failed), 503 (no target to send to), 504 (the target timed out), ... */
export function errorResponse(statusCode: number): OwnResponse {
  const body = page(statusCode);
  return { statusCode, headers: { server: SERVER, 'content-type': 'text/html', 'content-length': String(Buffer.byteLength(body)) }, body };
}
