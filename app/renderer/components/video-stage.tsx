/**
 * The player: the video with each face's box drawn over it, coloured by that frame's manipulation score. It
 * reports which sampled frame is on screen; the Analysis screen decides from that (and the people's track
 * scores) whether the consent warning shows, and which faces the heatmap panel zooms into.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ScannedFrame } from '../../common/contract.ts';
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

export function VideoStage(props: Props) {
  const wrap = useRef<HTMLDivElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const latest = useRef(props);
  latest.current = props;
  const [playing, setPlaying] = useState(false);

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
      data-playing={playing}
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
          onPlay={() => setPlaying(true)}
          onPause={() => setPlaying(false)}
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
