/**
 * A face bank: aligned real face crops with their landmark hulls and the group (source video or photo) each
 * came from, so training can split by identity. Stored as one file: a JSON header line, then raw uint8 crops.
 */
import { readFile } from 'node:fs/promises';
import { floatFromRgb, resizeImage, type FloatImage, type Resampling } from '../imaging/float-image.ts';
import type { Point } from '../imaging/polygon.ts';
import { writeFileAtomic } from '../util/files.ts';

export type FaceLabel = 'real' | 'fake';
export type DatasetSplit = 'train' | 'val' | 'test';

export interface FaceBankEntry {
  /** Landmark convex hull in crop pixel coordinates. */
  hull: Point[];
  /** Source identity group, e.g. the video file name; faces of one group never straddle train/validation. */
  group: string;
  /** Where the face came from, e.g. "clip.mp4@3.40s#0". */
  source: string;
  /** Labelled datasets only (labelled-faces.ts); banks of real footage leave these out. */
  label?: FaceLabel;
  /** The real source a real crop and its fakes share. */
  pair?: string;
  split?: DatasetSplit;
}

export interface FaceBank {
  size: number;
  /** Alignment margin the crops were made with (see AlignmentOptions.margin); detection must crop alike. */
  margin: number;
  /** How the crops were resampled from their frames; detection must resample alike. */
  resampling: Resampling;
  entries: FaceBankEntry[];
  /** entries.length × size × size × 3 bytes, RGB. */
  crops: Uint8Array;
}

const MAGIC = 'unmask.face-bank/1';

export function faceCrop(bank: FaceBank, index: number): FloatImage {
  const bytes = bank.size * bank.size * 3;
  return floatFromRgb({
    width: bank.size,
    height: bank.size,
    data: bank.crops.subarray(index * bytes, (index + 1) * bytes),
  });
}

/** A bank crop at `size`×`size`, resized the way the bank's crops were made (as `detectorCrop` does). */
export function faceCropAt(bank: FaceBank, index: number, size: number): FloatImage {
  const crop = faceCrop(bank, index);
  return crop.width === size ? crop : resizeImage(crop, size, size, bank.resampling);
}

/** `faceCropAt` with the face's landmark hull scaled to the same `size`. */
export function faceWithHullAt(
  bank: FaceBank,
  index: number,
  size: number,
): { face: FloatImage; hull: Point[] } {
  const scale = size / bank.size;
  return {
    face: faceCropAt(bank, index, size),
    hull: bank.entries[index]!.hull.map(([x, y]): Point => [x * scale, y * scale]),
  };
}

export async function saveFaceBank(bank: FaceBank, path: string): Promise<void> {
  const header = Buffer.from(
    `${JSON.stringify({ magic: MAGIC, size: bank.size, margin: bank.margin, resampling: bank.resampling, entries: bank.entries })}\n`,
  );
  await writeFileAtomic(path, Buffer.concat([header, bank.crops]));
}

export async function loadFaceBank(path: string): Promise<FaceBank> {
  const bytes = await readFile(path);
  const newline = bytes.indexOf(10);
  const header = JSON.parse(bytes.subarray(0, newline).toString('utf8')) as {
    magic: string;
    size: number;
    margin?: number;
    resampling?: Resampling;
    entries: FaceBankEntry[];
  };
  if (header.magic !== MAGIC) throw new Error(`${path} is not a face bank`);
  const crops = new Uint8Array(bytes.buffer, bytes.byteOffset + newline + 1, bytes.length - newline - 1);
  if (crops.length !== header.entries.length * header.size * header.size * 3)
    throw new Error(`${path} is truncated`);
  return {
    size: header.size,
    margin: header.margin ?? 0.15,
    resampling: header.resampling ?? 'bilinear',
    entries: header.entries,
    crops: new Uint8Array(crops),
  };
}

export function mergeFaceBanks(banks: readonly FaceBank[]): FaceBank {
  if (banks.length === 0) throw new Error('no face banks to merge');
  const size = banks[0]!.size;
  if (banks.some((b) => b.size !== size)) throw new Error('face banks have different crop sizes');
  const crops = new Uint8Array(banks.reduce((n, b) => n + b.crops.length, 0));
  let offset = 0;
  for (const bank of banks) {
    crops.set(bank.crops, offset);
    offset += bank.crops.length;
  }
  if (banks.some((b) => b.margin !== banks[0]!.margin))
    throw new Error('face banks have different alignment margins');
  if (banks.some((b) => b.resampling !== banks[0]!.resampling))
    throw new Error('face banks were resampled differently');
  const { margin, resampling } = banks[0]!;
  return { size, margin, resampling, entries: banks.flatMap((b) => b.entries), crops };
}
