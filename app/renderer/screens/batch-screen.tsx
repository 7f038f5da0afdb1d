/**
 * Batch: submit a folder of videos to `unmask worker`s through a Redis queue and watch each file move from
 * queued to scanning to done (verdict, score, a link to its case) or failed (with the error). The engine
 * process submits and gathers; results land in the case library, so Home lists them too.
 */
import { useState } from 'preact/hooks';
import {
  DEFAULT_BATCH_PRIORITY,
  DEFAULT_QUEUE_URL,
  type BatchFileRow,
  type BatchFileState,
} from '../../common/contract.ts';
import { errorMessage, signalAppEvent, unmask } from '../api.ts';
import { batchStore, newBatchRun } from '../batch-state.ts';
import { EmptyState, ErrorState, JobActions, ProgressBar, VerdictBadge } from '../components/common.tsx';
import { formatPercent, type Tone, type VerdictLabel } from '../../common/verdict.ts';
import { useStore } from '../store.ts';

const STATE_TEXT: Record<BatchFileState, { text: string; tone: Tone | 'accent' }> = {
  hashing: { text: 'Fingerprinting', tone: 'neutral' },
  unreadable: { text: 'Unreadable', tone: 'danger' },
  waiting: { text: 'Queued', tone: 'neutral' },
  active: { text: 'Scanning', tone: 'accent' },
  retrying: { text: 'Retrying', tone: 'warning' },
  completed: { text: 'Done', tone: 'ok' },
  failed: { text: 'Failed', tone: 'danger' },
};

function workerCount(workers: number | null): string {
  return workers === null ? 'checking workers' : `${workers} worker${workers === 1 ? '' : 's'} connected`;
}

function basename(path: string) {
  return path.split(/[\\/]/).pop() ?? path;
}

function FileRow({ row, onOpenCase }: { row: BatchFileRow; onOpenCase(caseId: string): void }) {
  const state = STATE_TEXT[row.state];
  return (
    <tr data-testid="batch-row" data-state={row.state}>
      <td title={row.file}>{basename(row.file)}</td>
      <td>
        <span class={`badge tone-${state.tone}`}>
          {state.text}
          {row.state === 'active' && row.fraction !== null && ` ${formatPercent(row.fraction)}`}
        </span>
      </td>
      <td>{row.verdict ? <VerdictBadge label={row.verdict as VerdictLabel} score={row.score} /> : '—'}</td>
      <td>
        {row.caseId ? (
          <button class="ghost" onClick={() => onOpenCase(row.caseId!)} data-testid="batch-open-case">
            Open case
          </button>
        ) : (
          '—'
        )}
      </td>
      <td class="batch-error">{row.error ?? ''}</td>
    </tr>
  );
}

export function BatchScreen({ onOpenCase }: { onOpenCase(caseId: string): void }) {
  const { run } = useStore(batchStore);
  const [folder, setFolder] = useState(run?.folder ?? '');
  const [queueUrl, setQueueUrl] = useState(DEFAULT_QUEUE_URL);
  const [priority, setPriority] = useState(DEFAULT_BATCH_PRIORITY);
  const [error, setError] = useState<string | null>(null);
  const busy = run?.status === 'running' || run?.status === 'stopping';

  const chooseFolder = async () => {
    try {
      const chosen = await unmask.chooseFolder({});
      if (chosen) setFolder(chosen.path);
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    batchStore.update(() => ({ run: newBatchRun(folder) }));
    try {
      const started = await unmask.startBatch({ folder, queueUrl, priority });
      batchStore.update((s) => ({ run: s.run && { ...s.run, jobId: started.jobId } }));
      signalAppEvent('batch-started', started);
    } catch (e) {
      batchStore.update(() => ({ run: null }));
      setError(errorMessage(e));
      signalAppEvent('batch-refused', { message: errorMessage(e) });
    }
  };

  const stop = async () => {
    if (!run?.jobId) return;
    batchStore.update((s) => ({ run: s.run && { ...s.run, status: 'stopping' } }));
    await unmask.cancelBatch({ jobId: run.jobId });
  };

  const progress = run?.progress;
  return (
    <section class="screen batch" aria-labelledby="batch-title" data-testid="batch-screen">
      <header class="screen-header">
        <div>
          <h1 id="batch-title">Batch</h1>
          <p class="lede">
            Scan a whole folder on every machine you have: each video becomes a job on a Redis queue that any
            number of <code>unmask worker</code> processes take. Results land in your cases as they finish.
          </p>
        </div>
      </header>
      <form class="panel option-grid batch-form" onSubmit={submit}>
        <label class="field wide">
          <span>Folder of videos</span>
          <span class="input-row">
            <input
              type="text"
              value={folder}
              placeholder="/path/to/videos"
              disabled={busy}
              onInput={(e) => setFolder(e.currentTarget.value)}
              data-testid="batch-folder"
            />
            {unmask.shell === 'electron' && (
              <button
                type="button"
                class="secondary"
                disabled={busy}
                onClick={chooseFolder}
                data-testid="batch-choose-folder"
              >
                Choose…
              </button>
            )}
          </span>
        </label>
        <label class="field">
          <span>Redis URL</span>
          <input
            type="text"
            value={queueUrl}
            disabled={busy}
            onInput={(e) => setQueueUrl(e.currentTarget.value)}
            data-testid="batch-queue"
          />
        </label>
        <label class="field">
          <span>Priority (1 runs first)</span>
          <input
            type="number"
            min={1}
            value={priority}
            disabled={busy}
            onInput={(e) => setPriority(Number(e.currentTarget.value))}
            data-testid="batch-priority"
          />
        </label>
        <JobActions
          start={{
            label: 'Submit batch',
            disabled: busy || folder.trim() === '',
            testId: 'batch-submit',
            submit: true,
          }}
          stop={
            busy
              ? {
                  label: run?.status === 'stopping' ? 'Stopping…' : 'Stop gathering',
                  disabled: run?.status === 'stopping' || !run?.jobId,
                  onClick: stop,
                  testId: 'batch-stop',
                }
              : null
          }
        />
      </form>
      {error && <ErrorState title="The batch did not start" message={error} />}
      {run?.status === 'failed' && run.error && (
        <ErrorState title="The batch stopped with an error" message={run.error.message} />
      )}
      {busy && (
        <ProgressBar
          done={progress?.done ?? 0}
          total={progress?.total ?? null}
          label={
            progress?.stage === 'scanning'
              ? `${progress.done} of ${progress.total} settled · ${progress.active} scanning · ${progress.failed} failed · ${workerCount(progress.workers)}`
              : progress?.stage === 'hashing'
                ? 'Fingerprinting files (SHA-256)…'
                : `Connecting to Redis at ${queueUrl}…`
          }
        />
      )}
      {busy && progress?.workers === 0 && (
        <p class="notice" role="status" data-testid="batch-no-workers">
          No worker is connected to the queue yet: jobs wait until one starts (
          <code>unmask worker --queue {queueUrl}</code>).
        </p>
      )}
      {progress?.notice && busy && (
        <p class="notice" role="status">
          {progress.notice}
        </p>
      )}
      {run?.result && (
        <p
          class={`notice ${run.result.failed ? 'danger' : 'success'}`}
          role="status"
          data-testid="batch-result"
        >
          {run.result.completed} scanned, {run.result.failed} failed
          {run.result.pending > 0 &&
            `, ${run.result.pending} still queued — submit the folder again to gather them (nothing is scanned twice)`}
          .
        </p>
      )}
      {run && run.rows.length > 0 ? (
        <div class="panel">
          <table class="batch-table" data-testid="batch-table">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Status</th>
                <th scope="col">Verdict</th>
                <th scope="col">Case</th>
                <th scope="col">Error</th>
              </tr>
            </thead>
            <tbody>
              {run.rows.map((row) => (
                <FileRow key={row.file} row={row} onOpenCase={onOpenCase} />
              ))}
            </tbody>
          </table>
        </div>
      ) : (
        !busy && (
          <EmptyState title="No batch yet" icon="⇶">
            <p class="muted small">
              Start Redis and some workers (see docs/batch.md), then submit a folder. Each file's status
              appears here.
            </p>
          </EmptyState>
        )
      )}
    </section>
  );
}
