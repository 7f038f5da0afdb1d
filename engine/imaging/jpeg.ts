/** JPEG round trip at a given quality, to simulate re-compression. Uses jpeg-js (pure JavaScript). */
import jpeg from 'jpeg-js';
import { floatFromRgb, rgbFromFloat, type FloatImage } from './float-image.ts';

export function jpegRoundTrip(image: FloatImage, quality: number): FloatImage {
  const rgb = rgbFromFloat(image);
  const rgba = Buffer.alloc(rgb.width * rgb.height * 4);
  for (let i = 0, j = 0; i < rgb.data.length; i += 3, j += 4) {
    rgba[j] = rgb.data[i]!;
    rgba[j + 1] = rgb.data[i + 1]!;
    rgba[j + 2] = rgb.data[i + 2]!;
    rgba[j + 3] = 255;
  }
  const encoded = jpeg.encode({ width: rgb.width, height: rgb.height, data: rgba }, Math.round(quality));
  const decoded = jpeg.decode(encoded.data, { useTArray: true, formatAsRGBA: false });
  return floatFromRgb({ width: decoded.width, height: decoded.height, data: decoded.data });
}
