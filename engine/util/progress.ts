/** Progress of a long job, as the engine reports it to the CLI, the app or a worker. */
export interface ProgressEvent {
  /** Short machine name of the stage, e.g. 'probe', 'hash', 'faces'. */
  stage: string;
  done: number;
  /** Undefined when the amount of work is not known in advance. */
  total: number | undefined;
  /** Human-readable extra, e.g. '12.3 frames/s'. */
  detail?: string;
}

export type ProgressListener = (event: ProgressEvent) => void;
