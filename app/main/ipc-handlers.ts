/**
 * The only file that touches ipcMain. Each contract channel becomes `unmask:<channel>`; the sender frame must
 * be the app's own page, args are validated with the contract's zod schema, and the outcome goes back as an
 * envelope (so the renderer sees a clean one-line message, not Electron's wrapped error).
 */
import { BrowserWindow, ipcMain, type IpcMainInvokeEvent } from 'electron';
import {
  parseRequestArgs,
  REQUEST_CHANNELS,
  type AppEvents,
  type Envelope,
  type RequestHandlers,
} from '../common/contract.ts';
import { wireError } from '../host/wire.ts';
import { RENDERER_URL } from './navigation-rules.ts';

function fromAppPage(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && frame.url.split('#')[0] === RENDERER_URL;
}

export function registerIpcHandlers(handlers: RequestHandlers): void {
  for (const channel of REQUEST_CHANNELS) {
    ipcMain.handle(`unmask:${channel}`, async (event, args: unknown): Promise<Envelope<unknown>> => {
      if (!fromAppPage(event))
        return { ok: false, error: { code: 'forbidden', message: 'Request from an unknown frame refused.' } };
      try {
        const valid = parseRequestArgs(channel, args);
        const handler = handlers[channel] as (a: unknown) => Promise<unknown>;
        return { ok: true, value: await handler(valid) };
      } catch (error) {
        return wireError(error);
      }
    });
  }
}

/** Sends an app event to every window. */
export function broadcast<E extends keyof AppEvents>(event: E, payload: AppEvents[E]): void {
  for (const window of BrowserWindow.getAllWindows()) {
    if (!window.isDestroyed()) window.webContents.send(`unmask-event:${event}`, payload);
  }
}
