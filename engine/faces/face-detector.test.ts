import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { resolveTool } from '../runtime/ffmpeg.ts';
import { initTensorflow, tf } from '../runtime/tensorflow.ts';
import { isUnmaskError } from '../util/errors.ts';
import type { RgbFrame } from '../video/frame.ts';
import { alignFace, alignmentTemplate, applySimilarity } from './align.ts';
import { loadFaceDetector, type DetectedFace, type FaceDetectorModel } from './face-detector.ts';

const HOPPER = 'test/fixtures/grace_hopper_512x512.jpg';
const ASTRONAUT = 'test/fixtures/astronaut.png';
/** Tensors Human keeps in module variables once loaded (6 constants, BlazeFace anchors and input size). */
const HUMAN_RESIDUAL_TENSORS = 8;

/** Decodes an image to packed RGB with ffmpeg, scaled and padded by the given filter. */
function decode(path: string, width: number, height: number, filter = `scale=${width}:${height}`): RgbFrame {
  const ffmpeg = resolveTool('ffmpeg').path;
  const args = [
    '-v',
    'error',
    '-i',
    path,
    '-vf',
    filter,
    '-frames:v',
    '1',
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
    '-',
  ];
  const result = spawnSync(ffmpeg, args, { maxBuffer: 64 << 20 });
  assert.equal(result.status, 0, String(result.stderr));
  const data = new Uint8Array(result.stdout);
  assert.equal(data.length, width * height * 3);
  return { width, height, data };
}

function sideBySide(left: RgbFrame, right: RgbFrame): RgbFrame {
  assert.equal(left.height, right.height);
  const width = left.width + right.width;
  const data = new Uint8Array(width * left.height * 3);
  for (let y = 0; y < left.height; y++) {
    data.set(left.data.subarray(y * left.width * 3, (y + 1) * left.width * 3), y * width * 3);
    data.set(
      right.data.subarray(y * right.width * 3, (y + 1) * right.width * 3),
      (y * width + left.width) * 3,
    );
  }
  return { width, height: left.height, data };
}

function rotate90(frame: RgbFrame): RgbFrame {
  const { width, height } = frame;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const to = (x * height + (height - 1 - y)) * 3;
      data.set(frame.data.subarray((y * width + x) * 3, (y * width + x) * 3 + 3), to);
    }
  }
  return { width: height, height: width, data };
}

function assertPlausibleFace(face: DetectedFace, frame: RgbFrame): void {
  const { box, keypoints, landmarks } = face;
  assert.ok(box.x >= 0 && box.y >= 0, `box ${JSON.stringify(box)} starts inside`);
  assert.ok(box.x + box.width <= frame.width && box.y + box.height <= frame.height, 'box ends inside');
  assert.ok(box.width > 40 && box.height > 40, `box ${JSON.stringify(box)} is face-sized`);
  assert.ok(face.score >= 0.4 && face.score <= 1, `score ${face.score}`);
  assert.ok(face.meshScore >= 0.4 && face.meshScore <= 1, `meshScore ${face.meshScore}`);
  assert.equal(landmarks.length, 468);
  for (const [x, y] of landmarks) assert.ok(Number.isFinite(x) && Number.isFinite(y));
  const { leftEye, rightEye, noseTip, mouthLeft, mouthRight } = keypoints;
  // Upright face: eyes in the upper half of the box, left eye left of the right eye, mouth below the nose.
  for (const eye of [leftEye, rightEye]) {
    assert.ok(
      eye[1] > box.y && eye[1] < box.y + box.height / 2,
      `eye ${eye} in the upper half of ${JSON.stringify(box)}`,
    );
    assert.ok(eye[0] > box.x && eye[0] < box.x + box.width);
  }
  assert.ok(leftEye[0] < noseTip[0] && noseTip[0] < rightEye[0], 'nose between the eyes');
  assert.ok(mouthLeft[0] < mouthRight[0], 'mouth corners ordered');
  assert.ok(
    noseTip[1] > leftEye[1] && mouthLeft[1] > noseTip[1] && mouthRight[1] > noseTip[1],
    'eyes, nose, mouth top to bottom',
  );
  assert.ok(Math.abs(face.rotation!.roll) < 0.3 && Math.abs(face.rotation!.yaw) < 0.5);
}

let detector: FaceDetectorModel;
let baselineTensors = 0;
let hopper: RgbFrame;
let astronaut: RgbFrame;

before(async () => {
  await initTensorflow();
  baselineTensors = tf.memory().numTensors;
  hopper = decode(HOPPER, 512, 512);
  astronaut = decode(ASTRONAUT, 512, 512);
  detector = await loadFaceDetector();
});

after(() => detector?.dispose());

test('info names the models, versions and backend', () => {
  const { info } = detector;
  assert.equal(info.library, '@vladmandic/human');
  assert.equal(info.libraryVersion, '3.3.6');
  assert.equal(info.backend, tf.getBackend());
  assert.deepEqual(
    info.models.map((m) => m.name),
    ['blazeface', 'facemesh'],
  );
  for (const m of info.models) assert.match(m.sha256, /^[0-9a-f]{64}$/);
});

test('finds exactly one face in Grace Hopper, around her face', async () => {
  const faces = await detector.predict(hopper);
  assert.equal(faces.length, 1);
  const face = faces[0]!;
  assertPlausibleFace(face, hopper);
  // Her eyes are near (225, 175) and (300, 170) in this 512×512 portrait.
  const { leftEye, rightEye } = face.keypoints;
  assert.ok(Math.abs(leftEye[0] - 220) < 25 && Math.abs(leftEye[1] - 175) < 25, `left eye ${leftEye}`);
  assert.ok(Math.abs(rightEye[0] - 305) < 25 && Math.abs(rightEye[1] - 170) < 25, `right eye ${rightEye}`);
});

test('finds exactly one face in the astronaut photo', async () => {
  const faces = await detector.predict(astronaut);
  assert.equal(faces.length, 1);
  assertPlausibleFace(faces[0]!, astronaut);
  const { box } = faces[0]!;
  assert.ok(
    box.x > 120 && box.x + box.width < 320 && box.y > 20 && box.y + box.height < 240,
    JSON.stringify(box),
  );
});

test('two images side by side give two faces, one in each half', async () => {
  const frame = sideBySide(hopper, astronaut);
  const faces = await detector.predict(frame);
  assert.equal(faces.length, 2);
  const [left, right] = [...faces].sort((a, b) => a.box.x - b.box.x);
  assert.ok(left!.box.x + left!.box.width <= 512 && right!.box.x >= 512);
  for (const face of faces) assertPlausibleFace(face, frame);

  const single = await loadFaceDetector({ maxFaces: 1 });
  try {
    assert.equal((await single.predict(frame)).length, 1, 'maxFaces is per detector');
    assert.equal((await detector.predict(frame)).length, 2);
  } finally {
    single.dispose();
  }
  assert.equal((await detector.predict(frame)).length, 2, 'still works after another handle is disposed');
});

test('blank and noise frames give no faces', async () => {
  const blank: RgbFrame = { width: 640, height: 360, data: new Uint8Array(640 * 360 * 3).fill(128) };
  const noise: RgbFrame = { width: 640, height: 360, data: new Uint8Array(640 * 360 * 3) };
  let s = 12345;
  for (let i = 0; i < noise.data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    noise.data[i] = s >>> 24;
  }
  assert.deepEqual(await detector.predict(blank), []);
  assert.deepEqual(await detector.predict(noise), []);
});

test('a rolled face (rotated 90°) is found with its roll', async () => {
  const faces = await detector.predict(rotate90(hopper));
  assert.equal(faces.length, 1);
  const { keypoints, rotation } = faces[0]!;
  assert.ok(Math.abs(Math.abs(rotation!.roll) - Math.PI / 2) < 0.3, `roll ${rotation!.roll}`);
  // Rotated clockwise: the image-left eye of the upright face is now above the other one.
  assert.ok(Math.abs(keypoints.leftEye[0] - keypoints.rightEye[0]) < 30);
});

test('a 16:9 frame: face found, coordinates in frame pixels; speed', async (t) => {
  // Grace Hopper scaled to 360 px and placed 140 px from the left of a black 640×360 frame.
  const frame = decode(HOPPER, 640, 360, 'scale=360:360,pad=640:360:140:0');
  const faces = await detector.predict(frame);
  assert.equal(faces.length, 1);
  assertPlausibleFace(faces[0]!, frame);
  const full = (await detector.predict(hopper))[0]!;
  const expected = [140 + (full.keypoints.leftEye[0] * 360) / 512, (full.keypoints.leftEye[1] * 360) / 512];
  const got = faces[0]!.keypoints.leftEye;
  assert.ok(Math.hypot(got[0] - expected[0]!, got[1] - expected[1]!) < 8, `left eye ${got} vs ${expected}`);

  const runs = 8;
  const start = performance.now();
  for (let i = 0; i < runs; i++) await detector.predict(frame);
  const ms = (performance.now() - start) / runs;
  t.diagnostic(`detection + mesh, 640×360, backend ${tf.getBackend()}: ${ms.toFixed(1)} ms/frame`);
  assert.ok(ms < 2000);
});

test('aligned crop of Grace Hopper puts her eyes on the template', async () => {
  const face = (await detector.predict(hopper))[0]!;
  const size = 256;
  const options = { margin: 0.3 };
  const { crop, transform } = alignFace(hopper, face.keypoints, size, options);
  const template = alignmentTemplate(size, options);
  // Least-squares fit residual on the keypoints is small...
  const mapped = applySimilarity(transform, face.keypoints.leftEye);
  assert.ok(Math.hypot(mapped[0] - template[0]![0], mapped[1] - template[0]![1]) < 6);
  // ...and detecting again on the crop finds the eyes where the template put them.
  const again = await detector.predict(crop);
  assert.equal(again.length, 1);
  const { leftEye, rightEye } = again[0]!.keypoints;
  assert.ok(
    Math.hypot(leftEye[0] - template[0]![0], leftEye[1] - template[0]![1]) < 8,
    `left eye ${leftEye} vs ${template[0]}`,
  );
  assert.ok(
    Math.hypot(rightEye[0] - template[1]![0], rightEye[1] - template[1]![1]) < 8,
    `right eye ${rightEye} vs ${template[1]}`,
  );
});

test('bad frames are rejected', async () => {
  await assert.rejects(detector.predict({ width: 10, height: 10, data: new Uint8Array(5) }), RangeError);
  await assert.rejects(detector.predict({ width: 0, height: 10, data: new Uint8Array(0) }), RangeError);
});

test('a missing models folder is a modelLoadFailed error', async () => {
  await assert.rejects(loadFaceDetector({ modelsDir: '/nonexistent/models' }), (error) => {
    assert.ok(isUnmaskError(error));
    assert.equal(error.code, 'modelLoadFailed');
    return true;
  });
});

test('no tensors leak per frame; dispose frees the weights; a reload works', async () => {
  await detector.predict(hopper);
  const loaded = tf.memory().numTensors;
  for (const frame of [hopper, astronaut, sideBySide(hopper, astronaut)]) await detector.predict(frame);
  assert.equal(tf.memory().numTensors, loaded, 'predict leaks no tensors');
  assert.ok(loaded - baselineTensors > 100, 'weights were counted');

  detector.dispose();
  detector.dispose(); // idempotent
  await assert.rejects(detector.predict(hopper));
  const afterDispose = tf.memory().numTensors;
  assert.ok(
    afterDispose - baselineTensors <= HUMAN_RESIDUAL_TENSORS,
    `${afterDispose - baselineTensors} tensors left`,
  );

  const reloaded = await loadFaceDetector();
  assert.equal((await reloaded.predict(hopper)).length, 1);
  reloaded.dispose();
  const afterSecond = tf.memory().numTensors;
  assert.ok(
    afterSecond - afterDispose <= HUMAN_RESIDUAL_TENSORS,
    `${afterSecond - afterDispose} more tensors left`,
  );
  detector = reloaded; // `after` disposes it again, harmlessly
});
