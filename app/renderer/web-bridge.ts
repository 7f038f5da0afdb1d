/**
 * `window.unmask` for a browser talking to `unmask serve`: requests are POSTed to /api/request/<channel> with
 * the session cookie (see app/server/session.ts), events arrive on one WebSocket (reconnected if it drops), and files the user picks or
 * drops are uploaded to the server, which answers with the path the engine reads. Implements the same
 * UnmaskApi type as the Electron preload; in Electron this script finds `window.unmask` already set and
 * does nothing.
 */
import {
  REQUEST_CHANNELS,
  type AppEventName,
  type AppEvents,
  type Envelope,
  type PickedFile,
  type RequestChannel,
  type UnmaskApi,
} from '../common/contract.ts';

/**
 * Exchanges the start URL's one-time token for the session cookie (HttpOnly: this script never sees it) and
 * drops the token from the address bar. A reload, or a second tab, finds no token and goes on with the cookie.
 */
async function startSession(): Promise<void> {
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  if (location.hash) history.replaceState(null, '', location.pathname);
  await fetch('/api/session', {
    method: 'POST',
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch(() => undefined);
}

function createWebBridge(): UnmaskApi {
  const session = startSession();
  const listeners = new Map<AppEventName, Set<(payload: never) => void>>();

  const connect = (delayMs: number) => {
    const socket = new WebSocket(`ws://${location.host}/api/events`);
    socket.onmessage = (message) => {
      const { event, payload } = JSON.parse(String(message.data)) as { event: AppEventName; payload: never };
      for (const listener of listeners.get(event) ?? []) listener(payload);
    };
    socket.onclose = () => setTimeout(() => connect(Math.min(delayMs * 2, 5000)), delayMs);
  };
  void session.then(() => connect(250));

  async function request(channel: RequestChannel, args: unknown): Promise<unknown> {
    await session;
    let response: Response;
    try {
      response = await fetch(`/api/request/${channel}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(args ?? {}),
      });
    } catch {
      throw new Error('The Unmask server is not reachable. Is `unmask serve` still running?');
    }
    const envelope = (await response.json()) as Envelope<unknown>;
    if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { code: envelope.error.code });
    return envelope.value;
  }

  async function importFile(file: PickedFile): Promise<string> {
    await session;
    const response = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: file as unknown as Blob,
    });
    const envelope = (await response.json()) as Envelope<{ path: string }>;
    if (!envelope.ok) throw new Error(envelope.error.message);
    return envelope.value.path;
  }

  /** The browser's own file chooser stands in for the native dialog; the picked file is uploaded. */
  function chooseVideo(): Promise<{ path: string } | null> {
    return new Promise((resolve, reject) => {
      const input = document.createElement('input');
      input.type = 'file';
      input.accept = 'video/*,.mp4,.mov,.mkv,.webm,.avi,.m4v';
      input.style.display = 'none';
      input.dataset['role'] = 'video-chooser';
      document.body.append(input);
      const done = () => input.remove();
      input.addEventListener('cancel', () => {
        done();
        resolve(null);
      });
      input.addEventListener('change', () => {
        const file = input.files?.[0];
        done();
        if (!file) return resolve(null);
        importFile(file).then((path) => resolve({ path }), reject);
      });
      input.click();
    });
  }

  const api: Record<string, unknown> = {
    shell: 'browser',
    on(event: AppEventName, listener: (payload: never) => void) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    importFile,
  };
  for (const channel of REQUEST_CHANNELS) api[channel] = (args: unknown) => request(channel, args);
  api['chooseVideo'] = chooseVideo;
  return api as unknown as UnmaskApi;
}

declare global {
  interface Window {
    unmask: UnmaskApi;
  }
}

if (!('unmask' in window)) {
  Object.defineProperty(window, 'unmask', { value: Object.freeze(createWebBridge()), enumerable: true });
}

export type { AppEvents };
