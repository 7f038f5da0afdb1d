/** Stage contract shared by decoding, faces and the detector: one decoded frame, packed RGB, uint8, HxWx3. */
export interface RgbFrame {
  width: number;
  height: number;
  /** width * height * 3 bytes, row-major, R G B. */
  data: Uint8Array;
}

/** A sampled frame of a video with its exact presentation time. */
export interface DecodedFrame extends RgbFrame {
  /** 0-based index among the sampled frames. */
  sampleIndex: number;
  /** Presentation time in seconds from the start of the stream. */
  timeSec: number;
}
