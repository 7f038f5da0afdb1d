/**
 * Errors the user can act on. Each kind has a distinct process exit code, so scripts can tell them apart,
 * and a one-line message that is printed without a stack trace.
 */
export const EXIT_CODES = {
  ok: 0,
  internal: 1,
  usage: 2,
  inputNotFound: 10,
  inputIsDirectory: 11,
  inputEmpty: 12,
  inputNotMedia: 13,
  inputTruncated: 14,
  inputNoVideoStream: 15,
  inputIsStillImage: 16,
  inputTooLarge: 17,
  outputNotWritable: 20,
  runtimeMissing: 30,
  modelLoadFailed: 31,
  // Swap studio (40–49).
  swapConsentMissing: 40,
  swapTooFewFaces: 41,
  swapProjectMismatch: 42,
  swapCheckpointCorrupt: 43,
  swapOutputIsInput: 44,
  swapDiskFull: 45,
  swapNotTrained: 46,
  storeUnreadable: 50,
  storeTooNew: 51,
  caseNotFound: 52,
  reportFailed: 53,
  // App and `unmask serve` (60–69).
  appJobBusy: 60,
  queueUnreachable: 70,
  batchNoVideos: 71,
  batchHadFailures: 72,
  cancelled: 130,
} as const;

export type UnmaskErrorCode = Exclude<keyof typeof EXIT_CODES, 'ok'>;

export class UnmaskError extends Error {
  readonly code: UnmaskErrorCode;

  constructor(code: UnmaskErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UnmaskError';
    this.code = code;
  }

  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isUnmaskError(error: unknown): error is UnmaskError {
  return error instanceof UnmaskError;
}
