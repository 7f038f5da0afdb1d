/**
 * The analysis screen's face pictures (crop | blend-boundary overlay), drawn in an engine process like every other
 * piece of work that reads an input: a hostile file can crash that process, never the host. The panel asks for
 * every mapped face of every frame it shows, so one process serves them all (a fresh one per picture would cost
 * seconds each); it keeps the case's probe open between pictures, is stopped after a quiet minute, and one that
 * dies fails only the pictures in flight: the next request starts a fresh one.
 */
import { UnmaskError } from '../../engine/util/errors.ts';
import type { RequestArgs, RequestResults } from '../common/contract.ts';
import { engineError } from './engine-jobs.ts';
import type { EngineLauncher, EngineProcess } from './engine-launcher.ts';

type FacePicture = RequestResults['getFacePicture'];

/** Side of each half of a picture: the panel shows them at up to this size. */
const PICTURE_SIZE = 224;

export class FacePictureEngine {
  private engine: EngineProcess | null = null;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { engine: EngineProcess; resolve: (picture: FacePicture) => void; reject: (error: Error) => void }
  >();
  private idleTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly launch: EngineLauncher,
    private readonly dataDir: string,
    private readonly idleMs = 60_000,
  ) {}

  draw(request: RequestArgs<'getFacePicture'>): Promise<FacePicture> {
    clearTimeout(this.idleTimer);
    const engine = this.engine ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { engine, resolve, reject });
      engine.send({ type: 'face-picture', id, dataDir: this.dataDir, ...request, size: PICTURE_SIZE });
    });
  }

  /** Stops the process; pictures still being drawn fail. */
  close(): void {
    clearTimeout(this.idleTimer);
    const engine = this.engine;
    this.engine = null;
    engine?.kill();
  }

  private start(): EngineProcess {
    const engine = this.launch();
    this.engine = engine;
    engine.onMessage((message) => {
      if (message.type !== 'face-picture-done' && message.type !== 'face-picture-failed') return;
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.type === 'face-picture-done') waiter?.resolve(message.picture);
      else waiter?.reject(engineError(message.code, message.message));
      if (this.waiting.size === 0 && this.engine === engine) {
        clearTimeout(this.idleTimer);
        this.idleTimer = setTimeout(() => this.close(), this.idleMs);
        this.idleTimer.unref?.();
      }
    });
    engine.onExit((code) => {
      if (this.engine === engine) this.engine = null;
      const error = new UnmaskError(
        'internal',
        `The engine drawing face pictures stopped (exit ${code ?? 'by signal'}).`,
      );
      for (const [id, waiter] of this.waiting)
        if (waiter.engine === engine) {
          this.waiting.delete(id);
          waiter.reject(error);
        }
    });
    return engine;
  }
}
