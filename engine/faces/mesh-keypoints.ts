/**
 * Five alignment keypoints from the 468-point MediaPipe FaceMesh topology (the canonical face mesh used by
 * @vladmandic/human's facemesh model). Names are as seen in the image: "left" is the smaller x in an upright
 * face, i.e. the subject's right side. Indices (MediaPipe canonical_face_model_uv_visualization):
 *   leftEye    = mean of 33 (outer corner), 133 (inner corner), 159 (upper lid), 145 (lower lid)
 *   rightEye   = mean of 263 (outer corner), 362 (inner corner), 386 (upper lid), 374 (lower lid)
 *   noseTip    = 1
 *   mouthLeft  = 61, mouthRight = 291 (mouth corners)
 * With the iris model, Human appends 10 points (468–477); their two centres (468, 473) replace the eye means,
 * each assigned to the eye it lies nearest.
 */
import type { FaceKeypoints, Point } from './align.ts';

export const MESH_POINT_COUNT = 468;

export const MESH_KEYPOINT_INDICES = {
  leftEye: [33, 133, 159, 145],
  rightEye: [263, 362, 386, 374],
  noseTip: [1],
  mouthLeft: [61],
  mouthRight: [291],
} as const satisfies Record<keyof FaceKeypoints, readonly number[]>;

/** Iris centres in Human's 478-point mesh (iris model on). */
export const IRIS_CENTER_INDICES = [468, 473] as const;

function mean(mesh: readonly Point[], indices: readonly number[]): [number, number] {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    const p = mesh[i];
    if (!p) throw new RangeError(`mesh has no point ${i}`);
    x += p[0];
    y += p[1];
  }
  return [x / indices.length, y / indices.length];
}

function dist2(a: Point, b: Point): number {
  return (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2;
}

/** Keypoints from a 468-point mesh (or 478 with iris, whose centres then refine the eyes). */
export function keypointsFromMesh(mesh: readonly Point[]): FaceKeypoints {
  if (mesh.length < MESH_POINT_COUNT) {
    throw new RangeError(`expected at least ${MESH_POINT_COUNT} mesh points, got ${mesh.length}`);
  }
  let leftEye = mean(mesh, MESH_KEYPOINT_INDICES.leftEye);
  let rightEye = mean(mesh, MESH_KEYPOINT_INDICES.rightEye);
  const [ia, ib] = IRIS_CENTER_INDICES;
  const irisA = mesh[ia];
  const irisB = mesh[ib];
  if (irisA && irisB) {
    const straight = dist2(irisA, leftEye) + dist2(irisB, rightEye);
    const swapped = dist2(irisB, leftEye) + dist2(irisA, rightEye);
    [leftEye, rightEye] = straight <= swapped ? [[...irisA], [...irisB]] : [[...irisB], [...irisA]];
  }
  return {
    leftEye,
    rightEye,
    noseTip: mean(mesh, MESH_KEYPOINT_INDICES.noseTip),
    mouthLeft: mean(mesh, MESH_KEYPOINT_INDICES.mouthLeft),
    mouthRight: mean(mesh, MESH_KEYPOINT_INDICES.mouthRight),
  };
}
