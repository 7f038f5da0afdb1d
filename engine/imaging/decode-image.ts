/** Decodes a still image file (JPEG, PNG, WebP, ...) to packed RGB with ffmpeg, optionally capping its size. */
import { spawn, spawnSync } from 'node:child_process';
import { resolveTool } from '../runtime/ffmpeg.ts';
import { UnmaskError } from '../util/errors.ts';
import type { RgbFrame } from '../video/frame.ts';

export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff'] as const;

export function isImagePath(path: string): boolean {
  const lower = path.toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

function imageSize(path: string): { width: number; height: number } {
  const probe = spawnSync(
    resolveTool('ffprobe').path,
    ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path],
    { encoding: 'utf8' },
  );
  const [width, height] = probe.stdout.trim().split(',').map(Number);
  if (probe.status !== 0 || !width || !height) {
    throw new UnmaskError(
      'inputNotMedia',
      `${path} is not a readable image${probe.stderr ? `: ${probe.stderr.trim().split('\n')[0]}` : ''}`,
    );
  }
  return { width, height };
}

/** Decodes the first frame of an image; images whose longer side exceeds `maxSide` are scaled down. */
export async function decodeImageFile(path: string, maxSide = 1920): Promise<RgbFrame> {
  let { width, height } = imageSize(path);
  const scale = Math.min(1, maxSide / Math.max(width, height));
  if (scale < 1) {
    width = Math.max(2, Math.round(width * scale));
    height = Math.max(2, Math.round(height * scale));
  }
  const args = [
    '-v',
    'error',
    '-i',
    path,
    '-frames:v',
    '1',
    '-vf',
    `scale=${width}:${height}`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    'pipe:1',
  ];
  const child = spawn(resolveTool('ffmpeg').path, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const data = new Uint8Array(Buffer.concat(chunks));
  if (code !== 0 || data.length !== width * height * 3) {
    throw new UnmaskError(
      'inputNotMedia',
      `Cannot decode image ${path}: ${stderr.trim().split('\n')[0] ?? `ffmpeg exited ${code}`}`,
    );
  }
  return { width, height, data };
}
