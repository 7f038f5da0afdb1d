/**
 * How much garbage V8 may keep before it collects its old generation, for processes that scan for hours.
 *
 * A scan's live memory is flat (frames stream to a FrameLog), but every frame leaves old-generation garbage:
 * TensorFlow.js's tensor records, the face mesh's arrays and our own, which V8 pretenures because they are alive
 * at the scavenges that run during inference. V8 lets its old generation grow to several times what survived the
 * last full collection before it collects again, so a long scan's resident memory still climbed for tens of
 * minutes although nothing was kept: 456–549 MiB after an hour against 311 MiB after a minute (1 sampled frame a
 * second, BENCH=scan-memory). Growing by a fixed 30 % instead keeps the hour's peak within 10 % of the minute's,
 * for about the same time in garbage collection (the live heap is small, about 70 MiB). It sets a process-wide V8
 * flag; scans run in processes of their own (the CLI, the app's engine process, a batch worker).
 */
import { setFlagsFromString } from 'node:v8';

/** The old generation may grow by this share of what survived the last full collection before the next one. */
export const SCAN_HEAP_GROWING_PERCENT = 30;

let applied = false;

/**
 * Applies the scan heap policy to this process, once. V8 reads the flag each time it sizes the old generation
 * after a full collection, so setting it after start-up takes effect from the next one.
 */
export function useScanHeapPolicy(): void {
  if (applied) return;
  applied = true;
  setFlagsFromString(`--heap-growing-percent=${SCAN_HEAP_GROWING_PERCENT}`);
}
