/**
 * Face detection + 468-point landmarks with @vladmandic/human (MediaPipe BlazeFace detector → FaceMesh, optional
 * Iris), running on our TensorFlow.js backend with weights read from disk (never the network).
 *
 * Wiring notes:
 * - Human is loaded from `dist/human.node-wasm.js` by absolute path (its exports map has no usable subpath). That
 *   build requires @tensorflow/tfjs-core/-converter/-backend-wasm externally, so it shares our tfjs-core: we
 *   select the backend first (initTensorflow) and tell Human to use the same one.
 * - Human loads `modelBasePath + name.json` through `tf.GraphModel`, which asks tfjs's IO router registry for a
 *   handler. We register a router for `file://` URLs under the models folder that reads the JSON and weights
 *   with `fs` (Node 20's fetch has no file://). If another router already claims them (tfjs-node ships one),
 *   that one is used instead.
 * - Human keeps its models in module-level singletons, and `detect` is not re-entrant, so every handle shares
 *   one Human instance, calls are serialised, and the weights are released when the last handle is disposed.
 * - Frames are zero-padded on the right/bottom to a square before detection (BlazeFace takes a square input;
 *   stretching 16:9 frames lowers its confidence, and Human's own `square` option misplaces landmarks).
 *   Padding on those sides leaves frame coordinates unchanged.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { initTensorflow, tf, type TensorflowBackendName } from '../runtime/tensorflow.ts';
import { UnmaskError } from '../util/errors.ts';
import type { RgbFrame } from '../video/frame.ts';
import type { FaceKeypoints, Point } from './align.ts';
import { boundingBox, clampBox, type FaceBox } from './box.ts';
import { keypointsFromMesh, MESH_POINT_COUNT } from './mesh-keypoints.ts';

export interface FaceDetectorConfig {
  /** Most faces reported per frame. Default 15. */
  maxFaces: number;
  /** Minimum detector score and minimum mesh score (Human applies one threshold to both), in (0, 1). Default 0.4. */
  minConfidence: number;
  /** Non-max-suppression IoU threshold between detector boxes. Default 0.1. */
  iouThreshold: number;
  /** Rotate tilted faces upright before the mesh model (handles rolled heads). Default true. */
  rotation: boolean;
  /** Run the iris model too: eye keypoints become iris centres; about 1.5× slower. Default false. */
  iris: boolean;
  /** Zero-pad frames to a square before detection (see header). Default true. */
  padToSquare: boolean;
  /** Folder with blazeface/facemesh/iris .json + .bin. Default: the models shipped in @vladmandic/human. */
  modelsDir: string;
}

export interface FaceRotation {
  /** Radians, as computed by Human from the mesh. */
  yaw: number;
  pitch: number;
  roll: number;
}

export interface DetectedFace {
  /** Bounding box of the 468 mesh points, clipped to the frame, in frame pixels. */
  box: FaceBox;
  /** Face-detector (BlazeFace) confidence, 0..1 (Human rounds it to 2 decimals). */
  score: number;
  /** FaceMesh confidence that the crop holds a face, 0..1 (2 decimals). */
  meshScore: number;
  /** The 468 FaceMesh points in frame pixels (Human truncates them to whole pixels). */
  landmarks: Array<[number, number]>;
  /** Alignment keypoints derived from the mesh; see mesh-keypoints.ts for the indices. */
  keypoints: FaceKeypoints;
  /** Head pose from the mesh, when Human could compute it. */
  rotation?: FaceRotation;
}

export interface FaceModelFile {
  name: 'blazeface' | 'facemesh' | 'iris';
  file: string;
  bytes: number;
  /** sha256 of the weights (.bin), hex. */
  sha256: string;
}

export interface FaceDetectorInfo {
  library: '@vladmandic/human';
  libraryVersion: string;
  tfjsVersion: string;
  backend: TensorflowBackendName;
  models: FaceModelFile[];
  config: Readonly<FaceDetectorConfig>;
}

export interface FaceDetectorModel {
  /** Faces in one frame, highest detector score first. */
  predict(frame: RgbFrame): Promise<DetectedFace[]>;
  /** Releases this handle; the weights are freed once every handle is disposed. Idempotent. */
  dispose(): void;
  readonly info: FaceDetectorInfo;
}

const require = createRequire(import.meta.url);
const HUMAN_DIR = dirname(dirname(require.resolve('@vladmandic/human')));

export const DEFAULT_FACE_DETECTOR_CONFIG: Readonly<FaceDetectorConfig> = {
  maxFaces: 15,
  minConfidence: 0.4,
  iouThreshold: 0.1,
  rotation: true,
  iris: false,
  padToSquare: true,
  modelsDir: join(HUMAN_DIR, 'models'),
};

// Minimal local view of Human's API (its own typings pull in DOM types).
type HumanMeshPoint = [number, number, number?];
interface HumanFace {
  boxScore: number;
  faceScore: number;
  mesh: HumanMeshPoint[];
  rotation?: { angle: { roll: number; yaw: number; pitch: number } } | null;
}
interface HumanResult {
  face: HumanFace[];
  error?: string | null;
}
interface HumanGraphModel {
  dispose(): void;
}
interface HumanInstance {
  readonly version: string;
  load(config?: object): Promise<void>;
  detect(input: unknown, config?: object): Promise<HumanResult>;
  models: { models: Record<string, HumanGraphModel | null>; loaded(): string[] };
}
interface HumanModule {
  Human: new (config?: object) => HumanInstance;
  env: { initial: boolean };
}

interface SharedRuntime {
  human: HumanInstance;
  module: HumanModule;
  modelsDir: string;
  handles: number;
}

let shared: SharedRuntime | undefined;
let queueTail: Promise<void> = Promise.resolve();
let queued = 0;

/** Runs Human operations one at a time, across all handles. */
function serial<T>(fn: () => Promise<T>): Promise<T> {
  queued++;
  const run = queueTail.then(async () => {
    try {
      return await fn();
    } finally {
      queued--;
    }
  });
  queueTail = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

const routedBases = new Set<string>();
let routerRegistered = false;

function readModelArtifacts(url: string): Promise<tf.io.ModelArtifacts> {
  const path = fileURLToPath(url);
  const json = JSON.parse(readFileSync(path, 'utf8')) as tf.io.ModelJSON;
  return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const buffers = manifest.flatMap((group) => group.paths.map((p) => readFileSync(join(dirname(path), p))));
    const all = Buffer.concat(buffers);
    const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
    return [manifest.flatMap((group) => group.weights), weightData];
  });
}

/** Lets tfjs load `file://` model URLs under `baseUrl` from disk, unless a handler already exists. */
function ensureFileLoader(baseUrl: string): void {
  if (routedBases.has(baseUrl)) return;
  if (tf.io.getLoadHandlers(`${baseUrl}blazeface.json`).length > 0) return; // e.g. tfjs-node's file:// router
  routedBases.add(baseUrl);
  if (routerRegistered) return;
  routerRegistered = true;
  tf.io.registerLoadRouter((url) => {
    const u = Array.isArray(url) ? url[0] : url;
    const ours = typeof u === 'string' && [...routedBases].some((b) => u.startsWith(b));
    // Routers answer null for URLs they do not handle (tfjs's IORouter type omits that).
    return ours ? { load: () => readModelArtifacts(u) } : (null as unknown as tf.io.IOHandler);
  });
}

function modelFiles(config: FaceDetectorConfig): FaceModelFile[] {
  const names: FaceModelFile['name'][] = config.iris
    ? ['blazeface', 'facemesh', 'iris']
    : ['blazeface', 'facemesh'];
  return names.map((name) => {
    const jsonPath = join(config.modelsDir, `${name}.json`);
    const binPath = join(config.modelsDir, `${name}.bin`);
    for (const p of [jsonPath, binPath]) {
      if (!existsSync(p) || !statSync(p).isFile()) {
        throw new UnmaskError('modelLoadFailed', `Face model file missing: ${p}`);
      }
    }
    const weights = readFileSync(binPath);
    return {
      name,
      file: jsonPath,
      bytes: weights.byteLength + statSync(jsonPath).size,
      sha256: createHash('sha256').update(weights).digest('hex'),
    };
  });
}

function humanConfig(
  config: FaceDetectorConfig,
  backend: TensorflowBackendName,
  modelBaseUrl: string,
): object {
  const off = { enabled: false };
  return {
    backend,
    modelBasePath: modelBaseUrl,
    wasmPath: `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`,
    wasmPlatformFetch: false,
    debug: false,
    async: false,
    warmup: 'none',
    cacheModels: false,
    validateModels: false,
    cacheSensitivity: 0,
    filter: off,
    gesture: off,
    face: {
      enabled: true,
      detector: {
        modelPath: 'blazeface.json',
        rotation: config.rotation,
        maxDetected: config.maxFaces,
        minConfidence: config.minConfidence,
        iouThreshold: config.iouThreshold,
        skipFrames: 0,
        skipTime: 0,
        minSize: 0,
        square: false,
        mask: false,
        return: false,
      },
      mesh: { enabled: true, modelPath: 'facemesh.json', keepInvalid: false },
      iris: { enabled: config.iris, modelPath: 'iris.json' },
      attention: off,
      emotion: off,
      description: off,
      antispoof: off,
      liveness: off,
      gear: off,
      ssrnet: off,
      mobilefacenet: off,
      insightface: off,
    },
    body: off,
    hand: off,
    object: off,
    segmentation: off,
  };
}

function releaseModels(runtime: SharedRuntime): void {
  for (const [name, model] of Object.entries(runtime.human.models.models)) {
    model?.dispose();
    runtime.human.models.models[name] = null;
  }
}

/** [1, side, side, 3] float32 (0..255) with the frame at the top left; built in JS (tf.pad on int32 is slow in wasm). */
function frameTensor(frame: RgbFrame, padToSquare: boolean): tf.Tensor4D {
  const { width, height, data } = frame;
  if (!padToSquare || width === height)
    return tf.tensor4d(new Float32Array(data), [1, height, width, 3], 'float32');
  const side = Math.max(width, height);
  const values = new Float32Array(side * side * 3);
  const row = width * 3;
  for (let y = 0; y < height; y++) values.set(data.subarray(y * row, (y + 1) * row), y * side * 3);
  return tf.tensor4d(values, [1, side, side, 3], 'float32');
}

function toDetectedFace(face: HumanFace, frame: RgbFrame): DetectedFace | undefined {
  if (face.mesh.length < MESH_POINT_COUNT) return undefined;
  const landmarks = face.mesh.slice(0, MESH_POINT_COUNT).map((p): [number, number] => [p[0], p[1]]);
  const full = face.mesh.map((p): Point => [p[0], p[1]]);
  const rawBox = boundingBox(landmarks)!;
  const cx = rawBox.x + rawBox.width / 2;
  const cy = rawBox.y + rawBox.height / 2;
  if (cx < 0 || cy < 0 || cx >= frame.width || cy >= frame.height) return undefined; // inside the padding
  const angle = face.rotation?.angle;
  return {
    box: clampBox(rawBox, frame.width, frame.height),
    score: face.boxScore,
    meshScore: face.faceScore,
    landmarks,
    keypoints: keypointsFromMesh(full),
    ...(angle ? { rotation: { yaw: angle.yaw, pitch: angle.pitch, roll: angle.roll } } : {}),
  };
}

function validateFrame(frame: RgbFrame): void {
  const { width, height, data } = frame;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width <= 0 || height <= 0) {
    throw new RangeError(`frame size must be positive integers, got ${width}×${height}`);
  }
  if (!(data instanceof Uint8Array) || data.length !== width * height * 3) {
    throw new RangeError(`frame data must be a Uint8Array of ${width * height * 3} bytes (width*height*3)`);
  }
}

async function acquireRuntime(
  config: FaceDetectorConfig,
  backend: TensorflowBackendName,
  baseUrl: string,
): Promise<SharedRuntime> {
  if (shared && shared.modelsDir !== config.modelsDir) {
    throw new UnmaskError(
      'modelLoadFailed',
      `Face models are already loaded from ${shared.modelsDir}; dispose those detectors before using ${config.modelsDir}`,
    );
  }
  if (!shared) {
    const module = require(join(HUMAN_DIR, 'dist', 'human.node-wasm.js')) as HumanModule;
    // Human keeps models in module-level variables and only drops them (to reload) while `env.initial` is set.
    module.env.initial = true;
    shared = {
      human: new module.Human(humanConfig(config, backend, baseUrl)),
      module,
      modelsDir: config.modelsDir,
      handles: 0,
    };
  }
  const runtime = shared;
  await runtime.human.load(humanConfig(config, backend, baseUrl));
  const loaded = runtime.human.models.loaded();
  const wanted = config.iris ? ['blazeface', 'facemesh', 'iris'] : ['blazeface', 'facemesh'];
  const missing = wanted.filter((name) => !loaded.includes(name));
  if (missing.length > 0) {
    if (runtime.handles === 0) {
      releaseModels(runtime);
      shared = undefined;
    }
    throw new UnmaskError(
      'modelLoadFailed',
      `Face models failed to load from ${config.modelsDir}: ${missing.join(', ')}`,
    );
  }
  runtime.handles++;
  return runtime;
}

/** Loads BlazeFace + FaceMesh (+ Iris) and returns a detector bound to the current TensorFlow.js backend. */
export async function loadFaceDetector(
  overrides: Partial<FaceDetectorConfig> = {},
): Promise<FaceDetectorModel> {
  const config: FaceDetectorConfig = { ...DEFAULT_FACE_DETECTOR_CONFIG, ...overrides };
  config.modelsDir = resolve(config.modelsDir);
  if (!(Number.isInteger(config.maxFaces) && config.maxFaces >= 1))
    throw new RangeError('maxFaces must be an integer >= 1');
  // Human reads a threshold of 0 as "unset" and then rejects every face, so 0 is not allowed.
  if (!(config.minConfidence > 0 && config.minConfidence < 1))
    throw new RangeError('minConfidence must be in (0, 1)');
  if (!(config.iouThreshold > 0 && config.iouThreshold <= 1))
    throw new RangeError('iouThreshold must be in (0, 1]');

  let backend: TensorflowBackendName;
  try {
    backend = (await initTensorflow()).backend;
  } catch (error) {
    throw new UnmaskError('runtimeMissing', `TensorFlow.js could not start: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const models = modelFiles(config);
  const baseUrl = pathToFileURL(`${config.modelsDir}/`).href;
  ensureFileLoader(baseUrl);

  let runtime: SharedRuntime;
  try {
    runtime = await serial(() => acquireRuntime(config, backend, baseUrl));
  } catch (error) {
    if (error instanceof UnmaskError) throw error;
    throw new UnmaskError('modelLoadFailed', `Face models failed to load: ${(error as Error).message}`, {
      cause: error,
    });
  }

  const detectConfig = humanConfig(config, backend, baseUrl);
  let disposed = false;
  const info: FaceDetectorInfo = {
    library: '@vladmandic/human',
    libraryVersion: runtime.human.version,
    tfjsVersion: tf.version.tfjs,
    backend,
    models,
    config: Object.freeze({ ...config }),
  };

  return {
    info,
    predict(frame: RgbFrame): Promise<DetectedFace[]> {
      if (disposed) return Promise.reject(new Error('face detector has been disposed'));
      try {
        validateFrame(frame);
      } catch (error) {
        return Promise.reject(error as Error);
      }
      return serial(async () => {
        const input = frameTensor(frame, config.padToSquare);
        try {
          const result = await runtime.human.detect(input, detectConfig);
          if (result.error) throw new Error(`face detection failed: ${result.error}`);
          return result.face
            .map((face) => toDetectedFace(face, frame))
            .filter((face): face is DetectedFace => face !== undefined)
            .sort((a, b) => b.score - a.score || a.box.x - b.box.x || a.box.y - b.box.y);
        } finally {
          input.dispose();
        }
      });
    },
    dispose(): void {
      if (disposed) return;
      disposed = true;
      runtime.handles--;
      if (runtime.handles > 0) return;
      if (shared === runtime) shared = undefined;
      // Free at once when idle, otherwise after the calls already queued.
      if (queued === 0) releaseModels(runtime);
      else void serial(async () => releaseModels(runtime));
    },
  };
}
