/**
 * The scan file's text, exactly as `JSON.stringify(scan, null, 1)` plus a newline would write it, but in chunks:
 * the head once, then one frame at a time from wherever the frames are (a FrameLog, the case library). A long
 * scan then never has to be one object or one string in memory (V8 caps a string at about 512 MB). No I/O.
 */
import { randomUUID } from 'node:crypto';
import { withFrames, type ScanRecord } from './scan-result.ts';

/** Each line of `json` indented by `prefix` (JSON text has no raw newlines inside its strings). */
const indent = (json: string, prefix: string) => prefix + json.replaceAll('\n', `\n${prefix}`);

export function* scanJsonChunks(scan: ScanRecord): Generator<string> {
  // The head with a placeholder where the frames go; a random marker cannot collide with any string in the scan.
  const marker = `"frames-${randomUUID()}"`;
  const text = JSON.stringify(withFrames(scan, marker.slice(1, -1)), null, 1);
  const at = text.indexOf(marker);
  yield `${text.slice(0, at)}[`;
  let empty = true;
  // The frames array is one level below the top (one space), so each frame sits two spaces in.
  for (const frame of scan.frames) {
    yield `${empty ? '' : ','}\n${indent(JSON.stringify(frame, null, 1), '  ')}`;
    empty = false;
  }
  yield `${empty ? ']' : '\n ]'}${text.slice(at + marker.length)}\n`;
}
