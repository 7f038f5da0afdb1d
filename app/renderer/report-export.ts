/**
 * Exporting a case's report, the same from Analysis and from Reports. In a browser the host answers with a
 * download URL and the report comes to the browser as a download; in Electron it stays where it was saved.
 */
import { useState } from 'preact/hooks';
import type { ReportFormat, RequestResults } from '../common/contract.ts';
import { errorMessage, signalAppEvent, unmask } from './api.ts';

export const REPORT_FORMATS: Array<{ format: ReportFormat; title: string; text: string }> = [
  {
    format: 'pdf',
    title: 'PDF report',
    text: 'For sharing and archiving: verdict, timeline, people, chain of custody.',
  },
  { format: 'html', title: 'HTML report', text: 'The same report as one self-contained web page.' },
  { format: 'json', title: 'JSON data', text: 'Every frame, face and score, for your own tools.' },
];

export type ExportedReport = RequestResults['exportReport'] & { caseId: string };

/** Writes the report, hands a browser its download, and records `report-exported` or `report-failed`. */
export async function exportCaseReport(caseId: string, format: ReportFormat): Promise<ExportedReport> {
  try {
    const out = await unmask.exportReport({ caseId, format });
    if (out.downloadUrl) {
      const link = document.createElement('a');
      link.href = out.downloadUrl;
      link.download = out.fileName;
      document.body.append(link);
      link.click();
      link.remove();
    }
    signalAppEvent('report-exported', { format, path: out.path, downloaded: out.downloadUrl !== null });
    return { ...out, caseId };
  } catch (e) {
    signalAppEvent('report-failed', { format, message: errorMessage(e) });
    throw e;
  }
}

/** One export at a time, with its outcome: what a screen with export buttons shows. */
export function useReportExport() {
  const [busy, setBusy] = useState<ReportFormat | null>(null);
  const [result, setResult] = useState<ExportedReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const exportAs = async (caseId: string, format: ReportFormat) => {
    setBusy(format);
    setError(null);
    setResult(null);
    try {
      setResult(await exportCaseReport(caseId, format));
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(null);
    }
  };
  const clear = () => {
    setResult(null);
    setError(null);
  };
  return { busy, result, error, setError, exportAs, clear };
}
