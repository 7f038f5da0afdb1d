/** Home: open a video by button, keyboard (Ctrl/⌘+O) or drag-and-drop, and reopen recent cases. */
import { useState } from 'preact/hooks';
import type { CaseSummary } from '../../common/contract.ts';
import { EmptyState, VerdictBadge } from '../components/common.tsx';
import { bytes } from '../format.ts';

interface Props {
  cases: CaseSummary[] | null;
  /** In a browser, the largest file that can be uploaded. */
  maxUploadBytes: number | undefined;
  casesError: string | null;
  onChooseVideo(): void;
  onDropFile(file: File): void;
  onOpenCase(caseId: string): void;
  onDeleteCase(caseId: string): void;
}

export function HomeScreen({
  cases,
  maxUploadBytes,
  casesError,
  onChooseVideo,
  onDropFile,
  onOpenCase,
  onDeleteCase,
}: Props) {
  const [dragging, setDragging] = useState(false);
  return (
    <section class="screen home" aria-labelledby="home-title" data-testid="home-screen">
      <header class="screen-header">
        <div>
          <h1 id="home-title">Check a video</h1>
          <p class="lede">
            Unmask looks at every face in a video and tells you how likely it is to be manipulated. Everything
            runs on this computer.
          </p>
        </div>
      </header>
      <div
        class={`dropzone${dragging ? ' dragging' : ''}`}
        data-testid="dropzone"
        onDragOver={(e) => {
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          e.preventDefault();
          setDragging(false);
          const file = e.dataTransfer?.files[0];
          if (file) onDropFile(file);
        }}
      >
        <div class="dropzone-icon" aria-hidden="true">
          ⬆
        </div>
        <p class="dropzone-title">Drop a video here</p>
        <p class="muted" data-testid="dropzone-formats">
          MP4, MOV, MKV, WebM, AVI ·{' '}
          {maxUploadBytes === undefined ? 'any length' : `files up to ${bytes(maxUploadBytes)}`}
        </p>
        <button class="primary" onClick={onChooseVideo} data-testid="open-video">
          Open video…
        </button>
        <p class="hint">
          or press <kbd>Ctrl</kbd>+<kbd>O</kbd>
        </p>
      </div>
      <h2 class="section-title">Recent cases</h2>
      {casesError && <p class="inline-error">Could not load cases: {casesError}</p>}
      {cases && cases.length === 0 && (
        <EmptyState title="No cases yet" icon="▤">
          <p class="muted">Finished analyses are kept here so you can reopen and export them.</p>
        </EmptyState>
      )}
      {cases && cases.length > 0 && (
        <ul class="case-list" data-testid="recent-cases">
          {cases.map((c) => (
            <li key={c.caseId} class="case-row">
              <button class="case-open" onClick={() => onOpenCase(c.caseId)} data-testid="case-row">
                <span class="case-name">{c.fileName}</span>
                <span class="case-meta">
                  {new Date(c.createdAt).toLocaleString()} · {c.sampledFrames} frames · {c.tracks}{' '}
                  {c.tracks === 1 ? 'person' : 'people'}
                </span>
                <VerdictBadge label={c.verdictLabel} score={c.verdictScore} />
              </button>
              <button
                class="icon-button"
                aria-label={`Delete case ${c.fileName}`}
                title="Delete case"
                onClick={() => onDeleteCase(c.caseId)}
              >
                ✕
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
