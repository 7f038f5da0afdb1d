/**
 * The preload: exposes `window.unmask` (the UnmaskApi of app/common) and nothing else. It is the only file
 * that touches ipcRenderer. Requests go to `unmask:<channel>` and come back as envelopes; events arrive on
 * `unmask-event:<name>`. Dropped files are turned into paths with webUtils (File.path is gone in Electron 32+).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import {
  APP_EVENT_NAMES,
  REQUEST_CHANNELS,
  type AppEventName,
  type Envelope,
  type PickedFile,
  type UnmaskApi,
} from '../common/contract.ts';

const api: Record<string, unknown> = {
  shell: 'electron',
  on(event: AppEventName, listener: (payload: unknown) => void) {
    if (!(APP_EVENT_NAMES as readonly string[]).includes(event)) throw new Error(`Unknown event ${event}`);
    const wrapped = (_event: unknown, payload: unknown) => listener(payload);
    ipcRenderer.on(`unmask-event:${event}`, wrapped);
    return () => {
      ipcRenderer.removeListener(`unmask-event:${event}`, wrapped);
    };
  },
  async importFile(file: PickedFile) {
    const path = webUtils.getPathForFile(file as unknown as File);
    if (!path) throw new Error('That item is not a file on this computer.');
    return path;
  },
};

for (const channel of REQUEST_CHANNELS) {
  api[channel] = async (args: unknown) => {
    const envelope = (await ipcRenderer.invoke(`unmask:${channel}`, args)) as Envelope<unknown>;
    if (!envelope.ok) throw Object.assign(new Error(envelope.error.message), { code: envelope.error.code });
    return envelope.value;
  };
}

contextBridge.exposeInMainWorld('unmask', api as unknown as UnmaskApi);
