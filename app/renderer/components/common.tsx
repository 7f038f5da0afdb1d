/** Small shared pieces: empty and error states, a progress bar, a verdict badge, a modal dialog. */
import { useEffect, useRef } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import {
  formatPercent,
  showsScore,
  VERDICT_TEXT,
  VERDICT_TONE,
  type VerdictLabel,
} from '../../common/verdict.ts';

export function EmptyState({
  title,
  children,
  icon = '◌',
}: {
  title: string;
  children?: ComponentChildren;
  icon?: string;
}) {
  return (
    <div class="empty-state" role="status">
      <div class="empty-icon" aria-hidden="true">
        {icon}
      </div>
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function ErrorState({
  title,
  message,
  children,
}: {
  title: string;
  message: string;
  children?: ComponentChildren;
}) {
  return (
    <div class="error-state" role="alert" data-testid="error-state">
      <div class="error-icon" aria-hidden="true">
        !
      </div>
      <div>
        <h3>{title}</h3>
        <p data-testid="error-message">{message}</p>
        {children && <div class="actions">{children}</div>}
      </div>
    </div>
  );
}

export function ProgressBar({ done, total, label }: { done: number; total: number | null; label: string }) {
  const fraction = total ? Math.min(1, done / total) : null;
  return (
    <div class="progress" data-testid="scan-progress">
      <div class="progress-label">
        <span>{label}</span>
        <span>{fraction === null ? `${done}` : `${Math.round(fraction * 100)}%`}</span>
      </div>
      <div
        class={`progress-track${fraction === null ? ' indeterminate' : ''}`}
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={fraction === null ? undefined : Math.round(fraction * 100)}
        aria-label={label}
      >
        <div class="progress-fill" style={{ width: fraction === null ? '30%' : `${fraction * 100}%` }} />
      </div>
    </div>
  );
}

export function VerdictBadge({
  label,
  score,
  large = false,
}: {
  label: VerdictLabel;
  score: number | null;
  large?: boolean;
}) {
  return (
    <span
      class={`badge tone-${VERDICT_TONE[label]}${large ? ' large' : ''}`}
      data-testid="verdict"
      data-verdict={label}
    >
      {VERDICT_TEXT[label]}
      {score !== null && showsScore(label) && <span class="badge-score">{formatPercent(score)}</span>}
    </span>
  );
}

/** A modal dialog: focus moves into it, Escape closes it, focus returns where it was. */
export function Dialog({
  title,
  onClose,
  children,
  testId,
}: {
  title: string;
  onClose(): void;
  children: ComponentChildren;
  testId?: string;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    const first = box.current?.querySelector<HTMLElement>('input, button, textarea, select, [tabindex]');
    first?.focus();
    const key = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    window.addEventListener('keydown', key);
    return () => {
      window.removeEventListener('keydown', key);
      before?.focus();
    };
  }, []);
  return (
    <div class="dialog-backdrop" onClick={(e) => e.target === e.currentTarget && onClose()}>
      <div
        class="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        ref={box}
        data-testid={testId}
      >
        <h2 id="dialog-title">{title}</h2>
        {children}
      </div>
    </div>
  );
}

/** A long job's start button and, while it runs, its stop button (shared by Studio and Batch). */
export function JobActions({
  start,
  stop,
}: {
  start: { label: string; disabled: boolean; onClick?(): void; testId: string; submit?: boolean };
  /** Shown while the job runs; null otherwise. */
  stop: { label: string; disabled: boolean; onClick(): void; testId: string } | null;
}) {
  return (
    <div class="actions">
      <button
        type={start.submit ? 'submit' : 'button'}
        class="primary"
        disabled={start.disabled}
        onClick={start.onClick}
        data-testid={start.testId}
      >
        {start.label}
      </button>
      {stop && (
        <button
          type="button"
          class="secondary"
          disabled={stop.disabled}
          onClick={stop.onClick}
          data-testid={stop.testId}
        >
          {stop.label}
        </button>
      )}
    </div>
  );
}
