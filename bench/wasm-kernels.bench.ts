/**
 * Benchmarks the wasm training kernels of engine/runtime/wasm-kernels on the layers of a 64×64 conv
 * autoencoder at batch 16:
 *   - Conv2DBackpropInput: stock tfjs-backend-wasm kernel vs ours;
 *   - Conv2DBackpropFilter: the cpu backend's kernel (wasm has none) vs ours;
 *   - on the swap template's layers at batch 8, XNNPACK against our SIMD loops (engine/runtime/wasm-kernels/
 *     simd-kernels.ts): Conv2DBackpropFilter (one XNNPACK conv with x and dy transposed), the forward conv with a
 *     bias and a new filter each call (stock FusedConv2D), and Conv2DBackpropInput (XNNPACK convs by phase);
 *   - Conv2DBackpropInput of strided convs: all phases in one merged conv vs one conv per phase (on the swap
 *     encoder's 5×5 stride-2 layers at batch 8, and the image layer, where the plan keeps the merged conv);
 *   - reductions and per-channel binary ops (batch norm, biases) on a detector-sized activation: stock vs ours,
 *     and the gradients of Sum and Mean: tfjs-core's (dy times a ones tensor filled in JavaScript) vs ours;
 *   - one full Adam train step of the autoencoder on wasm (and on cpu, for scale);
 *   - the depthwise conv gradients (DepthwiseConv2dNativeBackpropInput and -Filter) on MobileNetV2's layers at
 *     batch 16: the cpu backend's kernels (wasm has none) and our forward-op fallback vs our SIMD loops.
 * Run: npx tsx bench/wasm-kernels.bench.ts [depthwise]   (`depthwise`: only the depthwise rows)
 */
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { loadLine } from './stats.ts';
import { displacedWasmKernel, registerWasmTrainingKernels } from '../engine/runtime/wasm-kernels/register.ts';
import {
  meanGradConfig,
  sumGradConfig,
  tfjsCoreReduceGradConfig,
  type ReduceKernel,
} from '../engine/runtime/gradients/reduce-grad.ts';
import { registerFastGradients } from '../engine/runtime/gradients/fused-batch-norm-grad.ts';
import {
  backpropInputPhases,
  conv2dBackpropFilterViaConv,
  conv2dBackpropInputViaConv,
  conv2dGradInfo,
} from '../engine/runtime/wasm-kernels/conv2d-backprop.ts';
import {
  depthwiseBackpropFilterViaSlices,
  depthwiseBackpropInputViaConv,
} from '../engine/runtime/wasm-kernels/depthwise-backprop.ts';

export interface BenchRow {
  name: string;
  baseline: string;
  baselineMs: number;
  oursMs: number;
  /** baselineMs / oursMs */
  speedup: number;
}

type Shape4D = [number, number, number, number];

interface Layer {
  name: string;
  x: Shape4D;
  filter: Shape4D;
  strides: number;
}

const BATCH = 16;
/** The cpu baselines take seconds per call: one run each keeps the whole benchmark near a minute. */
const CPU_RUNS = 1;
/**
 * The encoder's layers plus a stride-1 and a 5×5 one. A conv2dTranspose layer runs these same kernels with the
 * roles swapped (its forward pass is Conv2DBackpropInput), so the decoder mirroring enc1/enc2 adds no new shapes.
 */
const LAYERS: Layer[] = [
  { name: 'enc1 64²×3→16 3×3 s2', x: [BATCH, 64, 64, 3], filter: [3, 3, 3, 16], strides: 2 },
  { name: 'enc2 32²×16→32 3×3 s2', x: [BATCH, 32, 32, 16], filter: [3, 3, 16, 32], strides: 2 },
  { name: 'enc3 16²×32→64 3×3 s2', x: [BATCH, 16, 16, 32], filter: [3, 3, 32, 64], strides: 2 },
  { name: 'res 32²×16→16 3×3 s1', x: [BATCH, 32, 32, 16], filter: [3, 3, 16, 16], strides: 1 },
  { name: 'wide 64²×3→16 5×5 s2', x: [BATCH, 64, 64, 3], filter: [5, 5, 3, 16], strides: 2 },
];

/** The swap template's encoder convs (5×5, stride 2) at batch 8, for the input gradient's phase plans. */
const PHASE_LAYERS: Layer[] = [
  { name: 'swap enc0 64²×3→32 5×5 s2', x: [8, 64, 64, 3], filter: [5, 5, 3, 32], strides: 2 },
  { name: 'swap enc1 32²×32→64 5×5 s2', x: [8, 32, 32, 32], filter: [5, 5, 32, 64], strides: 2 },
  { name: 'swap enc2 16²×64→128 5×5 s2', x: [8, 16, 16, 64], filter: [5, 5, 64, 128], strides: 2 },
  { name: 'swap enc3 8²×128→256 5×5 s2', x: [8, 8, 8, 128], filter: [5, 5, 128, 256], strides: 2 },
];

/** The weight gradients of the swap template: its encoder above, then its decoder's 3×3 convs, at batch 8. */
const FILTER_GRAD_LAYERS: Layer[] = [
  ...PHASE_LAYERS,
  { name: 'swap dec 4²×128→512 3×3 s1', x: [8, 4, 4, 128], filter: [3, 3, 128, 512], strides: 1 },
  { name: 'swap dec 8²×128→256 3×3 s1', x: [8, 8, 8, 128], filter: [3, 3, 128, 256], strides: 1 },
  { name: 'swap dec 16²×64→128 3×3 s1', x: [8, 16, 16, 64], filter: [3, 3, 64, 128], strides: 1 },
  { name: 'swap dec 32²×32→64 3×3 s1', x: [8, 32, 32, 32], filter: [3, 3, 32, 64], strides: 1 },
];

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall time of one call of fn (which returns the tensors it made; they are read back, then disposed). */
function once(fn: () => tf.Tensor | tf.Tensor[]): number {
  const t0 = performance.now();
  const out = fn();
  for (const t of Array.isArray(out) ? out : [out]) t.dataSync();
  const dt = performance.now() - t0;
  tf.dispose(out);
  return dt;
}

/** Median wall time of fn over `runs` calls, after `warmup` untimed ones. */
function timeMs(fn: () => tf.Tensor | tf.Tensor[], runs: number, warmup = 1): number {
  for (let i = 0; i < warmup; i++) once(fn);
  return median(Array.from({ length: runs }, () => once(fn)));
}

/**
 * Medians of a and b timed alternately, so that load from other processes on the machine hits both alike.
 * Each call of `a` runs inside `wrapA` (e.g. with the stock kernel swapped in).
 */
function timeInterleaved(
  a: () => tf.Tensor,
  b: () => tf.Tensor,
  runs: number,
  wrapA: (f: () => number) => number,
): [number, number] {
  wrapA(() => once(a));
  once(b);
  const ta: number[] = [];
  const tb: number[] = [];
  for (let i = 0; i < runs; i++) {
    ta.push(wrapA(() => once(a)));
    tb.push(once(b));
  }
  return [median(ta), median(tb)];
}

function randomTensor(shape: number[]): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', 7);
}

function kernelInputs(layer: Layer): { x: tf.Tensor; filter: tf.Tensor; dy: tf.Tensor } {
  const info = tf.backend_util.computeConv2DInfo(layer.x, layer.filter, layer.strides, 1, 'same');
  return { x: randomTensor(layer.x), filter: randomTensor(layer.filter), dy: randomTensor(info.outShape) };
}

function attrs(layer: Layer): Record<string, unknown> {
  return { strides: layer.strides, pad: 'same', dataFormat: 'NHWC' };
}

function backpropInput(layer: Layer, t: { dy: tf.Tensor; filter: tf.Tensor }): tf.Tensor {
  return tf
    .engine()
    .runKernel(
      'Conv2DBackpropInput',
      { dy: t.dy, filter: t.filter },
      { ...attrs(layer), inputShape: layer.x },
    ) as tf.Tensor;
}

function backpropFilter(layer: Layer, t: { x: tf.Tensor; dy: tf.Tensor }): tf.Tensor {
  return tf
    .engine()
    .runKernel(
      'Conv2DBackpropFilter',
      { x: t.x, dy: t.dy },
      { ...attrs(layer), filterShape: layer.filter },
    ) as tf.Tensor;
}

/** A wrapper that runs fn with the stock wasm kernel `kernelName` registered in place of ours. */
function withStock(kernelName: string): <T>(fn: () => T) => T {
  return <T>(fn: () => T): T => {
    const stock = displacedWasmKernel(kernelName);
    const ours = tf.getKernel(kernelName, 'wasm');
    if (!stock || !ours) throw new Error(`registerWasmTrainingKernels did not replace ${kernelName}`);
    stock.setupFunc?.(tf.backend()); // its setup (cwrap) did not run if it was displaced before wasm started
    tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel(stock);
    try {
      return fn();
    } finally {
      tf.unregisterKernel(kernelName, 'wasm');
      tf.registerKernel(ours);
    }
  };
}

const withStockBackpropInput = withStock('Conv2DBackpropInput');

/** One Adam step of a 64×64×3 conv autoencoder: conv s2 ×2 down, conv2dTranspose s2 ×2 up. */
function makeTrainStep(): { step: () => tf.Tensor; dispose: () => void } {
  const images = tf.randomUniform([BATCH, 64, 64, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const v = (shape: Shape4D): tf.Variable<tf.Rank.R4> =>
    tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 0.1, 'float32', 5)));
  const w1 = v([3, 3, 3, 16]);
  const w2 = v([3, 3, 16, 32]);
  const w3 = v([3, 3, 16, 32]);
  const w4 = v([3, 3, 3, 16]);
  const optimizer = tf.train.adam(1e-3);
  const loss = (): tf.Scalar => {
    const h1 = tf.relu(tf.conv2d(images, w1, 2, 'same'));
    const h2 = tf.relu(tf.conv2d(h1, w2, 2, 'same'));
    const h3 = tf.relu(tf.conv2dTranspose(h2, w3, [BATCH, 32, 32, 16], 2, 'same'));
    const out = tf.sigmoid(tf.conv2dTranspose(h3, w4, [BATCH, 64, 64, 3], 2, 'same'));
    return tf.losses.meanSquaredError(images, out);
  };
  return {
    step: () => optimizer.minimize(loss, true)!,
    dispose: () => {
      tf.dispose([images, w1, w2, w3, w4]);
      optimizer.dispose();
    },
  };
}

function trainStepMs(runs: number, warmup: number): number {
  const t = makeTrainStep();
  try {
    return timeMs(t.step, runs, warmup);
  } finally {
    t.dispose();
  }
}

/**
 * The detector's batch-norm and bias work at its first stage (batch 32, 48²×24): reductions over the axes before
 * the last and binary ops with a per-channel vector, stock kernel against our one-pass loops.
 */
function elementwiseRows(): BenchRow[] {
  const x = randomTensor([32, 48, 48, 24]);
  const channels = tf.randomUniform([24], 0.5, 1.5, 'float32', 8);
  const cases: [string, string, () => tf.Tensor][] = [
    ['Sum', 'Sum over N,H,W (a bias gradient)', () => tf.sum(x, [0, 1, 2])],
    ['Mean', 'Mean over N,H,W (batch-norm moments)', () => tf.mean(x, [0, 1, 2], true)],
    ['Mean', 'Mean over H,W (global average pool)', () => tf.mean(x, [1, 2])],
    ['Multiply', 'Multiply by a [C] vector', () => tf.mul(x, channels)],
    ['Sub', 'Sub a [C] vector', () => tf.sub(x, channels)],
  ];
  const rows = cases.map(([kernel, what, op]): BenchRow => {
    const [baselineMs, oursMs] = timeInterleaved(op, op, 15, withStock(kernel));
    return { name: `${what}: 32×48²×24`, baseline: 'stock wasm', baselineMs, oursMs, speedup: 0 };
  });
  const gradientCases: [ReduceKernel, string, (v: tf.Tensor) => tf.Tensor][] = [
    [tf.Mean, 'gradient of the Mean over N,H,W (a batch-norm moment)', (v) => tf.mean(v, [0, 1, 2])],
    [tf.Mean, 'gradient of the Mean over H,W (global average pool)', (v) => tf.mean(v, [1, 2])],
    [tf.Sum, 'gradient of the Sum over everything (a loss)', (v) => tf.sum(v)],
  ];
  for (const [kernel, what, reduce] of gradientCases) {
    const gradient = () => tf.grad((v: tf.Tensor) => tf.sum(reduce(v)))(x);
    const [baselineMs, oursMs] = timeInterleaved(gradient, gradient, 15, withCoreGradient(kernel));
    rows.push({ name: `${what}: 32×48²×24`, baseline: 'tfjs-core dy·ones', baselineMs, oursMs, speedup: 0 });
  }
  tf.dispose([x, channels]);
  return rows;
}

/** A wrapper that runs fn with tfjs-core's gradient of `kernelName` registered in place of ours. */
function withCoreGradient(kernelName: ReduceKernel): <T>(fn: () => T) => T {
  return (fn) => {
    const warn = console.warn;
    console.warn = () => undefined; // tfjs warns on every gradient override
    try {
      tf.registerGradient(tfjsCoreReduceGradConfig(kernelName));
      try {
        return fn();
      } finally {
        tf.registerGradient(kernelName === tf.Mean ? meanGradConfig : sumGradConfig);
      }
    } finally {
      console.warn = warn;
    }
  };
}

/** MobileNetV2's depthwise layers: 3×3, 'same', stride 1 or 2. */
const DEPTHWISE_LAYERS: Omit<Layer, 'filter'>[] = [
  { name: 'MobileNetV2 32²×144 3×3 s1', x: [BATCH, 32, 32, 144], strides: 1 },
  { name: 'MobileNetV2 16²×192 3×3 s2', x: [BATCH, 16, 16, 192], strides: 2 },
  { name: 'MobileNetV2 8²×576 3×3 s1', x: [BATCH, 8, 8, 576], strides: 1 },
];
/**
 * The cpu backend's depthwise filter gradient (TensorBuffer.get per element) took 3–5 s on the first layer, and
 * up to ten times that with another job on the machine: three runs each, none untimed.
 */
const DEPTHWISE_CPU_RUNS = 3;

/**
 * Median time of the kernel call alone over `runs` calls after `warmup` untimed ones: both backends compute
 * synchronously inside runKernel, and reading a wasm output back (an input-sized copy out of the heap) would cost
 * more than our input gradient itself.
 */
function kernelMs(fn: () => tf.Tensor, runs: number, warmup = 1): number {
  const time = (): number => {
    const t0 = performance.now();
    const out = fn();
    const dt = performance.now() - t0;
    out.dispose();
    return dt;
  };
  for (let i = 0; i < warmup; i++) time();
  return median(Array.from({ length: runs }, time));
}

/** Uniform values in [-1, 1). */
function randomValues(shape: number[]): Float32Array {
  return Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => Math.random() * 2 - 1);
}

/**
 * The two depthwise gradients on each layer, by the cpu backend, by forward ops on wasm, and by our SIMD loops;
 * each row's name gives the layer's forward pass on wasm (XNNPACK, same filter each call) for scale.
 */
async function depthwiseRows(): Promise<BenchRow[]> {
  registerWasmTrainingKernels();
  const rows: BenchRow[] = [];
  for (const layer of DEPTHWISE_LAYERS) {
    const filterShape: Shape4D = [3, 3, layer.x[3], 1];
    const params = { strides: layer.strides, pad: 'same' } as const;
    const info = tf.backend_util.computeConv2DInfo(
      layer.x,
      filterShape,
      params.strides,
      1,
      params.pad,
      'floor',
      true,
    );
    const data = {
      x: randomValues(layer.x),
      filter: randomValues(filterShape),
      dy: randomValues(info.outShape),
    };
    const inputAttrs = { ...params, dilations: 1, inputShape: layer.x };
    const filterAttrs = { ...params, dilations: 1, filterShape };
    /** On the current backend: the inputs, and each gradient by the registered kernel. */
    const setUp = () => {
      const x = tf.tensor4d(data.x, layer.x);
      const filter = tf.tensor4d(data.filter, filterShape);
      const dy = tf.tensor4d(data.dy, info.outShape);
      const engine = tf.engine();
      return {
        x,
        filter,
        dy,
        dx: () =>
          engine.runKernel(tf.DepthwiseConv2dNativeBackpropInput, { dy, filter }, inputAttrs) as tf.Tensor,
        dw: () =>
          engine.runKernel(tf.DepthwiseConv2dNativeBackpropFilter, { x, dy }, filterAttrs) as tf.Tensor,
      };
    };

    await tf.setBackend('wasm');
    const w = setUp();
    const oursDx = kernelMs(w.dx, 9);
    const oursDw = kernelMs(w.dw, 9);
    const opsDx = kernelMs(() => depthwiseBackpropInputViaConv(w.dy, w.filter, layer.x, params), 9);
    const opsDw = kernelMs(() => depthwiseBackpropFilterViaSlices(w.x, w.dy, filterShape, params), 9);
    const forward = kernelMs(() => tf.depthwiseConv2d(w.x, w.filter, params.strides, params.pad), 9);
    tf.dispose([w.x, w.filter, w.dy]);
    await tf.setBackend('cpu');
    const c = setUp();
    const cpuDx = kernelMs(c.dx, DEPTHWISE_CPU_RUNS, 0);
    const cpuDw = kernelMs(c.dw, DEPTHWISE_CPU_RUNS, 0);
    tf.dispose([c.x, c.filter, c.dy]);

    const macs = tf.util.sizeFromShape(info.outShape) * 9;
    const row = (what: string, baseline: string, baselineMs: number, oursMs: number): BenchRow => ({
      name: `${what} ${layer.name} (ours ${(macs / oursMs / 1e6).toFixed(1)} GMAC/s; fwd ${forward.toFixed(1)} ms)`,
      baseline,
      baselineMs,
      oursMs,
      speedup: 0,
    });
    rows.push(
      row('depthwise dx', 'cpu backend', cpuDx, oursDx),
      row('depthwise dW', 'cpu backend', cpuDw, oursDw),
      row('depthwise dx', 'wasm forward ops', opsDx, oursDx),
      row('depthwise dW', 'wasm forward ops', opsDw, oursDw),
    );
  }
  await tf.setBackend('wasm');
  return rows;
}

export async function benchWasmKernels(): Promise<BenchRow[]> {
  registerWasmTrainingKernels();
  registerFastGradients();
  const rows: BenchRow[] = [];
  for (const layer of LAYERS) {
    await tf.setBackend('wasm');
    const t = kernelInputs(layer);
    const conv = (): tf.Tensor =>
      tf.conv2d(t.x as tf.Tensor4D, t.filter as tf.Tensor4D, layer.strides, 'same');
    const forward = timeMs(conv, 7);
    const dx = (): tf.Tensor => backpropInput(layer, t);
    const [stockDx, oursDx] = timeInterleaved(dx, dx, 9, withStockBackpropInput);
    const oursDw = timeMs(() => backpropFilter(layer, t), 9);
    const data = { x: t.x.dataSync(), filter: t.filter.dataSync(), dy: t.dy.dataSync() };
    const shapes = { x: t.x.shape, filter: t.filter.shape, dy: t.dy.shape };
    tf.dispose([t.x, t.filter, t.dy]);

    await tf.setBackend('cpu');
    const c = {
      x: tf.tensor(data.x, shapes.x),
      filter: tf.tensor(data.filter, shapes.filter),
      dy: tf.tensor(data.dy, shapes.dy),
    };
    const cpuDw = timeMs(() => backpropFilter(layer, c), CPU_RUNS, 0);
    tf.dispose([c.x, c.filter, c.dy]);

    const name = `${layer.name} (wasm conv2d fwd ${forward.toFixed(1)} ms)`;
    rows.push({
      name: `dx ${name}`,
      baseline: 'stock wasm',
      baselineMs: stockDx,
      oursMs: oursDx,
      speedup: 0,
    });
    rows.push({ name: `dW ${name}`, baseline: 'cpu backend', baselineMs: cpuDw, oursMs: oursDw, speedup: 0 });
  }

  await tf.setBackend('wasm');
  for (const layer of PHASE_LAYERS) {
    const t = kernelInputs(layer);
    const params = { strides: layer.strides, pad: 'same' } as const;
    const dx = (phases: 'merged' | 'exact') => (): tf.Tensor =>
      conv2dBackpropInputViaConv(t.dy as tf.Tensor4D, t.filter as tf.Tensor4D, layer.x, params, phases);
    const [merged, exact] = timeInterleaved(dx('merged'), dx('exact'), 9, (f) => f());
    const plan = backpropInputPhases(conv2dGradInfo(layer.x, layer.filter, params));
    rows.push({
      name: `dx per phase: ${layer.name} (plan: ${plan})`,
      baseline: 'merged',
      baselineMs: merged,
      oursMs: exact,
      speedup: 0,
    });
    tf.dispose([t.x, t.filter, t.dy]);
  }
  for (const layer of FILTER_GRAD_LAYERS) {
    const t = kernelInputs(layer);
    const push = (kernel: string, baseline: string, [baselineMs, oursMs]: [number, number]): void => {
      rows.push({ name: `${kernel} simd: ${layer.name}`, baseline, baselineMs, oursMs, speedup: 0 });
    };
    const params = { strides: layer.strides, pad: 'same' } as const;
    const viaConv = (): tf.Tensor =>
      conv2dBackpropFilterViaConv(t.x as tf.Tensor4D, t.dy as tf.Tensor4D, layer.filter, params);
    push(
      'dW',
      'xnnpack conv',
      timeInterleaved(
        viaConv,
        () => backpropFilter(layer, t),
        9,
        (f) => f(),
      ),
    );
    // The forward conv with a bias (a new filter each call, as in training) and the input gradient.
    const bias = tf.zeros([layer.filter[3]]);
    const forward = (): tf.Tensor => {
      const filter = tf.add(t.filter, 0) as tf.Tensor4D; // a new buffer, as after an optimizer step
      const y = tf.fused.conv2d({ x: t.x as tf.Tensor4D, filter, ...params, bias });
      filter.dispose();
      return y;
    };
    push('conv', 'xnnpack', timeInterleaved(forward, forward, 9, withStock(tf.FusedConv2D)));
    const dxPhases = (): tf.Tensor =>
      conv2dBackpropInputViaConv(t.dy as tf.Tensor4D, t.filter as tf.Tensor4D, layer.x, params);
    const dx = (): tf.Tensor => backpropInput(layer, t);
    push('dx', 'xnnpack by phase', timeInterleaved(dxPhases, dx, 9, withStock(tf.Conv2D)));
    bias.dispose();
    tf.dispose([t.x, t.filter, t.dy]);
  }
  rows.push(...elementwiseRows());
  const wasmStep = trainStepMs(7, 2);
  await tf.setBackend('cpu');
  const cpuStep = trainStepMs(CPU_RUNS, 0);
  await tf.setBackend('wasm');
  rows.push({
    name: `train step, 64×64×3 autoencoder, batch ${BATCH}`,
    baseline: 'cpu backend',
    baselineMs: cpuStep,
    oursMs: wasmStep,
    speedup: 0,
  });
  rows.push(...(await depthwiseRows()));
  return withSpeedups(rows);
}

function withSpeedups(rows: BenchRow[]): BenchRow[] {
  for (const row of rows) row.speedup = row.baselineMs / row.oursMs;
  return rows;
}

function printRows(rows: BenchRow[]): void {
  const w = Math.max(...rows.map((r) => r.name.length));
  const b = Math.max(...rows.map((r) => r.baseline.length));
  console.log(`${'kernel / layer'.padEnd(w)}  ${'baseline'.padEnd(b)}  baseline ms    ours ms   speed-up`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(w)}  ${r.baseline.padEnd(b)}  ${r.baselineMs.toFixed(1).padStart(11)}  ` +
        `${r.oursMs.toFixed(1).padStart(9)}  ${r.speedup.toFixed(1).padStart(8)}×`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const onlyDepthwise = process.argv.includes('depthwise');
  console.log(loadLine('before'));
  const rows = onlyDepthwise ? withSpeedups(await depthwiseRows()) : await benchWasmKernels();
  const depthwiseNote = `depthwise rows: the kernel call alone, no read-back; cpu median of ${DEPTHWISE_CPU_RUNS}`;
  console.log(
    `tfjs ${tf.version.tfjs}, batch ${BATCH}; wasm (SIMD, one thread): median of 7–9 runs; ` +
      (onlyDepthwise ? depthwiseNote : `cpu: ${CPU_RUNS} run (${depthwiseNote})`),
  );
  printRows(rows);
  console.log(loadLine('after'));
}
