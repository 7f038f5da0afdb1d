/**
 * `unmask serve`: the renderer, unchanged, in a browser. The contract is carried over HTTP (one POST per
 * request) and a WebSocket (events). Binds 127.0.0.1 only; every API call, media request and WebSocket must carry
 * the session cookie (session.ts), and requests whose Host or Origin is not this server are refused (DNS
 * rebinding).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { basename, extname } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { WebSocketServer, type WebSocket } from 'ws';
import { isRequestChannel, parseRequestArgs, type AppEvents } from '../common/contract.ts';
import { mediaHeaders } from '../host/media-headers.ts';
import { rendererFile } from '../host/renderer-file.ts';
import type { Host } from '../host/request-handlers.ts';
import { rendererCsp, wireError } from '../host/wire.ts';
import { isUnmaskError } from '../../engine/util/errors.ts';
import { Sessions } from './session.ts';
import { DEFAULT_MAX_UPLOAD_BYTES, discardUpload, pruneUploads, receiveUpload } from './uploads.ts';

export const RENDERER_CSP = rendererCsp({ websocket: true });

/** Types of the renderer's own files; media have theirs from media-headers.ts. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** Types of the reports the host writes, served as downloads. */
const REPORT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json',
};

export interface ServerOptions {
  rendererDir: string;
  /** Where uploaded files (browser drops and picks) are stored. */
  uploadDir: string;
  /** The largest upload accepted (default DEFAULT_MAX_UPLOAD_BYTES). */
  maxUploadBytes?: number;
  /** True for an uploaded file the user kept (a case's input); the others are removed on start and close. */
  keepsUpload?: (path: string) => Promise<boolean>;
  /** Listen port; 0 picks a free one. */
  port: number;
  /**
   * Set by createHost's caller: the server connects the host's events to the WebSocket clients, serves media,
   * and downloads reports the host wrote (`downloadUrl` is only given paths the host chose).
   */
  createHost: (
    emit: <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) => void,
    mediaUrl: (path: string) => string,
    downloadUrl: (path: string) => string,
  ) => Host;
}

export interface RunningServer {
  /** The start URL: the bootstrap token in its fragment, which a browser exchanges once for a session cookie. */
  url: string;
  token: string;
  host: Host;
  close(): Promise<void>;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

const UNAUTHORIZED = {
  ok: false,
  error: {
    code: 'unauthorized',
    message:
      'This browser has no Unmask session: open the link `unmask serve` printed (each link works once).',
  },
};

/** An answer about the request itself: malformed, invalid or unknown (4xx), with a code and no internals. */
function sendRequestError(res: ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { ok: false, error: { code, message } });
}

/**
 * An error the server did not expect: the details (which may name files of this machine) go to the terminal
 * that runs `unmask serve`, the browser gets a code and a sentence.
 */
function sendInternalError(res: ServerResponse, error: unknown): void {
  process.stderr.write(
    `unmask serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  if (res.headersSent) {
    res.end();
    return;
  }
  sendRequestError(
    res,
    500,
    'internal',
    'Unmask hit an internal error; the terminal running `unmask serve` has the details.',
  );
}

const JSON_LIMIT = 1 << 20;

/** The request body as JSON; undefined when it is not JSON, 'too-large' over JSON_LIMIT. */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > JSON_LIMIT) return 'too-large';
    chunks.push(chunk as Buffer);
  }
  if (!chunks.length) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

/** `attachment` with the file's name, ASCII for old clients and UTF-8 (RFC 6266) for the rest. */
export function attachmentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(fileName)}`;
}

/** Serves a file with HTTP range support (video elements seek with ranges); `headers` may set its type. */
async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  headers: Record<string, string> = {},
) {
  const info = await stat(path).catch(() => null);
  if (!info?.isFile()) {
    res.writeHead(404).end();
    return;
  }
  const type = CONTENT_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
  const range = /^bytes=(\d*)-(\d*)$/.exec(req.headers.range ?? '');
  if (range && (range[1] || range[2])) {
    const start = range[1] ? Number(range[1]) : Math.max(0, info.size - Number(range[2]));
    const end = range[1] && range[2] ? Math.min(Number(range[2]), info.size - 1) : info.size - 1;
    if (start > end || start >= info.size) {
      res.writeHead(416, { 'content-range': `bytes */${info.size}` }).end();
      return;
    }
    res.writeHead(206, {
      'content-type': type,
      ...headers,
      'accept-ranges': 'bytes',
      'content-range': `bytes ${start}-${end}/${info.size}`,
      'content-length': String(end - start + 1),
    });
    await pipeline(createReadStream(path, { start, end }), res).catch(() => undefined);
    return;
  }
  res.writeHead(200, {
    'content-type': type,
    ...headers,
    'accept-ranges': 'bytes',
    'content-length': String(info.size),
  });
  await pipeline(createReadStream(path), res).catch(() => undefined);
}

export async function startHttpServer(options: ServerOptions): Promise<RunningServer> {
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  const keepsUpload = options.keepsUpload ?? (async () => false);
  await pruneUploads(options.uploadDir, keepsUpload);
  const sockets = new Set<WebSocket>();
  let origin = '';
  /** The file each running scan reads: an upload its scan refuses for good is removed at once. */
  const scanInputs = new Map<string, string>();
  const emit = <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) => {
    const text = JSON.stringify({ event, payload });
    for (const socket of sockets) if (socket.readyState === socket.OPEN) socket.send(text);
    if (event === 'scan-started') {
      const { jobId, path } = payload as AppEvents['scan-started'];
      scanInputs.set(jobId, path);
    } else if (event === 'scan-failed' || event === 'scan-finished' || event === 'scan-cancelled') {
      const { jobId } = payload as AppEvents['scan-finished'];
      const path = scanInputs.get(jobId);
      scanInputs.delete(jobId);
      // A retryable failure (the engine crashed) keeps the file for "Try again"; a cancelled scan can be restarted.
      const refused = event === 'scan-failed' && !(payload as AppEvents['scan-failed']).error.retryable;
      if (path && refused) void discardUpload(options.uploadDir, path, keepsUpload).catch(() => undefined);
    }
  };
  // The session cookie authenticates media, so their URLs carry no secret.
  const mediaUrl = (path: string) => `/media?path=${encodeURIComponent(path)}`;
  // A written report, by an unguessable id: the URL names no path, and only paths the host gave are served.
  const downloads = new Map<string, string>();
  const downloadUrl = (path: string) => {
    const id = randomUUID();
    downloads.set(id, path);
    return `/download/${id}`;
  };
  const host = options.createHost(emit, mediaUrl, downloadUrl);
  const sessions = new Sessions();

  // The names this server answers to: the loopback address it binds, and `localhost`. Host and Origin are
  // checked against the same list (DNS rebinding, cross-site requests).
  const selfOrigins = () => [origin, origin.replace('127.0.0.1', 'localhost')];
  const allowedHost = (req: IncomingMessage) =>
    selfOrigins().some((self) => new URL(self).host === req.headers.host);
  const allowedOrigin = (req: IncomingMessage) =>
    req.headers.origin === undefined || selfOrigins().includes(req.headers.origin);

  const server = createServer((req, res) => {
    // Nothing this server sends should tell another site where it came from.
    res.setHeader('referrer-policy', 'no-referrer');
    handle(req, res).catch((error: unknown) => sendInternalError(res, error));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!allowedHost(req)) {
      res.writeHead(421).end('Misdirected request');
      return;
    }
    const url = new URL(req.url ?? '/', origin);
    if (url.pathname.startsWith('/api/')) {
      if (!allowedOrigin(req))
        return sendJson(res, 403, {
          ok: false,
          error: { code: 'forbidden', message: 'Cross-origin request refused.' },
        });
      if (req.method !== 'POST')
        return sendJson(res, 405, { ok: false, error: { code: 'method', message: 'POST only.' } });
      if (url.pathname === '/api/session') return startSession(req, res);
      if (!sessions.authenticated(req)) return sendJson(res, 401, UNAUTHORIZED);
      if (url.pathname === '/api/upload') return upload(req, res, url);
      const channel = url.pathname.slice('/api/request/'.length);
      if (!url.pathname.startsWith('/api/request/') || !isRequestChannel(channel))
        return sendJson(res, 404, { ok: false, error: { code: 'unknown', message: 'No such request.' } });
      const body = await readJson(req);
      if (body === 'too-large')
        return sendRequestError(res, 413, 'tooLarge', 'The request body is too large.');
      if (body === undefined) return sendRequestError(res, 400, 'badJson', 'The request body is not JSON.');
      let args: unknown;
      try {
        args = parseRequestArgs(channel, body);
      } catch (error) {
        return sendRequestError(res, 400, 'invalidRequest', (error as Error).message);
      }
      try {
        const handler = host.handlers[channel] as (a: unknown) => Promise<unknown>;
        return sendJson(res, 200, { ok: true, value: await handler(args) });
      } catch (error) {
        // A valid request whose answer is an error the user can act on (a missing file, a busy job).
        if (isUnmaskError(error)) return sendJson(res, 200, wireError(error));
        return sendInternalError(res, error);
      }
    }
    if (url.pathname === '/media') {
      const path = url.searchParams.get('path') ?? '';
      if (!sessions.authenticated(req) || !(await host.isAllowedMedia(path))) {
        res.writeHead(403).end();
        return;
      }
      return sendFile(req, res, path, mediaHeaders(path));
    }
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (url.pathname.startsWith('/download/')) {
      const path = downloads.get(url.pathname.slice('/download/'.length));
      if (!sessions.authenticated(req) || !path) {
        res.writeHead(sessions.authenticated(req) ? 404 : 403).end();
        return;
      }
      return sendFile(req, res, path, {
        'content-type': REPORT_TYPES[extname(path)] ?? 'application/octet-stream',
        'content-disposition': attachmentDisposition(basename(path)),
        'content-security-policy': 'sandbox',
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
    }
    const file = rendererFile(options.rendererDir, url.pathname);
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    return sendFile(req, res, file, {
      'content-security-policy': RENDERER_CSP,
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
    });
  }

  /** Exchanges the bootstrap token (once) for the session cookie; a browser that has a session keeps it. */
  function startSession(req: IncomingMessage, res: ServerResponse): void {
    const secret = sessions.exchange(req.headers.authorization);
    if (secret) res.setHeader('set-cookie', sessions.setCookie(secret));
    else if (!sessions.authenticated(req)) return sendJson(res, 401, UNAUTHORIZED);
    return sendJson(res, 200, { ok: true, value: {} });
  }

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    try {
      const path = await receiveUpload(req, options.uploadDir, url.searchParams.get('name'), maxUploadBytes);
      return sendJson(res, 200, { ok: true, value: { path } });
    } catch (error) {
      // The rest of a refused body is not read: the connection closes after the answer.
      res.setHeader('connection', 'close');
      if (!isUnmaskError(error)) return sendInternalError(res, error);
      return sendJson(res, error.code === 'inputTooLarge' ? 413 : 500, wireError(error));
    }
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', origin);
    if (
      url.pathname !== '/api/events' ||
      !allowedHost(req) ||
      !allowedOrigin(req) ||
      !sessions.authenticated(req)
    ) {
      socket.write('HTTP/1.1 401 Unauthorized\r\n\r\n');
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/#token=${sessions.bootstrapToken}`,
    token: sessions.bootstrapToken,
    host,
    close: async () => {
      await pruneUploads(options.uploadDir, keepsUpload);
      host.close();
      for (const socket of sockets) socket.terminate();
      wss.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
