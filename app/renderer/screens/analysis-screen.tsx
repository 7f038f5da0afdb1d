/**
 * Analysis: the player with face boxes and the consent warning, the per-person timeline, and one card per
 * person. Works the same for a scan that is still running (frames stream in) and for a saved case.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ScannedFrame } from '../../common/contract.ts';
import {
  consentOverlayText,
  damageCaveat,
  describePerson,
  flaggedPeopleOnScreen,
  formatPercent,
  scoreTone,
  THRESHOLD_PROFILES,
  VERDICT_HEADLINES,
  VERDICT_TONE,
  type ThresholdProfile,
} from '../../common/verdict.ts';
import { knownTracks, personSeries, worstFrames, type Analysis } from '../analysis-state.ts';
import { errorMessage, signalAppEvent, unmask } from '../api.ts';
import { EmptyState, ErrorState, ProgressBar, VerdictBadge } from '../components/common.tsx';
import { ExportMenu } from '../components/export-menu.tsx';
import { ExportNotice } from '../components/export-notice.tsx';
import { FacePanel } from '../components/face-panel.tsx';
import { TimelineChart } from '../components/timeline-chart.tsx';
import { VideoStage } from '../components/video-stage.tsx';
import { clock, trackColour } from '../format.ts';
import { useReportExport } from '../report-export.ts';
import { isTextEntry, transportAction } from '../shortcuts.ts';

interface Props {
  analysis: Analysis | null;
  profile: ThresholdProfile;
  sampleFps: number;
  consentDismissed: boolean;
  onDismissConsent(): void;
  onCancel(): void;
  onRetry(): void;
  onOpenAnother(): void;
  onShowShortcuts(): void;
}

/** The verdict, in words, with what it rests on. */
function VerdictBox({ scan }: { scan: NonNullable<Analysis['scan']> }) {
  const { label, score, caveats } = scan.verdict;
  // A damaged input's caveat (listed first) says which parts of the video the verdict does not cover.
  const damaged = scan.damage ? damageCaveat(scan.damage) : null;
  return (
    <section class={`verdict-box tone-${VERDICT_TONE[label]}`} data-testid="verdict-box" aria-label="Verdict">
      <VerdictBadge label={label} score={score} large />
      <div class="verdict-words">
        <p class="verdict-headline">{VERDICT_HEADLINES[label]}</p>
        <p class="small muted" data-testid="scan-summary">
          {scan.summary.message}
        </p>
        {caveats.length > 0 && (
          <ul class="verdict-caveats" data-testid="verdict-caveats">
            {caveats.map((caveat) =>
              caveat === damaged ? (
                <li key={caveat} class="damage" role="alert" data-testid="damage-warning">
                  <strong>{caveat}</strong>
                </li>
              ) : (
                <li key={caveat}>{caveat}</li>
              ),
            )}
          </ul>
        )}
      </div>
    </section>
  );
}

const STAGE_TEXT: Record<string, string> = {
  probe: 'Reading the file',
  scan: 'Analysing faces',
};

export function AnalysisScreen(props: Props) {
  const { analysis, profile } = props;
  const [src, setSrc] = useState<string | null>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);
  const [time, setTime] = useState(0);
  const [shown, setShown] = useState<ScannedFrame | null>(null);
  const [showHeatmap, setShowHeatmap] = useState(false);
  const reportExport = useReportExport();
  const { clear: clearExport } = reportExport;
  // An export's outcome belongs to the case it was made from.
  useEffect(clearExport, [analysis?.caseId]);
  const videoRef = useRef<HTMLVideoElement | null>(null);
  // The host lets the player read a file only once the engine has probed it as a video (or it is a case's).
  const path = analysis && (analysis.caseId !== null || analysis.displayWidth > 0) ? analysis.path : null;

  useEffect(() => {
    setSrc(null);
    setMediaError(null);
    if (!path) return;
    unmask.getMediaUrl({ path }).then(
      ({ url }) => setSrc(url),
      (error: unknown) => setMediaError(errorMessage(error)),
    );
  }, [path]);

  const series = useMemo(() => personSeries(analysis?.frames ?? []), [analysis?.frames]);
  const lastTime = useRef(0);
  const onTime = (t: number) => {
    if (Math.abs(t - lastTime.current) > 0.04) {
      lastTime.current = t;
      setTime(t);
    }
  };

  // The warning follows the evidence behind the verdict: a person on screen whose track score is flagged.
  const flaggedOnScreen = analysis
    ? flaggedPeopleOnScreen(
        (shown?.faces ?? []).map((f) => f.trackId),
        knownTracks(analysis),
      )
    : [];
  const flagged = flaggedOnScreen.length > 0;
  const consentVisible = flagged && !props.consentDismissed;
  const consentText = consentOverlayText(flaggedOnScreen);
  useEffect(() => {
    if (consentVisible) signalAppEvent('consent-warning-shown', { fileName: analysis?.fileName });
    // A flagged face on screen whose warning the user dismissed for this case (tests and diagnostics).
    else if (flagged) signalAppEvent('consent-warning-suppressed', { fileName: analysis?.fileName });
  }, [consentVisible, flagged]);

  // Keyboard transport (shortcuts.ts): the latest frames and duration, read when a key comes.
  const latest = useRef({ frames: analysis?.frames ?? [], durationSec: analysis?.durationSec ?? 0 });
  latest.current = { frames: analysis?.frames ?? [], durationSec: analysis?.durationSec ?? 0 };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      // Text fields take their keys, the native player its own, and a focused button its Space.
      if (isTextEntry(target) || target?.tagName === 'VIDEO' || document.querySelector('[role=dialog]'))
        return;
      if (event.key === ' ' && (target?.tagName === 'BUTTON' || target?.tagName === 'INPUT')) return;
      const video = videoRef.current;
      const action = transportAction(event.key, {
        timeSec: video?.currentTime ?? lastTime.current,
        durationSec: latest.current.durationSec,
        playing: video ? !video.paused : false,
        rate: video?.playbackRate ?? 1,
        sampleTimes: latest.current.frames.map((f) => f.timeSec),
      });
      if (!action) return;
      event.preventDefault();
      if (action.type === 'seek') {
        video?.pause();
        if (video) video.currentTime = action.timeSec;
        lastTime.current = action.timeSec;
        setTime(action.timeSec);
      } else if (!video) return;
      else if (action.type === 'pause' || (action.type === 'toggle-play' && !video.paused)) video.pause();
      else {
        if (action.type === 'play') video.playbackRate = action.rate;
        video.play().catch(() => undefined);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  if (!analysis) {
    return (
      <section class="screen" data-testid="analysis-screen">
        <EmptyState title="Nothing to analyse yet" icon="▶">
          <p class="muted">Open a video on the Home screen, or reopen a recent case.</p>
          <button class="primary" onClick={props.onOpenAnother}>
            Open video…
          </button>
        </EmptyState>
      </section>
    );
  }

  const seek = (t: number) => {
    if (videoRef.current) videoRef.current.currentTime = t;
    setTime(t);
  };
  const thresholds = THRESHOLD_PROFILES[profile];
  const scan = analysis.scan;
  const duration = analysis.durationSec ?? analysis.frames.at(-1)?.timeSec ?? 0;
  const hasHeatmaps = analysis.frames.some((f) => f.faces.some((face) => face.manipulation.heatmap));

  return (
    <section
      class="screen analysis"
      aria-labelledby="analysis-title"
      data-testid="analysis-screen"
      data-status={analysis.status}
      data-shown-frame={shown?.index ?? ''}
      data-flagged-on-screen={flaggedOnScreen.map((t) => t.id).join(',')}
    >
      <header class="screen-header">
        <div class="title-block">
          <h1 id="analysis-title" title={analysis.path}>
            {analysis.fileName}
          </h1>
          {!scan && (
            <p class="lede">
              {analysis.status === 'running' ? 'Results appear as each frame is analysed.' : ''}
            </p>
          )}
        </div>
        <div class="header-actions">
          {analysis.status === 'running' && (
            <button class="secondary" onClick={props.onCancel} data-testid="cancel-scan">
              Cancel scan
            </button>
          )}
          {analysis.status === 'finished' && analysis.caseId && (
            <ExportMenu
              busy={reportExport.busy}
              onChoose={(format) => void reportExport.exportAs(analysis.caseId!, format)}
            />
          )}
        </div>
      </header>
      {reportExport.result && <ExportNotice exported={reportExport.result} onError={reportExport.setError} />}
      {reportExport.error && (
        <p class="inline-error" role="alert" data-testid="export-error">
          {reportExport.error}
        </p>
      )}

      {analysis.status === 'running' && (
        <ProgressBar
          done={analysis.progress?.done ?? 0}
          total={analysis.progress?.total ?? null}
          label={`${STAGE_TEXT[analysis.progress?.stage ?? 'probe'] ?? 'Working'}${analysis.progress?.detail ? ` · ${analysis.progress.detail}` : ''}`}
        />
      )}
      {analysis.status === 'failed' && analysis.error && (
        <ErrorState
          title={
            analysis.error.code === 'engineCrashed'
              ? 'The analysis engine stopped'
              : 'This file could not be analysed'
          }
          message={analysis.error.message}
        >
          {analysis.error.retryable && (
            <button class="primary" onClick={props.onRetry} data-testid="retry-scan">
              Try again
            </button>
          )}
          <button class="secondary" onClick={props.onOpenAnother} data-testid="open-another">
            Open another video…
          </button>
        </ErrorState>
      )}
      {analysis.status === 'cancelled' && (
        <ErrorState
          title="Scan cancelled"
          message="Nothing was saved. You can start the scan again or open another video."
        >
          <button class="primary" onClick={props.onRetry} data-testid="retry-scan">
            Scan again
          </button>
          <button class="secondary" onClick={props.onOpenAnother} data-testid="open-another">
            Open another video…
          </button>
        </ErrorState>
      )}

      {analysis.status !== 'failed' && analysis.displayWidth > 0 && (
        <div class="analysis-grid">
          <div class="analysis-main">
            {scan && <VerdictBox scan={scan} />}
            <VideoStage
              src={src}
              frames={analysis.frames}
              displayWidth={analysis.displayWidth}
              displayHeight={analysis.displayHeight}
              sampleIntervalSec={1 / props.sampleFps}
              profile={profile}
              videoRef={videoRef}
              onTime={onTime}
              onFrameShown={setShown}
              mediaError={mediaError}
              onMediaError={setMediaError}
            >
              {showHeatmap && <FacePanel caseId={analysis.caseId} frame={shown} />}
              {consentVisible && (
                <div class="consent-overlay" role="alert" data-testid="consent-warning">
                  <strong>{consentText.title}</strong>
                  <p>{consentText.body}</p>
                  <button class="ghost" onClick={props.onDismissConsent} data-testid="dismiss-consent">
                    Dismiss for this case
                  </button>
                </div>
              )}
            </VideoStage>
            <div class="panel timeline-panel">
              <div class="panel-head">
                <h2 class="panel-title">Manipulation probability over time</h2>
                <div class="toolbar">
                  <label
                    class={`toggle${hasHeatmaps ? '' : ' disabled'}`}
                    title={
                      hasHeatmaps
                        ? 'Zoom into the faces on screen, beside their blend-boundary maps'
                        : 'No face was scored high enough to have a blend-boundary map'
                    }
                  >
                    <input
                      type="checkbox"
                      checked={showHeatmap}
                      disabled={!hasHeatmaps}
                      onChange={(e) => setShowHeatmap(e.currentTarget.checked)}
                      data-testid="heatmap-toggle"
                    />
                    Blend-boundary heatmap
                  </label>
                  <span class="muted tabular" data-testid="player-clock">
                    {clock(time)}
                  </span>
                  <button
                    class="ghost small"
                    onClick={props.onShowShortcuts}
                    title="Keyboard shortcuts (?)"
                    data-testid="show-shortcuts"
                  >
                    Shortcuts <kbd>?</kbd>
                  </button>
                </div>
              </div>
              {series.length === 0 ? (
                <p class="muted panel-empty">
                  {analysis.status === 'running'
                    ? 'Waiting for the first faces…'
                    : 'No faces were found in this video, so there is nothing to judge.'}
                </p>
              ) : (
                <TimelineChart
                  series={series}
                  durationSec={duration}
                  band={thresholds.inconclusiveBand}
                  flagAt={thresholds.flagAt}
                  playheadSec={time}
                  onSeek={seek}
                />
              )}
            </div>
          </div>
          <aside class="analysis-side" aria-label="People in this video">
            <h2 class="section-title">People</h2>
            {series.length === 0 && (
              <p class="muted">{analysis.status === 'running' ? 'No faces yet.' : 'No faces found.'}</p>
            )}
            {series.map((s) => {
              const track = knownTracks(analysis).find((t) => t.id === s.trackId);
              const scored = s.points.filter((p) => p.probability !== null).map((p) => p.probability!);
              const liveMax = scored.length ? Math.max(...scored) : null;
              const worst = worstFrames(analysis.frames, s.trackId, 3);
              return (
                <article
                  class="person-card"
                  key={s.trackId}
                  data-testid="person-card"
                  style={{ borderLeftColor: trackColour(s.trackId) }}
                >
                  <header>
                    <h3>Person {s.trackId}</h3>
                    {track ? (
                      <VerdictBadge label={track.label} score={track.score} />
                    ) : (
                      <span class={`score tone-${scoreTone(liveMax, thresholds)}`}>
                        peak {formatPercent(liveMax)}
                      </span>
                    )}
                  </header>
                  {track && (
                    <p class={`small${track.decisive ? '' : ' caveat'}`} data-testid="person-sentence">
                      {describePerson(track)}
                    </p>
                  )}
                  <dl class="facts">
                    <div>
                      <dt>Seen</dt>
                      <dd>
                        {clock(s.points[0]!.timeSec)}–{clock(s.points.at(-1)!.timeSec)}
                      </dd>
                    </div>
                    <div>
                      <dt>Judged frames</dt>
                      <dd>
                        {scored.length} of {s.points.length}
                      </dd>
                    </div>
                  </dl>
                  {worst.length > 0 && (
                    <div class="worst">
                      <span class="muted small">Highest-scoring frames</span>
                      <div class="chips">
                        {worst.map((w) => (
                          <button
                            key={w.timeSec}
                            class={`chip tone-${scoreTone(w.probability, thresholds)}`}
                            data-testid="frame-chip"
                            onClick={() => seek(w.timeSec)}
                            aria-label={`Seek to ${clock(w.timeSec)}, ${formatPercent(w.probability)}`}
                          >
                            {clock(w.timeSec)} · {formatPercent(w.probability)}
                          </button>
                        ))}
                      </div>
                    </div>
                  )}
                </article>
              );
            })}
            {scan && (
              <details class="panel method">
                <summary>How the verdict is reached</summary>
                <p class="small muted">{scan.verdict.method}</p>
                <p class="small muted">
                  SHA-256 <code class="hash">{scan.input.sha256}</code>
                </p>
              </details>
            )}
          </aside>
        </div>
      )}
      {analysis.status === 'running' && analysis.displayWidth === 0 && (
        <p class="muted">Opening the video…</p>
      )}
    </section>
  );
}
