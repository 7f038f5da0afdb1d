/**
 * Where a scan's per-frame results go while it runs, so that memory stays flat however long the video: an
 * append-only file of frames, one JSON line each, read back in order one frame at a time (writing the scan JSON,
 * filing the case). About 0.23 MB a frame with landmarks kept in memory would reach gigabytes within an hour.
 *
 * A private log (`createPrivate`) lives in a new 0700 folder under the system's temporary folder, and its file is
 * unlinked as soon as it is open where the platform allows (the open descriptor keeps the data), so even a killed
 * scan leaves nothing behind. A shared log (`createIn`) keeps its name until another process has read it: the app's
 * host gives each scan's engine process a folder and removes it when the job settles, however it settles.
 *
 * Lines are only ever read back by Unmask from a folder only its user can write, so they are parsed, not
 * re-validated (the scan file and the case are validated where they are read).
 */
import {
  closeSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readSync,
  rmdirSync,
  rmSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScannedFrame } from './scan-result.ts';

export const FRAME_LOG_FILE = 'frames.ndjson';

const NEWLINE = 0x0a;
const READ_CHUNK_BYTES = 1 << 20;

export class FrameLog implements Iterable<ScannedFrame> {
  private fd: number | null;
  private bytes: number;
  private frames = 0;

  private constructor(
    fd: number,
    bytes: number,
    /** What to remove on close: the private folder, or the shared file after a failure (discard). */
    private readonly removeOnClose: string | null,
    readonly path: string,
  ) {
    this.fd = fd;
    this.bytes = bytes;
  }

  /** A log no other process reads, under `root` (the system's temporary folder by default). */
  static createPrivate(root = tmpdir()): FrameLog {
    const dir = mkdtempSync(join(root, 'unmask-frames-'));
    const path = join(dir, FRAME_LOG_FILE);
    const fd = openSync(path, 'wx+', 0o600);
    try {
      unlinkSync(path);
      rmdirSync(dir);
    } catch {
      // Some platforms keep an open file's name; close() removes the folder then.
    }
    return new FrameLog(fd, 0, dir, path);
  }

  /** A log at `dir/frames.ndjson` that another process will open by path once this one closes it. */
  static createIn(dir: string): FrameLog {
    const path = join(dir, FRAME_LOG_FILE);
    return new FrameLog(openSync(path, 'wx+', 0o600), 0, null, path);
  }

  /** A finished log, for reading. */
  static open(path: string): FrameLog {
    const fd = openSync(path, 'r');
    return new FrameLog(fd, fstatSync(fd).size, null, path);
  }

  /** Frames appended by this process (not counted for a log opened for reading). */
  get count(): number {
    return this.frames;
  }

  append(frame: ScannedFrame): void {
    const line = Buffer.from(`${JSON.stringify(frame)}\n`, 'utf8');
    let written = 0;
    while (written < line.length)
      written += writeSync(this.descriptor(), line, written, line.length - written, this.bytes + written);
    this.bytes += line.length;
    this.frames++;
  }

  /** The frames in the order they were appended, parsed one at a time. */
  *[Symbol.iterator](): Iterator<ScannedFrame> {
    const fd = this.descriptor();
    const end = this.bytes;
    let position = 0;
    let pending = Buffer.alloc(0);
    const chunk = Buffer.allocUnsafe(READ_CHUNK_BYTES);
    while (position < end) {
      const read = readSync(fd, chunk, 0, Math.min(chunk.length, end - position), position);
      if (read === 0) break;
      position += read;
      // JSON escapes newlines inside strings, and 0x0a never occurs inside a multi-byte UTF-8 character.
      let data = pending.length ? Buffer.concat([pending, chunk.subarray(0, read)]) : chunk.subarray(0, read);
      let start = 0;
      for (let newline = data.indexOf(NEWLINE); newline >= 0; newline = data.indexOf(NEWLINE, start)) {
        const line = data.toString('utf8', start, newline);
        start = newline + 1;
        yield JSON.parse(line) as ScannedFrame;
      }
      // Copied: the chunk buffer is reused by the next read.
      data = data.subarray(start);
      pending = Buffer.from(data);
    }
    if (pending.length) throw new Error(`${this.path} ends in a partial line`);
  }

  /** Closes the file. A private log's data goes with it; a shared log's file stays for its reader. */
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
    if (this.removeOnClose) rmSync(this.removeOnClose, { recursive: true, force: true });
  }

  /** Closes the file and removes it, whoever was to read it (a scan that failed files nothing). */
  discard(): void {
    this.close();
    rmSync(this.path, { force: true });
  }

  private descriptor(): number {
    if (this.fd === null) throw new Error(`${this.path} is closed`);
    return this.fd;
  }
}
