/** Re-encodes a video with H.264 at a given CRF (fluent-ffmpeg), e.g. to test robustness to recompression. */
import ffmpeg from 'fluent-ffmpeg';
import { resolveFfmpeg } from '../runtime/ffmpeg.ts';
import { UnmaskError } from '../util/errors.ts';

export function reencodeH264(input: string, output: string, crf: number): Promise<void> {
  const tools = resolveFfmpeg();
  return new Promise((resolve, reject) => {
    ffmpeg(input)
      .setFfmpegPath(tools.ffmpeg.path)
      .setFfprobePath(tools.ffprobe.path)
      .outputOptions([
        '-map',
        '0:v:0',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-crf',
        String(crf),
        '-pix_fmt',
        'yuv420p',
        '-an',
      ])
      .on('end', () => resolve())
      .on('error', (error: Error) =>
        reject(
          new UnmaskError('internal', `Re-encoding ${input} failed: ${error.message.split('\n')[0]}`, {
            cause: error,
          }),
        ),
      )
      .save(output);
  });
}
