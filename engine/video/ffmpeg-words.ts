/**
 * ffmpeg's and ffprobe's messages for common failures, said the way someone who picked a file would understand
 * them. The one table of these; probe.ts and decode.ts put its words first and ffmpeg's own after them.
 */
const PLAIN_WORDS: ReadonlyArray<readonly [RegExp, string]> = [
  [/moov atom not found/i, 'the file is not a complete video (it may be cut short or still downloading)'],
  [
    /partial file|truncat|end of file|corrupt input packet/i,
    'the video ends early (it may be cut short or still downloading)',
  ],
  [/invalid data found when processing input/i, 'the file is damaged or is not a video'],
  [/no such file or directory/i, 'the file is not there any more (it was moved, renamed or deleted)'],
  [/permission denied/i, 'Unmask is not allowed to read the file'],
  [
    /decoder .*not found|unsupported codec|unknown codec|could not find codec parameters|codec not currently supported/i,
    'the video is stored in a format (codec) that this ffmpeg cannot decode',
  ],
];

/** The plain sentence for an ffmpeg message, or null when it says nothing this table knows. */
export function plainFfmpegReason(reason: string): string | null {
  return PLAIN_WORDS.find(([pattern]) => pattern.test(reason))?.[1] ?? null;
}

/**
 * "<plain words>; <tool> said: <reason>". Without plain words for the message, `fallback` (what the caller
 * already knows) stands in for them, or the tool's words are given alone.
 */
export function ffmpegFailureInWords(tool: 'ffmpeg' | 'ffprobe', reason: string, fallback?: string): string {
  const plain = plainFfmpegReason(reason) ?? fallback;
  return plain ? `${plain}; ${tool} said: ${reason}` : `${tool} said: ${reason}`;
}
