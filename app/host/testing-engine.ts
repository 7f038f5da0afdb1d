/** Test helpers for the host: a scripted engine process and a recorder of app events. */
import type { AppEvents } from '../common/contract.ts';
import type { EngineLauncher } from './engine-launcher.ts';
import type { FromEngine, ToEngine } from './engine-messages.ts';

/** A scripted engine: records what it is sent and lets the test play its replies and its exit. */
export function fakeEngine() {
  const sent: ToEngine[] = [];
  let onMessage: (m: FromEngine) => void = () => undefined;
  let onExit: (code: number | null) => void = () => undefined;
  let killed = false;
  const launch: EngineLauncher = () => ({
    send: (m) => sent.push(m),
    onMessage: (l) => (onMessage = l),
    onExit: (l) => (onExit = l),
    kill: () => {
      if (!killed) {
        killed = true;
        queueMicrotask(() => onExit(null));
      }
    },
  });
  return {
    launch,
    sent,
    reply: (m: FromEngine) => onMessage(m),
    exit: (code: number | null) => onExit(code),
  };
}

export function recorder() {
  const events: Array<{ event: keyof AppEvents; payload: unknown }> = [];
  const emit = <E extends keyof AppEvents>(event: E, payload: AppEvents[E]) =>
    events.push({ event, payload });
  const next = (name: keyof AppEvents) =>
    new Promise<unknown>((resolve) => {
      const check = () => {
        const found = events.find((e) => e.event === name);
        if (found) resolve(found.payload);
        else setTimeout(check, 1);
      };
      check();
    });
  return { events, emit, next };
}
