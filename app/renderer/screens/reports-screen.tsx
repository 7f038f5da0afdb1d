/** Reports: export a case as JSON, HTML or PDF, then open the folder it was written to. */
import { useState } from 'preact/hooks';
import type { CaseSummary, ReportFormat } from '../../common/contract.ts';
import { errorMessage, signalAppEvent, unmask } from '../api.ts';
import { EmptyState, VerdictBadge } from '../components/common.tsx';

interface Props {
  cases: CaseSummary[] | null;
  selectedCaseId: string | null;
  onSelect(caseId: string): void;
}

const FORMATS: Array<{ format: ReportFormat; title: string; text: string }> = [
  {
    format: 'pdf',
    title: 'PDF report',
    text: 'For sharing and archiving: verdict, timeline, people, chain of custody.',
  },
  { format: 'html', title: 'HTML report', text: 'The same report as one self-contained web page.' },
  { format: 'json', title: 'JSON data', text: 'Every frame, face and score, for your own tools.' },
];

export function ReportsScreen({ cases, selectedCaseId, onSelect }: Props) {
  const [busy, setBusy] = useState<ReportFormat | null>(null);
  const [result, setResult] = useState<{ path: string; caseId: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const selected = cases?.find((c) => c.caseId === selectedCaseId) ?? cases?.[0] ?? null;

  const exportAs = async (format: ReportFormat) => {
    if (!selected) return;
    setBusy(format);
    setError(null);
    setResult(null);
    try {
      const out = await unmask.exportReport({
        caseId: selected.caseId,
        format,
      });
      setResult({ ...out, caseId: selected.caseId });
      signalAppEvent('report-exported', { format, path: out.path });
    } catch (e) {
      setError(errorMessage(e));
      signalAppEvent('report-failed', { format, message: errorMessage(e) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="screen reports" aria-labelledby="reports-title" data-testid="reports-screen">
      <header class="screen-header">
        <div>
          <h1 id="reports-title">Reports</h1>
          <p class="lede">
            Every report carries the file's SHA-256 fingerprint, the engine and model versions, and the
            verdict with its limits.
          </p>
        </div>
      </header>
      {cases && cases.length === 0 && (
        <EmptyState title="No cases to report on" icon="▤">
          <p class="muted">Analyse a video first; its case appears here.</p>
        </EmptyState>
      )}
      {selected && (
        <>
          <label class="field inline">
            <span>Case</span>
            <select
              value={selected.caseId}
              onChange={(e) => onSelect(e.currentTarget.value)}
              data-testid="report-case"
            >
              {cases!.map((c) => (
                <option key={c.caseId} value={c.caseId}>
                  {c.fileName} — {new Date(c.createdAt).toLocaleString()}
                </option>
              ))}
            </select>
          </label>
          <div class="case-card panel">
            <div>
              <h2 class="panel-title">{selected.fileName}</h2>
              <p class="small muted">
                SHA-256 <code class="hash">{selected.sha256}</code>
              </p>
            </div>
            <VerdictBadge label={selected.verdictLabel} score={selected.verdictScore} large />
          </div>
          <div class="format-grid">
            {FORMATS.map((f) => (
              <div class="panel format" key={f.format}>
                <h3>{f.title}</h3>
                <p class="muted small">{f.text}</p>
                <button
                  class="primary"
                  disabled={busy !== null}
                  onClick={() => exportAs(f.format)}
                  data-testid={`export-${f.format}`}
                >
                  {busy === f.format ? 'Exporting…' : `Export ${f.format.toUpperCase()}`}
                </button>
              </div>
            ))}
          </div>
          {result && (
            <div class="notice success" role="status" data-testid="export-result">
              Saved to <code>{result.path}</code>
              <button
                class="ghost"
                onClick={() =>
                  unmask
                    .revealOutput({ kind: 'report', caseId: result.caseId })
                    .catch((e: unknown) => setError(errorMessage(e)))
                }
                data-testid="open-folder"
              >
                Open folder
              </button>
            </div>
          )}
          {error && (
            <p class="inline-error" role="alert" data-testid="export-error">
              {error}
            </p>
          )}
        </>
      )}
    </section>
  );
}
