/** "Export report…" on Analysis: choosing a format exports the case's report at once. */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ReportFormat } from '../../common/contract.ts';
import { REPORT_FORMATS } from '../report-export.ts';

export function ExportMenu({
  busy,
  onChoose,
}: {
  busy: ReportFormat | null;
  onChoose(format: ReportFormat): void;
}) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !root.current?.contains(event.target as Node)
      )
        setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  return (
    <div class="export-menu" ref={root}>
      <button
        class="primary"
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={busy !== null}
        onClick={() => setOpen(!open)}
        data-testid="export-report"
      >
        {busy ? `Exporting ${busy.toUpperCase()}…` : 'Export report…'}
      </button>
      {open && (
        <div class="export-options panel" role="menu" data-testid="export-menu">
          {REPORT_FORMATS.map((f) => (
            <button
              key={f.format}
              role="menuitem"
              onClick={() => {
                setOpen(false);
                onChoose(f.format);
              }}
              data-testid={`export-as-${f.format}`}
            >
              <strong>{f.title}</strong>
              <span class="small muted">{f.text}</span>
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
