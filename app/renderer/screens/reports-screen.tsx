/** Reports: export a case as JSON, HTML or PDF (a browser downloads it; Electron saves it and opens its folder). */
import type { CaseSummary } from '../../common/contract.ts';
import { EmptyState, VerdictBadge } from '../components/common.tsx';
import { ExportNotice } from '../components/export-notice.tsx';
import { REPORT_FORMATS, useReportExport } from '../report-export.ts';

interface Props {
  cases: CaseSummary[] | null;
  selectedCaseId: string | null;
  onSelect(caseId: string): void;
}

export function ReportsScreen({ cases, selectedCaseId, onSelect }: Props) {
  const { busy, result, error, setError, exportAs } = useReportExport();
  const selected = cases?.find((c) => c.caseId === selectedCaseId) ?? cases?.[0] ?? null;

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
            {REPORT_FORMATS.map((f) => (
              <div class="panel format" key={f.format}>
                <h3>{f.title}</h3>
                <p class="muted small">{f.text}</p>
                <button
                  class="primary"
                  disabled={busy !== null}
                  onClick={() => exportAs(selected.caseId, f.format)}
                  data-testid={`export-${f.format}`}
                >
                  {busy === f.format ? 'Exporting…' : `Export ${f.format.toUpperCase()}`}
                </button>
              </div>
            ))}
          </div>
          {result && <ExportNotice exported={result} onError={setError} />}
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
