/**
 * Finds ffmpeg and ffprobe. Each is looked up independently among:
 *   1. FFMPEG_PATH / FFPROBE_PATH — when set and working, always chosen;
 *   2. ffmpeg-static (optional dependency; its install script downloads the binary, ffmpeg only);
 *   3. @ffmpeg-installer/ffmpeg and @ffprobe-installer/ffprobe, which ship the binary inside the tarball;
 *   4. the system's PATH.
 * A candidate counts only if it runs and prints a version. Without the variable, the working candidate with the
 * newest libavcodec is chosen (the earlier one in this list on a tie): these tools parse files adversaries made,
 * and @ffmpeg-installer's ffmpeg is FFmpeg 4.1 from 2018 while a system's is often years newer. One older than
 * FFmpeg 5.0 still works, with a warning in `unmask doctor` and in every scan.
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
  /** "60.22.100" for a working candidate whose banner names its libavcodec. */
  libavcodec?: string;
}

export interface ResolvedTool {
  tool: FfmpegTool;
  path: string;
  source: FfmpegSource;
  version: string;
  /** The libavcodec it was built with ("58.42.100"); null when its banner does not say. */
  libavcodec: string | null;
  /** Why this candidate was chosen, in words. */
  choice: string;
  /** Set when it is older than OLDEST_TRUSTED_LIBAVCODEC: parsing hostile files with it is a known risk. */
  warning: string | null;
  attempts: ToolCandidate[];
}

/**
 * The oldest libavcodec major version used without a warning: 59 is FFmpeg 5.0 (January 2022). Older majors are
 * FFmpeg 4.x (58, 2018–2021) and before, whose demuxers and decoders miss years of security fixes.
 */
export const OLDEST_TRUSTED_LIBAVCODEC = 59;

/** The libavcodec version in an ffmpeg/ffprobe `-version` banner: "libavcodec     60. 22.100 / …" → "60.22.100". */
export function libavcodecVersion(banner: string): string | null {
  const match = /^libavcodec\s+(\d+)\.\s*(\d+)\.\s*(\d+)/m.exec(banner);
  return match ? `${match[1]}.${match[2]}.${match[3]}` : null;
}

function compareVersions(a: string | null | undefined, b: string | null | undefined): number {
  if (!a || !b) return a ? 1 : b ? -1 : 0;
  const [x, y] = [a.split('.').map(Number), b.split('.').map(Number)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * The candidate to use among the working ones, in list order: the environment variable's when it works, else the
 * newest libavcodec, the earlier candidate on a tie. Pure.
 */
export function chooseCandidate(working: readonly ToolCandidate[]): ToolCandidate | undefined {
  const fromEnv = working.find((c) => c.source === 'env');
  if (fromEnv) return fromEnv;
  return working.reduce<ToolCandidate | undefined>(
    (best, c) => (best === undefined || compareVersions(c.libavcodec, best.libavcodec) > 0 ? c : best),
    undefined,
  );
}

/** The warning for a tool built with an old libavcodec, or null. Pure. */
export function ageWarning(tool: FfmpegTool, libavcodec: string | null): string | null {
  const major = libavcodec ? Number(libavcodec.split('.')[0]) : null;
  if (major !== null && major >= OLDEST_TRUSTED_LIBAVCODEC) return null;
  const built = libavcodec ? `libavcodec ${libavcodec}` : 'an unknown libavcodec';
  return (
    `The ${tool} in use is built with ${built}, older than FFmpeg 5.0 (2022): it parses untrusted video with ` +
    `demuxers and decoders that miss years of security fixes. Install a newer ffmpeg or set ` +
    `${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'}.`
  );
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
function probeVersion(path: string): { version: string; libavcodec: string | null } {
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
  return { version: match[1]!, libavcodec: libavcodecVersion(result.stdout) };
}

const cache = new Map<FfmpegTool, ResolvedTool>();

export function resolveTool(tool: FfmpegTool): ResolvedTool {
  const cached = cache.get(tool);
  if (cached) return cached;
  const attempts: ToolCandidate[] = [];
  const versions = new Map<ToolCandidate, string>();
  for (const { source, path, why } of candidatePaths(tool)) {
    if (!path) {
      attempts.push({ source, path, ok: false, detail: why });
      continue;
    }
    try {
      const { version, libavcodec } = probeVersion(path);
      const candidate: ToolCandidate = {
        source,
        path,
        ok: true,
        detail: `version ${version}${libavcodec ? `, libavcodec ${libavcodec}` : ''}`,
        ...(libavcodec && { libavcodec }),
      };
      attempts.push(candidate);
      versions.set(candidate, version);
      // A working FFMPEG_PATH / FFPROBE_PATH is the user's choice: nothing else is probed.
      if (source === 'env') break;
    } catch (error) {
      attempts.push({
        source,
        path,
        ok: false,
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const working = attempts.filter((a) => a.ok);
  const chosen = chooseCandidate(working);
  if (!chosen) {
    throw new UnmaskError(
      'runtimeMissing',
      `No working ${tool} found (tried ${attempts.map((a) => `${a.source}: ${a.detail}`).join('; ')}). ` +
        `Install ffmpeg or set ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'}.`,
    );
  }
  const libavcodec = chosen.libavcodec ?? null;
  const resolved: ResolvedTool = {
    tool,
    path: chosen.path!,
    source: chosen.source,
    version: versions.get(chosen)!,
    libavcodec,
    choice:
      chosen.source === 'env'
        ? `set by ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'}`
        : working.length === 1
          ? 'the only working candidate'
          : `the newest of ${working.length} working candidates`,
    warning: ageWarning(tool, libavcodec),
    attempts,
  };
  cache.set(tool, resolved);
  return resolved;
}

export function resolveFfmpeg(): { ffmpeg: ResolvedTool; ffprobe: ResolvedTool } {
  return { ffmpeg: resolveTool('ffmpeg'), ffprobe: resolveTool('ffprobe') };
}
