/** What became of an exported report: downloaded by the browser, or saved here with a way to open its folder. */
import { errorMessage, unmask } from '../api.ts';
import type { ExportedReport } from '../report-export.ts';

export function ExportNotice({
  exported,
  onError,
}: {
  exported: ExportedReport;
  onError(message: string): void;
}) {
  if (exported.downloadUrl)
    return (
      <div class="notice success" role="status" data-testid="export-result">
        Downloaded <code>{exported.fileName}</code> — your browser keeps it with its other downloads.
      </div>
    );
  return (
    <div class="notice success" role="status" data-testid="export-result">
      Saved to <code>{exported.path}</code>
      <button
        class="ghost"
        onClick={() =>
          unmask
            .revealOutput({ kind: 'report', caseId: exported.caseId })
            .catch((e: unknown) => onError(errorMessage(e)))
        }
        data-testid="open-folder"
      >
        Open folder
      </button>
    </div>
  );
}
