/**
 * The player: the video with each face's box drawn over it, coloured by that frame's manipulation score, and
 * the blend-boundary heatmap when asked for. It reports which sampled frame is on screen; the Analysis screen
 * decides from that (and the people's track scores) whether the consent warning shows.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { ScannedFace, ScannedFrame } from '../../common/contract.ts';
import {
  formatPercent,
  scoreTone,
  THRESHOLD_PROFILES,
  TONE_COLOURS,
  type ThresholdProfile,
} from '../../common/verdict.ts';
import { frameAt } from '../analysis-state.ts';

interface Props {
  src: string | null;
  frames: ScannedFrame[];
  /** Display size of the video (from the probe); boxes are in these pixels. */
  displayWidth: number;
  displayHeight: number;
  sampleIntervalSec: number;
  profile: ThresholdProfile;
  showHeatmap: boolean;
  heatmapSize: number;
  videoRef: { current: HTMLVideoElement | null };
  onTime(timeSec: number): void;
  /** The sampled frame on screen now (null between faces), called when it changes. */
  onFrameShown(frame: ScannedFrame | null): void;
  mediaError: string | null;
  onMediaError(message: string): void;
  children?: preact.ComponentChildren;
}

/** Where the video's pixels land inside the element (object-fit: contain). */
function contentRect(element: HTMLElement, width: number, height: number) {
  const scale = Math.min(element.clientWidth / width, element.clientHeight / height);
  return {
    scale,
    x: (element.clientWidth - width * scale) / 2,
    y: (element.clientHeight - height * scale) / 2,
  };
}

/**
 * Heatmap cells are in the detector's aligned-crop space; the aligned crop is the face box widened by the
 * crop margin and turned by the head's roll, so the map is drawn there (an approximation of the exact warp).
 */
function drawHeatmap(
  ctx: CanvasRenderingContext2D,
  face: ScannedFace,
  size: number,
  toCanvas: (x: number, y: number) => [number, number],
  scale: number,
) {
  const heatmap = face.manipulation.heatmap;
  if (!heatmap || size <= 0) return;
  const side = Math.max(face.box.width, face.box.height) * 1.3 * scale;
  const [cx, cy] = toCanvas(face.box.x + face.box.width / 2, face.box.y + face.box.height / 2);
  ctx.save();
  ctx.translate(cx, cy);
  ctx.rotate(face.pose?.roll ?? 0);
  const cell = side / size;
  // Shown relative to the face's strongest cell: the map says where a boundary is likeliest, not how likely.
  const peak = Math.max(...heatmap);
  if (peak <= 0) return ctx.restore();
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      const v = heatmap[row * size + col]! / peak;
      if (v < 0.2) continue;
      ctx.fillStyle = `rgba(255, ${Math.round(210 * (1 - v))}, 40, ${0.2 + 0.5 * v})`;
      ctx.fillRect(-side / 2 + col * cell, -side / 2 + row * cell, cell + 0.5, cell + 0.5);
    }
  }
  ctx.restore();
}

export function VideoStage(props: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    let raf = 0;
    let lastShown: ScannedFrame | null | undefined;
    const draw = () => {
      raf = requestAnimationFrame(draw);
      const p = latest.current;
      const element = wrap.current;
      const c = canvas.current;
      if (!element || !c) return;
      const dpr = devicePixelRatio;
      if (
        c.width !== Math.round(element.clientWidth * dpr) ||
        c.height !== Math.round(element.clientHeight * dpr)
      ) {
        c.width = Math.round(element.clientWidth * dpr);
        c.height = Math.round(element.clientHeight * dpr);
      }
      const ctx = c.getContext('2d')!;
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, element.clientWidth, element.clientHeight);
      const time = p.videoRef.current?.currentTime ?? 0;
      p.onTime(time);
      const frame = frameAt(p.frames, time, Math.max(0.5, p.sampleIntervalSec * 1.5));
      const rect = contentRect(element, p.displayWidth, p.displayHeight);
      const toCanvas = (x: number, y: number): [number, number] => [
        rect.x + x * rect.scale,
        rect.y + y * rect.scale,
      ];
      let drawn = 0;
      for (const face of frame?.faces ?? []) {
        const probability = face.manipulation.probability;
        const tone = scoreTone(probability, THRESHOLD_PROFILES[p.profile]);
        if (p.showHeatmap) drawHeatmap(ctx, face, p.heatmapSize, toCanvas, rect.scale);
        const [x, y] = toCanvas(face.box.x, face.box.y);
        const w = face.box.width * rect.scale;
        const h = face.box.height * rect.scale;
        ctx.lineWidth = 2.5;
        ctx.strokeStyle = TONE_COLOURS[tone].dark;
        ctx.strokeRect(x, y, w, h);
        const label = `Person ${face.trackId} · ${face.manipulation.status === 'too-small' ? 'too small' : formatPercent(probability)}`;
        ctx.font = '600 12px Inter, system-ui, sans-serif';
        const labelWidth = ctx.measureText(label).width + 12;
        ctx.fillStyle = TONE_COLOURS[tone].dark;
        ctx.fillRect(x - 1.25, Math.max(0, y - 20), labelWidth, 20);
        ctx.fillStyle = '#0d1117';
        ctx.fillText(label, x + 5, Math.max(14, y - 6));
        drawn++;
      }
      c.dataset['boxes'] = String(drawn);
      if (frame !== lastShown) {
        lastShown = frame;
        p.onFrameShown(frame);
      }
    };
    raf = requestAnimationFrame(draw);
    return () => cancelAnimationFrame(raf);
  }, []);

  return (
    <div
      class="stage"
      ref={wrap}
      data-testid="video-stage"
      style={{ aspectRatio: `${props.displayWidth} / ${props.displayHeight}` }}
    >
      {props.src && (
        <video
          ref={(v) => {
            props.videoRef.current = v;
          }}
          src={props.src}
          controls
          preload="auto"
          playsInline
          aria-label="Video being analysed"
          onError={() =>
            props.onMediaError(
              'This browser cannot play the video, but the analysis still works: use the timeline to inspect frames.',
            )
          }
        />
      )}
      <canvas ref={canvas} class="stage-overlay" data-testid="face-overlay" aria-hidden="true" />
      {props.mediaError && <div class="stage-note">{props.mediaError}</div>}
      {props.children}
    </div>
  );
}
