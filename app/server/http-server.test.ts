import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { WebSocket } from 'ws';
import { QUIET_CHROMIUM_ARGS, requireChromium } from '../../engine/runtime/chromium.ts';
import type { AppEvents } from '../common/contract.ts';
import type { Host } from '../host/request-handlers.ts';
import { startHttpServer, type RunningServer } from './http-server.ts';

let dir: string;
let server: RunningServer;
let emit: <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) => void;
const allowed = new Set<string>();

/** A host whose handlers echo what they were given, enough to test the transport. */
function fakeHost(): Host {
  const handlers = new Proxy(
    {},
    {
      get: (_t, channel) => async (args: unknown) => {
        // One handler fails the way a bug would, naming a file of this machine.
        if (channel === 'getDoctorReport') throw new Error('ENOENT: no such file, open /root/.secret/x');
        return { channel, args };
      },
    },
  ) as Host['handlers'];
  return {
    handlers,
    isAllowedMedia: async (path) => allowed.has(path),
    close: () => undefined,
  };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Sent in pieces, without a content-length. */
  chunks?: Buffer[];
}

function call(path: string, options: CallOptions = {}): Promise<Reply> {
  return callOn(server, path, options);
}

function callOn(target: RunningServer, path: string, options: CallOptions = {}): Promise<Reply> {
  const url = new URL(path, target.url);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    for (const chunk of options.chunks ?? []) req.write(chunk);
    req.end(options.body);
  });
}

/** The session cookie of the main server, and the Set-Cookie header it came in. */
let cookie = '';
let setCookie = '';
let mediaUrlOf: (path: string) => string;
let downloadUrlOf: (path: string) => string;
const auth = () => ({ cookie, 'content-type': 'application/json' });

/** Exchanges a server's one-time start token for its session cookie, as the page does. */
async function startSession(target: RunningServer): Promise<{ cookie: string; setCookie: string }> {
  const reply = await callOn(target, '/api/session', {
    method: 'POST',
    headers: { authorization: `Bearer ${target.token}` },
  });
  assert.equal(reply.status, 200);
  const header = (reply.headers['set-cookie'] as string[] | undefined)?.[0] ?? '';
  return { cookie: header.split(';')[0]!, setCookie: header };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'unmask-serve-test-'));
  await writeFile(join(dir, 'index.html'), '<!doctype html><title>t</title>');
  server = await startHttpServer({
    rendererDir: dir,
    uploadDir: join(dir, 'uploads'),
    port: 0,
    createHost: (e, mediaUrl, downloadUrl) => {
      emit = e;
      mediaUrlOf = mediaUrl;
      downloadUrlOf = downloadUrl;
      return fakeHost();
    },
  });
  ({ cookie, setCookie } = await startSession(server));
});

after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

test('binds 127.0.0.1 and serves the renderer with its CSP', async () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]{48}$/);
  const page = await call('/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'; script-src 'self'/);
  assert.equal((await call('/../package.json')).status, 404);
});

test('a report the host wrote downloads as an attachment, by an id, only with the session cookie', async () => {
  const report = join(dir, 'reports', 'clip ü.unmask-report.pdf');
  await mkdir(dirname(report), { recursive: true });
  await writeFile(report, '%PDF-1.4 test');
  const url = downloadUrlOf(report);
  assert.match(url, /^\/download\/[0-9a-f-]{36}$/, 'the URL names no path');
  assert.equal((await call(url)).status, 403, 'no session, no download');
  assert.equal(
    (await call('/download/00000000-0000-0000-0000-000000000000', { headers: { cookie } })).status,
    404,
  );
  const reply = await call(url, { headers: { cookie } });
  assert.equal(reply.status, 200);
  assert.equal(reply.body.toString(), '%PDF-1.4 test');
  assert.equal(reply.headers['content-type'], 'application/pdf');
  assert.equal(
    reply.headers['content-disposition'],
    `attachment; filename="clip _.unmask-report.pdf"; filename*=UTF-8''clip%20%C3%BC.unmask-report.pdf`,
  );
  assert.equal(reply.headers['content-security-policy'], 'sandbox');
  assert.equal(reply.headers['x-content-type-options'], 'nosniff');
});

test('API requests need the session cookie, the right Host and a same-origin Origin', async () => {
  assert.equal((await call('/api/request/getAppInfo', { method: 'POST', body: '{}' })).status, 401);
  const name = cookie.split('=')[0]!;
  for (const headers of [
    { cookie: `${name}=${'0'.repeat(48)}` } as Record<string, string>,
    { authorization: `Bearer ${server.token}`, 'content-type': 'application/json' },
  ])
    assert.equal(
      (await call('/api/request/getAppInfo', { method: 'POST', headers, body: '{}' })).status,
      401,
      JSON.stringify(headers),
    );
  const rebound = await call('/api/request/getAppInfo', {
    method: 'POST',
    headers: { ...auth(), host: 'evil.example:80' },
    body: '{}',
  });
  assert.equal(rebound.status, 421, 'DNS rebinding: a foreign Host header is refused');
  const crossOrigin = await call('/api/request/getAppInfo', {
    method: 'POST',
    headers: { ...auth(), origin: 'http://evil.example' },
    body: '{}',
  });
  assert.equal(crossOrigin.status, 403);
  const ok = await call('/api/request/getAppInfo', { method: 'POST', headers: auth(), body: '{}' });
  assert.deepEqual(JSON.parse(ok.body.toString()), { ok: true, value: { channel: 'getAppInfo', args: {} } });
});

test("the start URL's token buys one HttpOnly, SameSite=Strict session; no URL the page uses carries a secret", async () => {
  assert.match(setCookie, /^unmask_session_[0-9a-f]{8}=[0-9a-f]{48}; HttpOnly; SameSite=Strict; Path=\/$/);
  const again = await call('/api/session', {
    method: 'POST',
    headers: { authorization: `Bearer ${server.token}` },
  });
  assert.equal(again.status, 401, 'the token in browser history opens nothing');
  assert.equal(again.headers['set-cookie'], undefined);
  const reload = await call('/api/session', { method: 'POST', headers: { cookie } });
  assert.equal(reload.status, 200, 'a reload keeps its session');
  assert.equal(mediaUrlOf('/v/clip.mp4'), '/media?path=%2Fv%2Fclip.mp4');
  for (const path of ['/', '/api/request/getAppInfo', '/media?path=x'])
    assert.equal((await call(path)).headers['referrer-policy'], 'no-referrer', path);
});

test('arguments are validated before a handler runs; errors come back as one-line envelopes', async () => {
  const bad = await call('/api/request/startTraining', {
    method: 'POST',
    headers: auth(),
    body: JSON.stringify({ identityA: '/a', identityB: '/b' }),
  });
  assert.equal(bad.status, 400);
  const envelope = JSON.parse(bad.body.toString()) as {
    ok: boolean;
    error: { code: string; message: string };
  };
  assert.equal(envelope.ok, false);
  assert.equal(envelope.error.code, 'invalidRequest');
  assert.match(envelope.error.message, /^Invalid startTraining request: consent/);
  assert.equal(
    (await call('/api/request/nope', { method: 'POST', headers: auth(), body: '{}' })).status,
    404,
  );
});

test('uploads land in the upload folder and become playable media with range requests', async () => {
  const bytes = Buffer.from('0123456789abcdef');
  const up = await call('/api/upload?name=../../clip.mp4', {
    method: 'POST',
    headers: { ...auth(), 'content-type': 'application/octet-stream' },
    body: bytes,
  });
  const { value } = JSON.parse(up.body.toString()) as { value: { path: string } };
  assert.ok(value.path.startsWith(join(dir, 'uploads')), 'stays inside the upload folder');
  assert.ok(value.path.endsWith('clip.mp4'));
  const media = `/media?path=${encodeURIComponent(value.path)}`;
  assert.equal(
    (await call(media, { headers: { cookie } })).status,
    403,
    'not media until the engine probed it',
  );
  allowed.add(value.path);
  const ranged = await call(media, { headers: { cookie, range: 'bytes=4-7' } });
  assert.equal(ranged.status, 206);
  assert.equal(ranged.body.toString(), '4567');
  assert.equal(ranged.headers['content-range'], `bytes 4-7/${bytes.length}`);
  assert.equal(
    (await call(`/media?path=${encodeURIComponent('/etc/passwd')}`, { headers: { cookie } })).status,
    403,
  );
  assert.equal((await call(media)).status, 403, 'no session, no media');
});

test('an upload whose scan is refused for good is removed at once; a retryable failure keeps it', async () => {
  const upload = async (name: string) => {
    const reply = await call(`/api/upload?name=${name}`, {
      method: 'POST',
      headers: { ...auth(), 'content-type': 'application/octet-stream' },
      body: 'moov-less bytes',
    });
    return (JSON.parse(reply.body.toString()) as { value: { path: string } }).value.path;
  };
  const refused = await upload('cut-short.mp4');
  const crashed = await upload('crashed.mp4');
  emit('scan-started', { jobId: 'scan-1', path: refused, fileName: 'cut-short.mp4' });
  emit('scan-started', { jobId: 'scan-2', path: crashed, fileName: 'crashed.mp4' });
  emit('scan-failed', { jobId: 'scan-2', error: { code: 'engineCrashed', message: 'x', retryable: true } });
  emit('scan-failed', { jobId: 'scan-1', error: { code: 'inputTruncated', message: 'x', retryable: false } });
  for (let i = 0; i < 100 && existsSync(dirname(refused)); i++) await new Promise((r) => setTimeout(r, 20));
  assert.ok(!existsSync(dirname(refused)), 'the refused upload is gone');
  assert.ok(existsSync(crashed), 'an upload that can be tried again stays');
});

test('events reach WebSocket clients that present the session cookie, and no others', async () => {
  const port = new URL(server.url).port;
  const refused = new WebSocket(`ws://127.0.0.1:${port}/api/events?token=${server.token}`);
  await new Promise((resolve) => refused.once('error', resolve));
  const socket = new WebSocket(`ws://127.0.0.1:${port}/api/events`, { headers: { cookie } });
  await new Promise((resolve) => socket.once('open', resolve));
  const received = new Promise<string>((resolve) => socket.once('message', (data) => resolve(String(data))));
  emit('scan-cancelled', { jobId: 'scan-0123456789ab' });
  assert.deepEqual(JSON.parse(await received), {
    event: 'scan-cancelled',
    payload: { jobId: 'scan-0123456789ab' },
  });
  socket.close();
});

test('media are served inert: a page or an SVG is a sandboxed download, a video keeps its type', async () => {
  const page = join(dir, 'evil.html');
  const svg = join(dir, 'evil.svg');
  const script = "<script>document.title = 'ran: ' + location.href</script>";
  await writeFile(page, `<!doctype html><title>inert</title>${script}`);
  await writeFile(svg, `<svg xmlns="http://www.w3.org/2000/svg"><title>inert</title>${script}</svg>`);
  const video = join(dir, 'clip.mp4');
  await writeFile(video, 'not really a video');
  for (const path of [page, svg, video]) allowed.add(path);
  const media = (path: string) => `/media?path=${encodeURIComponent(path)}`;
  for (const path of [page, svg]) {
    const reply = await call(media(path), { headers: { cookie } });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/octet-stream', path);
    assert.equal(reply.headers['content-disposition'], 'attachment');
    assert.equal(reply.headers['content-security-policy'], 'sandbox');
    assert.equal(reply.headers['x-content-type-options'], 'nosniff');
  }
  const clip = await call(media(video), { headers: { cookie } });
  assert.equal(clip.headers['content-type'], 'video/mp4');
  assert.equal(clip.headers['content-security-policy'], 'sandbox');

  const browser = await chromium.launch({ executablePath: requireChromium(), args: QUIET_CHROMIUM_ARGS });
  try {
    const tab = await browser.newPage();
    const [name, value] = cookie.split('=') as [string, string];
    await tab.context().addCookies([{ name, value, url: new URL(server.url).origin }]);
    for (const path of [page, svg]) {
      await tab.goto(new URL(media(path), server.url).href).catch(() => undefined);
      assert.doesNotMatch(await tab.title(), /ran/, `${path}'s script did not run`);
    }
  } finally {
    await browser.close();
  }
});

/** A second server with a small upload limit, whose kept uploads the test chooses. */
async function uploadServer(kept: Set<string>) {
  return startHttpServer({
    rendererDir: dir,
    uploadDir: join(dir, 'limited-uploads'),
    maxUploadBytes: 1000,
    keepsUpload: async (path) => kept.has(path),
    port: 0,
    createHost: () => fakeHost(),
  });
}

test('uploads over the limit are refused with 413, streamed or declared, and leave nothing behind', async () => {
  const limited = await uploadServer(new Set());
  try {
    const headers = {
      cookie: (await startSession(limited)).cookie,
      'content-type': 'application/octet-stream',
    };
    const declared = await callOn(limited, '/api/upload?name=big.mp4', {
      method: 'POST',
      headers,
      body: Buffer.alloc(2000),
    });
    const streamed = await callOn(limited, '/api/upload?name=big.mp4', {
      method: 'POST',
      headers: { ...headers, 'transfer-encoding': 'chunked' },
      chunks: [Buffer.alloc(600), Buffer.alloc(600)],
    });
    for (const reply of [declared, streamed]) {
      assert.equal(reply.status, 413);
      const { error } = JSON.parse(reply.body.toString()) as { error: { code: string; message: string } };
      assert.equal(error.code, 'inputTooLarge');
      assert.match(error.message, /^Uploads are limited to 1000 bytes;/);
    }
    assert.deepEqual(await readdir(join(dir, 'limited-uploads')), []);
    const small = await callOn(limited, '/api/upload?name=small.mp4', {
      method: 'POST',
      headers,
      body: Buffer.alloc(1000),
    });
    assert.equal(small.status, 200);
  } finally {
    await limited.close();
  }
});

test('uploads that no case keeps are removed when the server stops, and stale ones when it starts', async () => {
  const kept = new Set<string>();
  const stale = join(dir, 'limited-uploads', 'left-by-a-crash');
  await mkdir(stale, { recursive: true });
  await writeFile(join(stale, 'old.mp4'), 'x');
  const limited = await uploadServer(kept);
  assert.equal(existsSync(stale), false, 'a stale upload is gone at start');
  const session = await startSession(limited);
  const upload = async (name: string) => {
    const reply = await callOn(limited, `/api/upload?name=${name}`, {
      method: 'POST',
      headers: { cookie: session.cookie },
      body: 'video bytes',
    });
    return (JSON.parse(reply.body.toString()) as { value: { path: string } }).value.path;
  };
  const scanned = await upload('scanned.mp4');
  const dropped = await upload('dropped.mp4');
  kept.add(scanned);
  await limited.close();
  assert.equal(existsSync(scanned), true, "a case's input is kept");
  assert.equal(existsSync(dropped), false);
  assert.equal(existsSync(dirname(dropped)), false);
});

test('http://localhost:PORT works as http://127.0.0.1:PORT does: Host, Origin and the WebSocket', async () => {
  const { port } = new URL(server.url);
  const local = { host: `localhost:${port}`, origin: `http://localhost:${port}` };
  const reply = await call('/api/request/getAppInfo', {
    method: 'POST',
    headers: { ...auth(), ...local },
    body: '{}',
  });
  assert.equal(reply.status, 200, reply.body.toString());
  const socket = new WebSocket(`ws://localhost:${port}/api/events`, {
    headers: { cookie },
    origin: local.origin,
  });
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  socket.close();
  const foreign = await call('/api/request/getAppInfo', {
    method: 'POST',
    headers: { ...auth(), host: `localhost:${port}`, origin: `http://localhost:${Number(port) + 1}` },
    body: '{}',
  });
  assert.equal(foreign.status, 403, 'another port on this machine is another origin');
});

test('errors are 4xx with a code for bad requests, and never show a path or a source map', async () => {
  const json = await call('/api/request/getAppInfo', { method: 'POST', headers: auth(), body: '{"oops' });
  assert.equal(json.status, 400);
  assert.deepEqual(JSON.parse(json.body.toString()).error.code, 'badJson');
  assert.equal((await call('/%E0%A4%A')).status, 404);
  await writeFile(join(dir, 'renderer.js.map'), JSON.stringify({ sources: ['/home/ada/unmask/app/x.ts'] }));
  assert.equal((await call('/renderer.js.map')).status, 404);
  const dot = await call('/api/upload?name=.', { method: 'POST', headers: { cookie }, body: 'x' });
  assert.equal(dot.status, 200, dot.body.toString());
  assert.match(JSON.parse(dot.body.toString()).value.path, /[/\\]upload$/);
  const broken = await call('/api/request/getDoctorReport', { method: 'POST', headers: auth(), body: '{}' });
  assert.equal(broken.status, 500);
  assert.equal(JSON.parse(broken.body.toString()).error.code, 'internal');
  assert.doesNotMatch(broken.body.toString(), /secret|\/root/);
});
