// AssemblyScript, not TypeScript: compiled to ./conv2d.wasm by `npm run build:kernels`
// (scripts/build-wasm-kernels.ts). The module imports the tfjs wasm backend's own memory, so it reads and writes
// tensors where they lie; it has no data segment and allocates nothing.
//
// Loop nests on 128-bit SIMD (../simd-kernels.ts calls them; bench/wasm-kernels.bench.ts times them):
//   - conv2dFilterGrad, the weight gradient, which tfjs-backend-wasm 4.22 lacks. As one XNNPACK conv (x and dy
//     transposed, dy as the filter, repacked on every call) it ran at 2.5–6 GMAC/s on the swap model's layers.
//   - conv2dGather, a direct conv that gathers each output pixel's taps (the forward conv, and the input
//     gradient as a conv over dy). XNNPACK's conv ran the swap model's layers at 4–8 GMAC/s with a new filter
//     each call, as in training, where every step changes the weights and XNNPACK packs them again.
//   - depthwiseFilterGrad and depthwiseInputGrad, the two gradients of a depthwise conv (channel multiplier 1),
//     which tfjs-backend-wasm 4.22 lacks: per-channel loops with the vectors along the channels.

// c + a·b on four lanes. (f32x4.relaxed_madd would fuse it, but it needs a V8 flag in Node 20, and the loop below
// is bound by its loads as much as by the arithmetic.)
@inline function madd(a: v128, b: v128, c: v128): v128 {
  return f32x4.add(c, f32x4.mul(a, b));
}

// The tiles accumulate dw[ic .. ic+R, oc .. oc+4V] of one tap over `images` × `rows` runs of `count` pixels: each
// pixel broadcasts R input channels of x and multiplies them with 4V output channels of dy. `out` points at
// dw[ic, oc], `outRow` is one input channel's stride in dw (outC floats). All steps are in bytes.

@inline function tile4x8(
  xRow: usize, xRowStep: usize, xPix: usize, dyRow: usize, dyRowStep: usize, dyPix: usize,
  rows: i32, count: i32, images: i32, xImg: usize, dyImg: usize, out: usize, outRow: usize,
): void {
  let a00 = v128.load(out), a01 = v128.load(out, 16);
  let a10 = v128.load(out + outRow), a11 = v128.load(out + outRow, 16);
  let a20 = v128.load(out + 2 * outRow), a21 = v128.load(out + 2 * outRow, 16);
  let a30 = v128.load(out + 3 * outRow), a31 = v128.load(out + 3 * outRow, 16);
  for (let n = 0; n < images; n++) {
    let xr = xRow + n * xImg, dr = dyRow + n * dyImg;
    for (let r = 0; r < rows; r++) {
      let xp = xr, dp = dr;
      for (let i = 0; i < count; i++) {
        const b0 = v128.load(dp), b1 = v128.load(dp, 16);
        let s = v128.load32_splat(xp);
        a00 = madd(s, b0, a00); a01 = madd(s, b1, a01);
        s = v128.load32_splat(xp, 4);
        a10 = madd(s, b0, a10); a11 = madd(s, b1, a11);
        s = v128.load32_splat(xp, 8);
        a20 = madd(s, b0, a20); a21 = madd(s, b1, a21);
        s = v128.load32_splat(xp, 12);
        a30 = madd(s, b0, a30); a31 = madd(s, b1, a31);
        xp += xPix; dp += dyPix;
      }
      xr += xRowStep; dr += dyRowStep;
    }
  }
  v128.store(out, a00); v128.store(out, a01, 16);
  v128.store(out + outRow, a10); v128.store(out + outRow, a11, 16);
  v128.store(out + 2 * outRow, a20); v128.store(out + 2 * outRow, a21, 16);
  v128.store(out + 3 * outRow, a30); v128.store(out + 3 * outRow, a31, 16);
}

@inline function tile4x4(
  xRow: usize, xRowStep: usize, xPix: usize, dyRow: usize, dyRowStep: usize, dyPix: usize,
  rows: i32, count: i32, images: i32, xImg: usize, dyImg: usize, out: usize, outRow: usize,
): void {
  let a0 = v128.load(out), a1 = v128.load(out + outRow);
  let a2 = v128.load(out + 2 * outRow), a3 = v128.load(out + 3 * outRow);
  for (let n = 0; n < images; n++) {
    let xr = xRow + n * xImg, dr = dyRow + n * dyImg;
    for (let r = 0; r < rows; r++) {
      let xp = xr, dp = dr;
      for (let i = 0; i < count; i++) {
        const b = v128.load(dp);
        a0 = madd(v128.load32_splat(xp), b, a0);
        a1 = madd(v128.load32_splat(xp, 4), b, a1);
        a2 = madd(v128.load32_splat(xp, 8), b, a2);
        a3 = madd(v128.load32_splat(xp, 12), b, a3);
        xp += xPix; dp += dyPix;
      }
      xr += xRowStep; dr += dyRowStep;
    }
  }
  v128.store(out, a0); v128.store(out + outRow, a1);
  v128.store(out + 2 * outRow, a2); v128.store(out + 3 * outRow, a3);
}

@inline function tile1x8(
  xRow: usize, xRowStep: usize, xPix: usize, dyRow: usize, dyRowStep: usize, dyPix: usize,
  rows: i32, count: i32, images: i32, xImg: usize, dyImg: usize, out: usize,
): void {
  let a0 = v128.load(out), a1 = v128.load(out, 16);
  for (let n = 0; n < images; n++) {
    let xr = xRow + n * xImg, dr = dyRow + n * dyImg;
    for (let r = 0; r < rows; r++) {
      let xp = xr, dp = dr;
      for (let i = 0; i < count; i++) {
        const s = v128.load32_splat(xp);
        a0 = madd(s, v128.load(dp), a0);
        a1 = madd(s, v128.load(dp, 16), a1);
        xp += xPix; dp += dyPix;
      }
      xr += xRowStep; dr += dyRowStep;
    }
  }
  v128.store(out, a0); v128.store(out, a1, 16);
}

@inline function tile1x4(
  xRow: usize, xRowStep: usize, xPix: usize, dyRow: usize, dyRowStep: usize, dyPix: usize,
  rows: i32, count: i32, images: i32, xImg: usize, dyImg: usize, out: usize,
): void {
  let a0 = v128.load(out);
  for (let n = 0; n < images; n++) {
    let xr = xRow + n * xImg, dr = dyRow + n * dyImg;
    for (let r = 0; r < rows; r++) {
      let xp = xr, dp = dr;
      for (let i = 0; i < count; i++) {
        a0 = madd(v128.load32_splat(xp), v128.load(dp), a0);
        xp += xPix; dp += dyPix;
      }
      xr += xRowStep; dr += dyRowStep;
    }
  }
  v128.store(out, a0);
}

// The last outC % 4 output channels (1–3; the image and mask heads have 3 and 1), four input channels at a time:
// each pixel loads x[ic .. ic+4] as one vector and broadcasts each remaining channel of dy. `out` points at
// dw[ic, oc]; the sums are added to dw lane by lane at the end.
@inline function tileTail(
  xRow: usize, xRowStep: usize, xPix: usize, dyRow: usize, dyRowStep: usize, dyPix: usize,
  rows: i32, count: i32, images: i32, xImg: usize, dyImg: usize, out: usize, outRow: usize, tail: i32,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0);
  for (let n = 0; n < images; n++) {
    let xr = xRow + n * xImg, dr = dyRow + n * dyImg;
    for (let r = 0; r < rows; r++) {
      let xp = xr, dp = dr;
      if (tail == 3) {
        for (let i = 0; i < count; i++) {
          const v = v128.load(xp);
          a0 = madd(v, v128.load32_splat(dp), a0);
          a1 = madd(v, v128.load32_splat(dp, 4), a1);
          a2 = madd(v, v128.load32_splat(dp, 8), a2);
          xp += xPix; dp += dyPix;
        }
      } else if (tail == 2) {
        for (let i = 0; i < count; i++) {
          const v = v128.load(xp);
          a0 = madd(v, v128.load32_splat(dp), a0);
          a1 = madd(v, v128.load32_splat(dp, 4), a1);
          xp += xPix; dp += dyPix;
        }
      } else {
        for (let i = 0; i < count; i++) {
          a0 = madd(v128.load(xp), v128.load32_splat(dp), a0);
          xp += xPix; dp += dyPix;
        }
      }
      xr += xRowStep; dr += dyRowStep;
    }
  }
  addLanes(out, outRow, a0);
  if (tail > 1) addLanes(out + 4, outRow, a1);
  if (tail > 2) addLanes(out + 8, outRow, a2);
}

// dw[ic + j, oc] += lane j of a, for j = 0..3 (`out` points at dw[ic, oc]).
@inline function addLanes(out: usize, outRow: usize, a: v128): void {
  store<f32>(out, load<f32>(out) + f32x4.extract_lane(a, 0));
  store<f32>(out + outRow, load<f32>(out + outRow) + f32x4.extract_lane(a, 1));
  store<f32>(out + 2 * outRow, load<f32>(out + 2 * outRow) + f32x4.extract_lane(a, 2));
  store<f32>(out + 3 * outRow, load<f32>(out + 3 * outRow) + f32x4.extract_lane(a, 3));
}

@inline function ceilDiv(a: i32, b: i32): i32 {
  return a >= 0 ? (a + b - 1) / b : -(-a / b);
}

@inline function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/**
 * The weight gradient of an NHWC conv2d, overwriting dw [kH, kW, inC, outC]:
 *   dw[kh, kw, ic, oc] = Σ over n, oy, ox of x[n, iy, ix, ic] · dy[n, oy, ox, oc],
 *   iy = oy·sH + kh·dH − padT, ix = ox·sW + kw·dW − padL; taps that fall outside x add nothing.
 * outC or inC must be a multiple of 4. x, dy and dw are byte offsets into the memory.
 *
 * Output rows are taken in bands of `bandRows` (in every image of the batch) so that a band of x and dy stays in
 * cache while every tap and channel tile passes over it; a tile keeps its sums in registers across the band.
 */
export function conv2dFilterGrad(
  x: usize, dy: usize, dw: usize,
  batch: i32, inH: i32, inW: i32, inC: i32,
  outH: i32, outW: i32, outC: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, dH: i32, dW: i32, padT: i32, padL: i32,
  bandRows: i32,
): void {
  memory.fill(dw, 0, <usize>(kH * kW * inC * outC) << 2);
  const xPix = <usize>(sW * inC) << 2;
  const dyPix = <usize>outC << 2;
  const xRowStep = <usize>(sH * inW * inC) << 2;
  const dyRowStep = <usize>(outW * outC) << 2;
  const xImg = <usize>(inH * inW * inC) << 2;
  const dyImg = <usize>(outH * outW * outC) << 2;
  const outRow = <usize>outC << 2;
  for (let oy0 = 0; oy0 < outH; oy0 += bandRows) {
    const oy1 = min(outH, oy0 + bandRows);
    for (let kh = 0; kh < kH; kh++) {
      const oyLo = max(oy0, ceilDiv(padT - kh * dH, sH));
      const oyHi = min(oy1, floorDiv(inH - 1 + padT - kh * dH, sH) + 1);
      if (oyHi <= oyLo) continue;
      const rows = oyHi - oyLo;
      const iy = oyLo * sH + kh * dH - padT;
      for (let kw = 0; kw < kW; kw++) {
        const oxLo = max(0, ceilDiv(padL - kw * dW, sW));
        const oxHi = min(outW, floorDiv(inW - 1 + padL - kw * dW, sW) + 1);
        if (oxHi <= oxLo) continue;
        const count = oxHi - oxLo;
        const ix = oxLo * sW + kw * dW - padL;
        const xBase = x + (<usize>((iy * inW + ix) * inC) << 2);
        const dyBase = dy + (<usize>((oyLo * outW + oxLo) * outC) << 2);
        const tap = dw + (<usize>((kh * kW + kw) * inC * outC) << 2);
        let ic = 0;
        for (; ic + 4 <= inC; ic += 4) {
          const xr = xBase + (<usize>ic << 2);
          const out = tap + (<usize>(ic * outC) << 2);
          let oc = 0;
          for (; oc + 8 <= outC; oc += 8) {
            const o = <usize>oc << 2;
            tile4x8(xr, xRowStep, xPix, dyBase + o, dyRowStep, dyPix, rows, count, batch, xImg, dyImg, out + o, outRow);
          }
          if (oc + 4 <= outC) {
            const o = <usize>oc << 2;
            tile4x4(xr, xRowStep, xPix, dyBase + o, dyRowStep, dyPix, rows, count, batch, xImg, dyImg, out + o, outRow);
            oc += 4;
          }
          if (oc < outC) {
            const o = <usize>oc << 2;
            tileTail(xr, xRowStep, xPix, dyBase + o, dyRowStep, dyPix, rows, count, batch, xImg, dyImg, out + o, outRow, outC - oc);
          }
        }
        for (; ic < inC; ic++) {
          const xr = xBase + (<usize>ic << 2);
          const out = tap + (<usize>(ic * outC) << 2);
          let oc = 0;
          for (; oc + 8 <= outC; oc += 8) {
            const o = <usize>oc << 2;
            tile1x8(xr, xRowStep, xPix, dyBase + o, dyRowStep, dyPix, rows, count, batch, xImg, dyImg, out + o);
          }
          if (oc < outC) {
            const o = <usize>oc << 2;
            tile1x4(xr, xRowStep, xPix, dyBase + o, dyRowStep, dyPix, rows, count, batch, xImg, dyImg, out + o);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// conv2dGather: out[n, oy, ox, c] = bias[c] + Σ over taps (kh, kw) and k of src[n, sy, sx, k] · w[kh, kw, k, c],
// where a tap reads source pixel (sy, sx) = ((oy·mulH + kh·kmulH + offH) / divH, (ox·mulW + kw·kmulW + offW) / divW)
// when both divisions are exact and the pixel lies inside src; other taps add nothing.
//   forward conv:      mul = stride, kmul = dilation, off = −pad, div = 1 (src = x, w = the filter);
//   input gradient:    mul = 1, kmul = −1, off = pad, div = stride (src = dy, w = the filter with its two channel
//                      axes swapped).
// Output pixels are tiled 4 at a time along a row, `pixStep` apart: the input gradient of a stride-s conv takes
// s phases of every s-th pixel, so that a tile's pixels share which taps are exact and no tap multiplies a zero.
// pixStep · mulW must be a multiple of divW.

// The address of the source pixel at column sx of one row, or `zero` (k zeros) for a dummy pixel past the end of
// the output row (x ≥ outW) or a column outside src.
@inline function sourcePixel(row: usize, zero: usize, x: i32, outW: i32, sx: i32, srcW: i32, pixelBytes: usize): usize {
  return x < outW && sx >= 0 && sx < srcW ? row + <usize>sx * pixelBytes : zero;
}

@inline function storePixel8(at: usize, lo: v128, hi: v128, relu: bool): void {
  if (relu) {
    const z = f32x4.splat(0);
    lo = f32x4.max(lo, z);
    hi = f32x4.max(hi, z);
  }
  v128.store(at, lo);
  v128.store(at, hi, 16);
}

@inline function storePixel4(at: usize, v: v128, relu: bool): void {
  v128.store(at, relu ? f32x4.max(v, f32x4.splat(0)) : v);
}

/**
 * See the comment above: a direct conv that gathers its taps. w is packed in blocks of 8 output channels,
 * [ceil(outC / 8), kH, kW, k, 8] (the last block zero-padded), so that a block's weights are one contiguous run;
 * bias is outC floats or 0 for none; `zero` points at k zeros. outC must be a multiple of 4. Addresses are byte
 * offsets into the memory.
 */
export function conv2dGather(
  src: usize, w: usize, bias: usize, out: usize, zero: usize,
  batch: i32, srcH: i32, srcW: i32, k: i32,
  outH: i32, outW: i32, outC: i32, kH: i32, kW: i32,
  mulH: i32, kmulH: i32, offH: i32, divH: i32,
  mulW: i32, kmulW: i32, offW: i32, divW: i32,
  pixStep: i32, relu: bool,
): void {
  const pixelBytes = <usize>k << 2;
  const wRow: usize = 32; // from w[b, .., k, 0] to w[b, .., k + 1, 0]
  const wTap = <usize>k * wRow;
  const wBlock = <usize>(kH * kW) * wTap;
  const outPixel = <usize>outC << 2;
  const outStep = outPixel * <usize>pixStep;
  // Output pixels pixStep apart read source columns sxStep apart (pixStep · mulW is a multiple of divW in both uses:
  // forward pixStep 1, div 1; input gradient pixStep = div = stride, mul 1).
  const sxStep = pixStep * mulW / divW;
  // The channel block is the outer loop, so that its block of w (taps × k × 8 floats) stays in L1 while every
  // output pixel passes. (Taking images a few at a time, so that src stays in L2 while the blocks pass, measured
  // no faster, alone or with a second process beside it.)
  for (let c = 0; c < outC; c += 8) {
    const wide = c + 8 <= outC;
    const cBytes = <usize>c << 2;
    let b0 = f32x4.splat(0), b1 = f32x4.splat(0);
    if (bias != 0) {
      b0 = v128.load(bias + cBytes);
      if (wide) b1 = v128.load(bias + cBytes, 16);
    }
    for (let n = 0; n < batch; n++) {
      const image = src + (<usize>(n * srcH * srcW) * pixelBytes);
      for (let oy = 0; oy < outH; oy++) {
        const outRow = out + (<usize>((n * outH + oy) * outW) * outPixel) + cBytes;
        for (let phase = 0; phase < pixStep; phase++) {
          for (let ox = phase; ox < outW; ox += 4 * pixStep) {
            let a00 = b0, a01 = b1, a10 = b0, a11 = b1, a20 = b0, a21 = b1, a30 = b0, a31 = b1;
            for (let kh = 0; kh < kH; kh++) {
              const yNum = oy * mulH + kh * kmulH + offH;
              if (yNum < 0 || yNum % divH != 0) continue; // (i32.rem_s: −3 % 2 is −1, so negatives test right too)
              const sy = yNum / divH;
              if (sy >= srcH) continue;
              const row = image + <usize>(sy * srcW) * pixelBytes;
              for (let kw = 0; kw < kW; kw++) {
                // The tile's pixels share a stride phase, so one test of exactness serves all four, and their
                // source columns are sxStep apart.
                const xNum = ox * mulW + kw * kmulW + offW;
                if (xNum % divW != 0) continue;
                const sx = xNum / divW;
                let p0 = sourcePixel(row, zero, ox, outW, sx, srcW, pixelBytes);
                let p1 = sourcePixel(row, zero, ox + pixStep, outW, sx + sxStep, srcW, pixelBytes);
                let p2 = sourcePixel(row, zero, ox + 2 * pixStep, outW, sx + 2 * sxStep, srcW, pixelBytes);
                let p3 = sourcePixel(row, zero, ox + 3 * pixStep, outW, sx + 3 * sxStep, srcW, pixelBytes);
                if (p0 == zero && p1 == zero && p2 == zero && p3 == zero) continue;
                let wp = w + <usize>(c >> 3) * wBlock + <usize>(kh * kW + kw) * wTap;
                if (wide) {
                  for (let i = 0; i < k; i++) {
                    const w0 = v128.load(wp), w1 = v128.load(wp, 16);
                    let x = v128.load32_splat(p0);
                    a00 = madd(x, w0, a00); a01 = madd(x, w1, a01);
                    x = v128.load32_splat(p1);
                    a10 = madd(x, w0, a10); a11 = madd(x, w1, a11);
                    x = v128.load32_splat(p2);
                    a20 = madd(x, w0, a20); a21 = madd(x, w1, a21);
                    x = v128.load32_splat(p3);
                    a30 = madd(x, w0, a30); a31 = madd(x, w1, a31);
                    p0 += 4; p1 += 4; p2 += 4; p3 += 4; wp += wRow;
                  }
                } else {
                  for (let i = 0; i < k; i++) {
                    const w0 = v128.load(wp);
                    a00 = madd(v128.load32_splat(p0), w0, a00);
                    a10 = madd(v128.load32_splat(p1), w0, a10);
                    a20 = madd(v128.load32_splat(p2), w0, a20);
                    a30 = madd(v128.load32_splat(p3), w0, a30);
                    p0 += 4; p1 += 4; p2 += 4; p3 += 4; wp += wRow;
                  }
                }
              }
            }
            const at = outRow + <usize>ox * outPixel;
            if (wide) {
              storePixel8(at, a00, a01, relu);
              if (ox + pixStep < outW) storePixel8(at + outStep, a10, a11, relu);
              if (ox + 2 * pixStep < outW) storePixel8(at + 2 * outStep, a20, a21, relu);
              if (ox + 3 * pixStep < outW) storePixel8(at + 3 * outStep, a30, a31, relu);
            } else {
              storePixel4(at, a00, relu);
              if (ox + pixStep < outW) storePixel4(at + outStep, a10, relu);
              if (ox + 2 * pixStep < outW) storePixel4(at + 2 * outStep, a20, relu);
              if (ox + 3 * pixStep < outW) storePixel4(at + 3 * outStep, a30, relu);
            }
          }
        }
      }
    }
  }
}

/**
 * Packs a filter for conv2dGather: dst[b, tap, i, j] = w(tap, i, 8b + j), zero where 8b + j ≥ c, with dst
 * [ceil(c / 8), taps, k, 8]. The filter is [taps, k, c] (w(tap, i, ch) = src[tap, i, ch]), or with `swap`
 * [taps, c, k] (w(tap, i, ch) = src[tap, ch, i]: the input gradient's view of a forward filter).
 */
export function packFilter(src: usize, dst: usize, taps: i32, k: i32, c: i32, swap: bool): void {
  const blocks = (c + 7) >> 3;
  const tapBytes = <usize>(k * c) << 2;
  let out = dst;
  for (let b = 0; b < blocks; b++) {
    const ch0 = b << 3;
    const full = ch0 + 8 <= c;
    for (let tap = 0; tap < taps; tap++) {
      const base = src + <usize>tap * tapBytes;
      if (full && !swap) {
        // Eight contiguous channels of each row i: two vectors.
        let from = base + (<usize>ch0 << 2);
        const rowBytes = <usize>c << 2;
        for (let i = 0; i < k; i++) {
          v128.store(out, v128.load(from));
          v128.store(out, v128.load(from, 16), 16);
          from += rowBytes;
          out += 32;
        }
      } else if (full) {
        // Channel ch's k values are contiguous in src: write each as a column of the block.
        for (let j = 0; j < 8; j++) {
          let from = base + (<usize>((ch0 + j) * k) << 2);
          let to = out + (<usize>j << 2);
          for (let i = 0; i < k; i++) {
            store<f32>(to, load<f32>(from));
            from += 4;
            to += 32;
          }
        }
        out += <usize>k * 32;
      } else {
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < 8; j++) {
            const ch = ch0 + j;
            let v: f32 = 0;
            if (ch < c) v = load<f32>(base + (<usize>(swap ? ch * k + i : i * c + ch) << 2));
            store<f32>(out, v);
            out += 4;
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The two gradients of a depthwise conv2d with channel multiplier 1 (dilation 1), which tfjs-backend-wasm 4.22
// lacks. Each channel is its own conv, and NHWC keeps a pixel's channels contiguous, so the vectors run along the
// channels: blocks of 16 (four vectors, four independent sums), then of 4, then one channel at a time.
//   forward:          y[n, oy, ox, c] = Σ over taps of x[n, oy·sH + kh − padT, ox·sW + kw − padL, c] · w[kh, kw, c]
//   filter gradient:  dw[kh, kw, c] = Σ over n, oy, ox of x[n, iy, ix, c] · dy[n, oy, ox, c]  (the same iy, ix)
//   input gradient:   dx[n, iy, ix, c] = Σ over the taps that reach (iy, ix) of dy[n, oy, ox, c] · w[kh, kw, c]
// `pix` is one pixel's bytes (C floats).

// dw[tap, c .. c+16] += Σ over `images` × `rows` × `count` pixels of x · dy. `out` points at dw[tap, c].
@inline function depthwiseTap16(
  xRow: usize, xRowStep: usize, xPix: usize, dyRow: usize, dyRowStep: usize, dyPix: usize,
  rows: i32, count: i32, out: usize,
): void {
  let a0 = v128.load(out), a1 = v128.load(out, 16), a2 = v128.load(out, 32), a3 = v128.load(out, 48);
  for (let r = 0; r < rows; r++) {
    let xp = xRow, dp = dyRow;
    for (let i = 0; i < count; i++) {
      a0 = madd(v128.load(xp), v128.load(dp), a0);
      a1 = madd(v128.load(xp, 16), v128.load(dp, 16), a1);
      a2 = madd(v128.load(xp, 32), v128.load(dp, 32), a2);
      a3 = madd(v128.load(xp, 48), v128.load(dp, 48), a3);
      xp += xPix; dp += dyPix;
    }
    xRow += xRowStep; dyRow += dyRowStep;
  }
  v128.store(out, a0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
}

@inline function depthwiseTap4(
  xRow: usize, xRowStep: usize, xPix: usize, dyRow: usize, dyRowStep: usize, dyPix: usize,
  rows: i32, count: i32, out: usize,
): void {
  let a0 = v128.load(out);
  for (let r = 0; r < rows; r++) {
    let xp = xRow, dp = dyRow;
    for (let i = 0; i < count; i++) {
      a0 = madd(v128.load(xp), v128.load(dp), a0);
      xp += xPix; dp += dyPix;
    }
    xRow += xRowStep; dyRow += dyRowStep;
  }
  v128.store(out, a0);
}

@inline function depthwiseTap1(
  xRow: usize, xRowStep: usize, xPix: usize, dyRow: usize, dyRowStep: usize, dyPix: usize,
  rows: i32, count: i32, out: usize,
): void {
  let a: f32 = load<f32>(out);
  for (let r = 0; r < rows; r++) {
    let xp = xRow, dp = dyRow;
    for (let i = 0; i < count; i++) {
      a += load<f32>(xp) * load<f32>(dp);
      xp += xPix; dp += dyPix;
    }
    xRow += xRowStep; dyRow += dyRowStep;
  }
  store<f32>(out, a);
}

/**
 * The filter gradient of an NHWC depthwise conv2d with channel multiplier 1, overwriting dw [kH, kW, C] (the
 * filter [kH, kW, C, 1]); see the comment above. x [batch, inH, inW, C], dy [batch, outH, outW, C]; any C.
 *
 * Each image is taken in bands of `bandRows` output rows, small enough that a band's x and dy rows for one block of
 * 16 channels (one cache line a pixel) stay in L1 while the kH × kW taps pass over them; a tap's sums stay in
 * registers over the band.
 */
export function depthwiseFilterGrad(
  x: usize, dy: usize, dw: usize,
  batch: i32, inH: i32, inW: i32, C: i32, outH: i32, outW: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32,
  bandRows: i32,
): void {
  memory.fill(dw, 0, <usize>(kH * kW * C) << 2);
  const pix = <usize>C << 2;
  const xPix = <usize>sW * pix;
  const xRowStep = <usize>(sH * inW) * pix;
  const dyRowStep = <usize>outW * pix;
  for (let n = 0; n < batch; n++) {
    const xImg = x + <usize>(n * inH * inW) * pix;
    const dyImg = dy + <usize>(n * outH * outW) * pix;
    for (let oy0 = 0; oy0 < outH; oy0 += bandRows) {
      const oy1 = min(outH, oy0 + bandRows);
      for (let c = 0; c < C; ) {
        const width = C - c >= 16 ? 16 : C - c >= 4 ? 4 : 1;
        const cBytes = <usize>c << 2;
        for (let kh = 0; kh < kH; kh++) {
          const oyLo = max(oy0, ceilDiv(padT - kh, sH));
          const oyHi = min(oy1, floorDiv(inH - 1 + padT - kh, sH) + 1);
          if (oyHi <= oyLo) continue;
          const rows = oyHi - oyLo;
          const iy = oyLo * sH + kh - padT;
          for (let kw = 0; kw < kW; kw++) {
            const oxLo = max(0, ceilDiv(padL - kw, sW));
            const oxHi = min(outW, floorDiv(inW - 1 + padL - kw, sW) + 1);
            if (oxHi <= oxLo) continue;
            const count = oxHi - oxLo;
            const ix = oxLo * sW + kw - padL;
            const xr = xImg + <usize>(iy * inW + ix) * pix + cBytes;
            const dr = dyImg + <usize>(oyLo * outW + oxLo) * pix + cBytes;
            const out = dw + <usize>(kh * kW + kw) * pix + cBytes;
            if (width == 16) depthwiseTap16(xr, xRowStep, xPix, dr, dyRowStep, pix, rows, count, out);
            else if (width == 4) depthwiseTap4(xr, xRowStep, xPix, dr, dyRowStep, pix, rows, count, out);
            else depthwiseTap1(xr, xRowStep, xPix, dr, dyRowStep, pix, rows, count, out);
          }
        }
        c += width;
      }
    }
  }
}

// dx[pixel, c .. c+width] = Σ over the taps (i, j) < (tapRows, tapCols) of dy · w. A tap one row further is one
// dy row up (dyTapRow bytes back) and sH filter rows down (wTapRow bytes on); one column further likewise.
@inline function depthwiseTaps16(
  dyTap: usize, wTap: usize, tapRows: i32, tapCols: i32, dyTapRow: usize, wTapRow: usize, dyTapCol: usize,
  wTapCol: usize, out: usize,
): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let i = 0; i < tapRows; i++) {
    let dp = dyTap, wp = wTap;
    for (let j = 0; j < tapCols; j++) {
      a0 = madd(v128.load(dp), v128.load(wp), a0);
      a1 = madd(v128.load(dp, 16), v128.load(wp, 16), a1);
      a2 = madd(v128.load(dp, 32), v128.load(wp, 32), a2);
      a3 = madd(v128.load(dp, 48), v128.load(wp, 48), a3);
      dp -= dyTapCol; wp += wTapCol;
    }
    dyTap -= dyTapRow; wTap += wTapRow;
  }
  v128.store(out, a0); v128.store(out, a1, 16); v128.store(out, a2, 32); v128.store(out, a3, 48);
}

@inline function depthwiseTaps4(
  dyTap: usize, wTap: usize, tapRows: i32, tapCols: i32, dyTapRow: usize, wTapRow: usize, dyTapCol: usize,
  wTapCol: usize, out: usize,
): void {
  let a0 = f32x4.splat(0);
  for (let i = 0; i < tapRows; i++) {
    let dp = dyTap, wp = wTap;
    for (let j = 0; j < tapCols; j++) {
      a0 = madd(v128.load(dp), v128.load(wp), a0);
      dp -= dyTapCol; wp += wTapCol;
    }
    dyTap -= dyTapRow; wTap += wTapRow;
  }
  v128.store(out, a0);
}

@inline function depthwiseTaps1(
  dyTap: usize, wTap: usize, tapRows: i32, tapCols: i32, dyTapRow: usize, wTapRow: usize, dyTapCol: usize,
  wTapCol: usize, out: usize,
): void {
  let a: f32 = 0;
  for (let i = 0; i < tapRows; i++) {
    let dp = dyTap, wp = wTap;
    for (let j = 0; j < tapCols; j++) {
      a += load<f32>(dp) * load<f32>(wp);
      dp -= dyTapCol; wp += wTapCol;
    }
    dyTap -= dyTapRow; wTap += wTapRow;
  }
  store<f32>(out, a);
}

/**
 * The input gradient of an NHWC depthwise conv2d with channel multiplier 1, writing dx [batch, inH, inW, C] from
 * dy [batch, outH, outW, C] and the filter w [kH, kW, C] (see the comment above); any C.
 *
 * A dx row iy is reached by the output rows oy with kh = iy + padT − oy·sH in [0, kH): a run oyLo … oyHi, whose
 * taps kh step by sH. So each dx pixel gathers a tapRows × tapCols grid of taps with fixed pointer steps, and no
 * tap of a strided conv is tested for exactness, or multiplies a zero.
 */
export function depthwiseInputGrad(
  dy: usize, w: usize, dx: usize,
  batch: i32, inH: i32, inW: i32, C: i32, outH: i32, outW: i32,
  kH: i32, kW: i32, sH: i32, sW: i32, padT: i32, padL: i32,
): void {
  const pix = <usize>C << 2;
  const dyTapRow = <usize>outW * pix;
  const wTapRow = <usize>(sH * kW) * pix;
  const wTapCol = <usize>sW * pix;
  let out = dx;
  for (let n = 0; n < batch; n++) {
    const dyImg = dy + <usize>(n * outH * outW) * pix;
    for (let iy = 0; iy < inH; iy++) {
      const yNum = iy + padT;
      const oyLo = max(0, ceilDiv(yNum - kH + 1, sH));
      const oyHi = min(outH - 1, floorDiv(yNum, sH));
      const tapRows = max(0, oyHi - oyLo + 1);
      // The first tap is the last output row that reaches iy, with the smallest kh.
      const kh0 = yNum - oyHi * sH;
      for (let ix = 0; ix < inW; ix++) {
        const xNum = ix + padL;
        const oxLo = max(0, ceilDiv(xNum - kW + 1, sW));
        const oxHi = min(outW - 1, floorDiv(xNum, sW));
        const tapCols = max(0, oxHi - oxLo + 1);
        if (tapRows == 0 || tapCols == 0) {
          memory.fill(out, 0, pix);
          out += pix;
          continue;
        }
        const kw0 = xNum - oxHi * sW;
        const dyTap = dyImg + <usize>(oyHi * outW + oxHi) * pix;
        const wTap = w + <usize>(kh0 * kW + kw0) * pix;
        let c = 0;
        for (; c + 16 <= C; c += 16) {
          const o = <usize>c << 2;
          depthwiseTaps16(dyTap + o, wTap + o, tapRows, tapCols, dyTapRow, wTapRow, pix, wTapCol, out + o);
        }
        for (; c + 4 <= C; c += 4) {
          const o = <usize>c << 2;
          depthwiseTaps4(dyTap + o, wTap + o, tapRows, tapCols, dyTapRow, wTapRow, pix, wTapCol, out + o);
        }
        for (; c < C; c++) {
          const o = <usize>c << 2;
          depthwiseTaps1(dyTap + o, wTap + o, tapRows, tapCols, dyTapRow, wTapRow, pix, wTapCol, out + o);
        }
        out += pix;
      }
    }
  }
}

/**
 * The gradient of leakyRelu, out = x > 0 ? dy : alpha · dy, over n floats in one pass (tfjs-core's gradient makes
 * a mask, a scaled copy and a select: three kernels and two temporaries).
 */
export function leakyReluGrad(x: usize, dy: usize, out: usize, n: i32, alpha: f32): void {
  const scale = f32x4.splat(alpha);
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const at = <usize>i << 2;
    const d = v128.load(dy + at);
    v128.store(out + at, v128.bitselect(d, f32x4.mul(d, scale), f32x4.gt(v128.load(x + at), zero)));
  }
  for (; i < n; i++) {
    const at = <usize>i << 2;
    const d = load<f32>(dy + at);
    store<f32>(out + at, load<f32>(x + at) > 0 ? d : alpha * d);
  }
}

/**
 * For each of `outer` blocks of `rows`×`cols` floats: out[o·cols + c] = Σ_r src[(o·rows + r)·cols + c], divided by
 * `rows` if `mean` (Sum and Mean over a run of axes that ends just before the last, e.g. a bias gradient, batch
 * norm's moments, global average pooling). Each column is summed row by row in order, as tfjs-backend-wasm's Sum
 * and Mean do after their transpose, so the result is the same to the bit.
 */
export function reduceRows(src: usize, out: usize, outer: i32, rows: i32, cols: i32, mean: bool): void {
  const rowBytes = <usize>cols << 2;
  const vecBytes = <usize>(cols & ~3) << 2;
  for (let o = 0; o < outer; o++) {
    const dst = out + <usize>o * rowBytes;
    const block = src + <usize>o * <usize>rows * rowBytes;
    memory.fill(dst, 0, rowBytes);
    for (let r = 0; r < rows; r++) {
      const row = block + <usize>r * rowBytes;
      let at: usize = 0;
      for (; at < vecBytes; at += 16) v128.store(dst + at, f32x4.add(v128.load(dst + at), v128.load(row + at)));
      for (; at < rowBytes; at += 4) store<f32>(dst + at, load<f32>(dst + at) + load<f32>(row + at));
    }
    if (mean) {
      const n = <f32>rows;
      for (let at: usize = 0; at < rowBytes; at += 4) store<f32>(dst + at, load<f32>(dst + at) / n);
    }
  }
}

const ADD = 0;
const SUB = 1;
const MUL = 2;
const DIV = 3;

@inline function applyOp(op: i32, a: v128, b: v128): v128 {
  if (op == ADD) return f32x4.add(a, b);
  if (op == SUB) return f32x4.sub(a, b);
  if (op == MUL) return f32x4.mul(a, b);
  return f32x4.div(a, b);
}

@inline function applyOpScalar(op: i32, a: f32, b: f32): f32 {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  return a / b;
}

@inline function channelLoop(full: usize, vec: usize, out: usize, rows: i32, cols: i32, op: i32, vecFirst: bool): void {
  const rowBytes = <usize>cols << 2;
  const vecBytes = <usize>(cols & ~3) << 2;
  for (let r = 0; r < rows; r++) {
    const src = full + <usize>r * rowBytes;
    const dst = out + <usize>r * rowBytes;
    let at: usize = 0;
    for (; at < vecBytes; at += 16) {
      const x = v128.load(src + at);
      const v = v128.load(vec + at);
      v128.store(dst + at, vecFirst ? applyOp(op, v, x) : applyOp(op, x, v));
    }
    for (; at < rowBytes; at += 4) {
      const x = load<f32>(src + at);
      const v = load<f32>(vec + at);
      store<f32>(dst + at, vecFirst ? applyOpScalar(op, v, x) : applyOpScalar(op, x, v));
    }
  }
}

/**
 * out[r, c] = full[r, c] op vec[c] (or vec[c] op full[r, c] if `vecFirst`): a binary op between a tensor and a
 * per-channel vector, which tfjs-backend-wasm runs through its general broadcast loop at a quarter of the speed of
 * same-shape operands. Each case is its own loop, so the op is not decided per element.
 */
export function broadcastChannels(full: usize, vec: usize, out: usize, rows: i32, cols: i32, op: i32, vecFirst: bool): void {
  if (vecFirst) {
    if (op == SUB) channelLoop(full, vec, out, rows, cols, SUB, true);
    else channelLoop(full, vec, out, rows, cols, DIV, true);
    return;
  }
  if (op == ADD) channelLoop(full, vec, out, rows, cols, ADD, false);
  else if (op == SUB) channelLoop(full, vec, out, rows, cols, SUB, false);
  else if (op == MUL) channelLoop(full, vec, out, rows, cols, MUL, false);
  else channelLoop(full, vec, out, rows, cols, DIV, false);
}

/**
 * out[o, r, c] = src[o, c]: a [outer, cols] tensor repeated `rows` times along a new middle axis. It is the
 * gradient of reduceRows (Sum and Mean over a run of axes), which tfjs-core computes as dy · ones(x.shape) with
 * the ones filled in JavaScript. cols = 1 is the reduction that includes the last axis (a loss's mean): a fill.
 */
export function expandRows(src: usize, out: usize, outer: i32, rows: i32, cols: i32): void {
  if (cols == 1) {
    const blockBytes = <usize>rows << 2;
    const vecBytes = <usize>(rows & ~3) << 2;
    for (let o = 0; o < outer; o++) {
      const value = load<f32>(src + (<usize>o << 2));
      const splat = f32x4.splat(value);
      const dst = out + <usize>o * blockBytes;
      let at: usize = 0;
      for (; at < vecBytes; at += 16) v128.store(dst + at, splat);
      for (; at < blockBytes; at += 4) store<f32>(dst + at, value);
    }
    return;
  }
  const rowBytes = <usize>cols << 2;
  for (let o = 0; o < outer; o++) {
    const row = src + <usize>o * rowBytes;
    const block = out + <usize>o * <usize>rows * rowBytes;
    for (let r = 0; r < rows; r++) memory.copy(block + <usize>r * rowBytes, row, rowBytes);
  }
}
