/**
 * Finds ffmpeg and ffprobe. Each is looked up independently, first hit wins:
 *   1. FFMPEG_PATH / FFPROBE_PATH;
 *   2. ffmpeg-static (optional dependency; its install script downloads the binary, ffmpeg only);
 *   3. @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe, which ship the binary inside the tarball;
 *   4. the system's PATH.
 * A candidate counts only if it runs and prints a version.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, chmodSync, constants, existsSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { UnmaskError } from '../util/errors.ts';

export type FfmpegTool = 'ffmpeg' | 'ffprobe';
export type FfmpegSource = 'env' | 'ffmpeg-static' | 'installer-package' | 'system';

export interface ToolCandidate {
  source: FfmpegSource;
  path: string | undefined;
  ok: boolean;
  detail: string;
}

export interface ResolvedTool {
  tool: FfmpegTool;
  path: string;
  source: FfmpegSource;
  version: string;
  attempts: ToolCandidate[];
}

const require = createRequire(import.meta.url);

function optionalRequire<T>(id: string): T | undefined {
  try {
    return require(id) as T;
  } catch {
    return undefined;
  }
}

function findOnPath(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, process.platform === 'win32' ? `${name}.exe` : name);
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function candidatePaths(
  tool: FfmpegTool,
): Array<{ source: FfmpegSource; path: string | undefined; why: string }> {
  const envName = tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH';
  const list: Array<{ source: FfmpegSource; path: string | undefined; why: string }> = [
    { source: 'env', path: process.env[envName] || undefined, why: `${envName} not set` },
  ];
  if (tool === 'ffmpeg') {
    const staticPath = optionalRequire<string | null>('ffmpeg-static');
    list.push({
      source: 'ffmpeg-static',
      path: staticPath ?? undefined,
      why:
        staticPath === undefined
          ? 'ffmpeg-static not installed (its binary download failed or was skipped)'
          : 'no binary for this platform',
    });
    const installer = optionalRequire<{ path: string }>('@ffmpeg-installer/ffmpeg');
    list.push({
      source: 'installer-package',
      path: installer?.path,
      why: '@ffmpeg-installer/ffmpeg not installed',
    });
  } else {
    list.push({ source: 'ffmpeg-static', path: undefined, why: 'ffmpeg-static ships no ffprobe' });
    const installer = optionalRequire<{ path: string }>('@ffprobe-installer/ffprobe');
    list.push({
      source: 'installer-package',
      path: installer?.path,
      why: '@ffprobe-installer/ffprobe not installed',
    });
  }
  list.push({ source: 'system', path: findOnPath(tool), why: `no ${tool} on PATH` });
  return list;
}

/** Runs `<path> -version`; npm may have skipped the installer's `chmod u+x`, so fix the mode once if needed. */
function probeVersion(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} does not exist`);
  try {
    accessSync(path, constants.X_OK);
  } catch {
    chmodSync(path, 0o755);
  }
  const result = spawnSync(path, ['-hide_banner', '-version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`exited with ${result.status}`);
  const match = /version\s+(\S+)/.exec(result.stdout);
  if (!match) throw new Error('printed no version');
  return match[1]!;
}

const cache = new Map<FfmpegTool, ResolvedTool>();

export function resolveTool(tool: FfmpegTool): ResolvedTool {
  const cached = cache.get(tool);
  if (cached) return cached;
  const attempts: ToolCandidate[] = [];
  for (const { source, path, why } of candidatePaths(tool)) {
    if (!path) {
      attempts.push({ source, path, ok: false, detail: why });
      continue;
    }
    try {
      const version = probeVersion(path);
      attempts.push({ source, path, ok: true, detail: `version ${version}` });
      const resolved: ResolvedTool = { tool, path, source, version, attempts };
      cache.set(tool, resolved);
      return resolved;
    } catch (error) {
      attempts.push({
        source,
        path,
        ok: false,
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }
  throw new UnmaskError(
    'runtimeMissing',
    `No working ${tool} found (tried ${attempts.map((a) => `${a.source}: ${a.detail}`).join('; ')}). ` +
      `Install ffmpeg or set ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'}.`,
  );
}

export function resolveFfmpeg(): { ffmpeg: ResolvedTool; ffprobe: ResolvedTool } {
  return { ffmpeg: resolveTool('ffmpeg'), ffprobe: resolveTool('ffprobe') };
}
