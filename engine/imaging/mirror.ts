/** Horizontal mirror of a float image (any channel count). Pure. */
import { createFloatImage, type FloatImage } from './float-image.ts';

export function mirrorImage(image: FloatImage): FloatImage {
  const out = createFloatImage(image.width, image.height, image.channels);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      for (let c = 0; c < image.channels; c++) {
        out.data[(y * image.width + x) * image.channels + c] =
          image.data[(y * image.width + (image.width - 1 - x)) * image.channels + c]!;
      }
    }
  }
  return out;
}
